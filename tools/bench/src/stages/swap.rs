//! Model swaps: two models on one GGUF file with room for one loaded model, requested in
//! alternation through llama-runner and through llama.cpp's router mode.

use std::process::Command;
use std::time::Duration;

use serde_json::Value;
use tokio::time::Instant;

use crate::http::{HttpClient, client, get_json, post_json_ok, wait_until_healthy};
use crate::latency::{median, millis};
use crate::ports::free_port;
use crate::process::ServerProcess;
use crate::report::{Report, Row, Verdict};
use crate::runner::Runner;
use crate::stages::{Setup, chat_body};

const MODEL_IDS: [&str; 2] = ["swap-a", "swap-b"];

/// Maximum time for one request of the sequence, a model load included.
const REQUEST_LIMIT: Duration = Duration::from_secs(120);

pub async fn run(setup: &Setup, report: &mut Report) -> anyhow::Result<()> {
    let mut runner_totals = Vec::new();
    let mut router_totals = Vec::new();

    // The sides alternate, so drift in the machine's load affects both alike.
    for round in 1..=setup.args.swap_rounds {
        let runner_times = through_runner(setup, report).await?;
        let router_times = through_router(setup, report).await?;
        report.note(format!(
            "swap round {round}, {}, ms per request: llama-runner [{}], router mode [{}]",
            sequence(setup.args.swap_requests).join(","),
            listed(&runner_times),
            listed(&router_times),
        ));
        runner_totals.push(runner_times.iter().sum::<Duration>());
        router_totals.push(router_times.iter().sum::<Duration>());
    }

    let value = median(&runner_totals).unwrap_or_default().as_secs_f64();
    let baseline = median(&router_totals).unwrap_or_default().as_secs_f64();
    report.rows.push(Row {
        measure: format!(
            "swap sequence of {} requests, total (median of {})",
            setup.args.swap_requests, setup.args.swap_rounds
        ),
        value,
        unit: "s",
        baseline_name: "router mode".to_owned(),
        baseline: Some(baseline),
        ratio: Some(value / baseline),
        target: "-".to_owned(),
        verdict: Verdict::Info,
    });
    Ok(())
}

fn listed(times: &[Duration]) -> String {
    let millis: Vec<String> = times
        .iter()
        .map(|time| format!("{:.0}", millis(*time)))
        .collect();
    millis.join(", ")
}

fn sequence(count: usize) -> Vec<&'static str> {
    (0..count)
        .map(|index| MODEL_IDS[index % MODEL_IDS.len()])
        .collect()
}

/// Sends the sequence of non-streamed requests one after another and returns each one's time.
async fn send_sequence(
    http: &HttpClient,
    port: u16,
    count: usize,
) -> anyhow::Result<Vec<Duration>> {
    let mut times = Vec::new();
    for model in sequence(count) {
        let sent = Instant::now();
        post_json_ok(
            http,
            port,
            "/v1/chat/completions",
            &chat_body(model, false),
            REQUEST_LIMIT,
        )
        .await?;
        times.push(sent.elapsed());
    }
    Ok(times)
}

async fn through_runner(setup: &Setup, report: &mut Report) -> anyhow::Result<Vec<Duration>> {
    let dir = setup.stage_dir("swap-runner")?;
    let models = MODEL_IDS.map(|id| setup.real_model_entry(id, setup.real_parameters()));
    let runner = Runner::start(setup.llama_runner(), &dir, 1, &models, &[]).await?;

    let http = client(1);
    let times = send_sequence(&http, runner.port, setup.args.swap_requests).await?;

    let listing = get_json(&http, runner.port, "/v1/models", REQUEST_LIMIT).await?;
    let states = model_states(&listing, "state");
    report.note(format!(
        "llama-runner model states after the sequence: {states:?}"
    ));
    runner.stop()?;
    Ok(times)
}

/// Runs llama-server in router mode over a folder with one link to the GGUF file per model.
/// The router names a single-file model after its file name without `.gguf` and unloads the
/// least recently used model when `--models-max` is reached (llama.cpp tools/server/README.md).
async fn through_router(setup: &Setup, report: &mut Report) -> anyhow::Result<Vec<Duration>> {
    let dir = setup.stage_dir("swap-router")?;
    let models_dir = dir.join("models");
    std::fs::create_dir_all(&models_dir)?;
    for id in MODEL_IDS {
        let link = models_dir.join(format!("{id}.gguf"));
        if !link.exists() {
            std::os::unix::fs::symlink(&setup.args.model, &link)?;
        }
    }

    let port = free_port()?;
    let mut command = Command::new(&setup.args.llama_server);
    command.arg("--models-dir").arg(&models_dir);
    command.args([
        "--models-max",
        "1",
        "--host",
        "127.0.0.1",
        "--port",
        &port.to_string(),
    ]);
    // Model instances inherit the router's flags.
    command.args(setup.real_flags());
    command
        .env_remove("LLAMA_SERVER_ROUTER_PORT")
        .env_remove("LLAMA_SERVER_CHILD_MODE");

    let http = client(1);
    let mut router = ServerProcess::spawn("llama-server router", command, &dir.join("router.log"))?;
    wait_until_healthy(&http, &mut router, port, REQUEST_LIMIT).await?;
    let listing = get_json(&http, port, "/models", REQUEST_LIMIT).await?;
    let before = model_states(&listing, "status");
    for id in MODEL_IDS {
        if !before.iter().any(|(listed, _)| listed == id) {
            anyhow::bail!("the router does not list model {id}; it lists {before:?}");
        }
    }

    let times = send_sequence(&http, port, setup.args.swap_requests).await?;

    let listing = get_json(&http, port, "/models", REQUEST_LIMIT).await?;
    let after = model_states(&listing, "status");
    report.note(format!("router model states after the sequence: {after:?}"));
    let loaded = after.iter().filter(|(_, state)| state == "loaded").count();
    if loaded > 1 {
        anyhow::bail!("the router kept {loaded} models loaded with --models-max 1: {after:?}");
    }
    drop(router);
    Ok(times)
}

/// Pairs each model id in a model listing with its state: `field` is a string, or an object
/// whose `value` is one, as the router writes it.
fn model_states(listing: &Value, field: &str) -> Vec<(String, String)> {
    let Some(models) = listing["data"].as_array() else {
        return Vec::new();
    };
    models
        .iter()
        .filter_map(|model| {
            let id = model["id"].as_str()?;
            let state = &model[field];
            let state = state
                .as_str()
                .or_else(|| state["value"].as_str())
                .unwrap_or("unknown");
            Some((id.to_owned(), state.to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sequence_alternates_models() {
        assert_eq!(
            sequence(5),
            ["swap-a", "swap-b", "swap-a", "swap-b", "swap-a"]
        );
    }

    #[test]
    fn router_status_objects_are_read() {
        let listing = json!({"data": [
            {"id": "swap-a", "status": {"value": "unloaded"}},
            {"id": "swap-b", "status": {"value": "loaded", "args": []}},
        ]});

        let states = model_states(&listing, "status");

        assert_eq!(
            states,
            [
                ("swap-a".to_owned(), "unloaded".to_owned()),
                ("swap-b".to_owned(), "loaded".to_owned())
            ]
        );
    }

    #[test]
    fn runner_state_strings_are_read() {
        let listing = json!({"data": [{"id": "swap-a", "state": "stopped"}]});

        assert_eq!(
            model_states(&listing, "state"),
            [("swap-a".to_owned(), "stopped".to_owned())]
        );
    }
}
