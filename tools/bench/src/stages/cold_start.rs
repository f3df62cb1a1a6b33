//! Cold start: from the request to the first token for a model that is not loaded, through
//! llama-runner, against llama-server's own load time plus its first token.

use std::process::Command;
use std::time::Duration;

use tokio::time::Instant;

use crate::http::{client, wait_until_healthy};
use crate::latency::{median, millis};
use crate::ports::free_port;
use crate::process::ServerProcess;
use crate::report::{Report, Row, Verdict};
use crate::runner::Runner;
use crate::stages::{REAL_MODEL_ID, Setup, chat_body};
use crate::streaming::time_stream;

/// Maximum time for a model load plus the first token.
const LOAD_LIMIT: Duration = Duration::from_secs(120);

/// Time llama-runner may add to llama-server's load time and first token.
const ALLOWED_OVERHEAD_MS: f64 = 50.0;

/// One direct cold start: the time until `/health` returned 200, then until the first token.
struct DirectStart {
    load: Duration,
    first_token: Duration,
}

pub async fn run(setup: &Setup, report: &mut Report) -> anyhow::Result<()> {
    let mut direct_totals = Vec::new();
    let mut direct_loads = Vec::new();
    let mut proxied = Vec::new();

    // The sides alternate, so both find the model file equally warm in the page cache.
    for run in 0..setup.args.cold_runs {
        let direct = start_directly(setup, run).await?;
        direct_loads.push(direct.load);
        direct_totals.push(direct.load + direct.first_token);
        proxied.push(start_through_runner(setup, run).await?);
    }

    let samples = |durations: &[Duration]| {
        durations
            .iter()
            .map(|duration| format!("{:.1}", millis(*duration)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    report.note(format!(
        "cold start, ms per run: llama-server load [{}], load + first token [{}]; through llama-runner [{}]",
        samples(&direct_loads),
        samples(&direct_totals),
        samples(&proxied),
    ));

    let baseline = millis(median(&direct_totals).unwrap_or_default());
    let value = millis(median(&proxied).unwrap_or_default());
    report.rows.push(Row {
        measure: format!(
            "cold start to first token (median of {})",
            setup.args.cold_runs
        ),
        value,
        unit: "ms",
        baseline_name: "llama-server load + first token".to_owned(),
        baseline: Some(baseline),
        ratio: Some(value / baseline),
        target: format!("<= baseline + {ALLOWED_OVERHEAD_MS} ms"),
        verdict: Verdict::from_check(value <= baseline + ALLOWED_OVERHEAD_MS),
    });
    Ok(())
}

/// Starts llama-server with the flags llama-runner would pass, times its load and first token,
/// and stops it.
async fn start_directly(setup: &Setup, run: usize) -> anyhow::Result<DirectStart> {
    let dir = setup.stage_dir(&format!("cold-direct-{run}"))?;
    let port = free_port()?;
    let mut command = Command::new(&setup.args.llama_server);
    command
        .args(setup.real_flags())
        .arg("--model")
        .arg(&setup.args.model);
    command.args([
        "--alias",
        REAL_MODEL_ID,
        "--host",
        "127.0.0.1",
        "--port",
        &port.to_string(),
    ]);

    let http = client(1);
    let started = Instant::now();
    let mut server = ServerProcess::spawn("llama-server", command, &dir.join("llama-server.log"))?;
    wait_until_healthy(&http, &mut server, port, LOAD_LIMIT).await?;
    let load = started.elapsed();

    let timing = time_stream(&http, port, &chat_body(REAL_MODEL_ID, true), LOAD_LIMIT).await?;
    // Dropping the guard stops llama-server and reports processes it left behind.
    drop(server);
    Ok(DirectStart {
        load,
        first_token: timing.first_token,
    })
}

/// Starts a fresh llama-runner, which has no model loaded, and times one streamed request from
/// sending it to its first token.
async fn start_through_runner(setup: &Setup, run: usize) -> anyhow::Result<Duration> {
    let dir = setup.stage_dir(&format!("cold-runner-{run}"))?;
    let models = [setup.real_model_entry(REAL_MODEL_ID, setup.real_parameters())];
    let runner = Runner::start(setup.llama_runner(), &dir, 1, &models, &[]).await?;

    let http = client(1);
    let timing = time_stream(
        &http,
        runner.port,
        &chat_body(REAL_MODEL_ID, true),
        LOAD_LIMIT,
    )
    .await?;
    runner.stop()?;
    Ok(timing.first_token)
}
