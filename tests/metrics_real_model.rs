//! Metrics, the WebSocket and the management API against the real llama-server and model.

mod support;

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::{Value, json};
use support::processes::{pids_with_argument, wait_until};
use support::runner::{Runner, config_with, model_entry};
use support::{real_assets, unique_id};

fn real_runner(id: &str) -> Runner {
    let assets = real_assets();
    let parameters = json!({"ctx_size": 1024, "threads": 2, "parallel": 2});
    let models = vec![model_entry(id, &assets.llama_server, &assets.model, parameters)];
    Runner::start(config_with(models, json!({})))
}

async fn chat(runner: &Runner, model: &str, stream: bool) {
    let response = reqwest::Client::new()
        .post(runner.openai_url("/v1/chat/completions"))
        .json(&json!({
            "model": model,
            "stream": stream,
            "max_tokens": 8,
            "messages": [{"role": "user", "content": "Name a colour."}],
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.text().await.unwrap();
}

/// Returns the path of promtool, installing Debian's `prometheus` package when it is missing.
fn promtool() -> String {
    let found = |name: &str| {
        Command::new("sh")
            .args(["-c", &format!("command -v {name}")])
            .output()
            .ok()
            .filter(|output| output.status.success())
            .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned())
    };
    if let Some(path) = found("promtool") {
        return path;
    }
    let installed = Command::new("sh")
        .args(["-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus"])
        .status()
        .expect("apt-get runs");
    assert!(installed.success(), "installing promtool (Debian package prometheus) failed");
    found("promtool").expect("promtool is installed")
}

/// Runs `promtool check metrics` on `text` and returns its exit status and output.
fn promtool_check(text: &str) -> (bool, String) {
    let mut child = Command::new(promtool())
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool starts");
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    let report = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    (output.status.success(), report)
}

#[tokio::test]
async fn metrics_pass_promtool_and_hold_request_and_token_series() {
    let id = unique_id("metrics-real");
    let runner = real_runner(&id);
    chat(&runner, &id, false).await;
    chat(&runner, &id, true).await;
    // One sample, so that the system gauges are exposed too.
    tokio::time::sleep(Duration::from_millis(1_200)).await;

    let text = reqwest::get(runner.management_url("/metrics")).await.unwrap().text().await.unwrap();

    let (passed, report) = promtool_check(&text);
    assert!(passed, "promtool check metrics failed:\n{report}\n{text}");
    for series in [
        format!(r#"llama_runner_requests_total{{model="{id}",route="/v1/chat/completions",status="2xx",stream="false"}} 1"#),
        format!(r#"llama_runner_requests_total{{model="{id}",route="/v1/chat/completions",status="2xx",stream="true"}} 1"#),
        format!(r#"llama_runner_tokens_total{{model="{id}",kind="generated"}}"#),
        format!(r#"llama_runner_tokens_total{{model="{id}",kind="prompt"}}"#),
        format!(r#"llama_runner_model_state{{model="{id}",state="ready"}} 1"#),
        "llama_runner_system_memory_bytes".to_owned(),
        "llama_runner_request_duration_seconds_bucket".to_owned(),
    ] {
        assert!(text.contains(&series), "missing {series} in:\n{text}");
    }

    let requests: Value = reqwest::get(runner.management_url("/api/requests")).await.unwrap().json().await.unwrap();
    for record in requests["requests"].as_array().unwrap() {
        assert!(record["generation_tokens_per_second"].as_f64().unwrap() > 0.0, "from the real timings: {record}");
    }
}

#[tokio::test]
async fn websocket_sends_a_snapshot_then_samples() {
    let id = unique_id("metrics-ws");
    let runner = real_runner(&id);
    let url = format!("ws://127.0.0.1:{}/ws", runner.management_port);

    let (mut socket, _) = tokio_tungstenite::connect_async(url.as_str()).await.unwrap();
    let started = Instant::now();
    let mut types = Vec::new();
    let mut samples = 0;
    while samples < 3 && started.elapsed() < Duration::from_secs(4) {
        let remaining = Duration::from_secs(4).saturating_sub(started.elapsed());
        let Ok(Some(Ok(message))) = tokio::time::timeout(remaining, socket.next()).await else {
            break;
        };
        let message: Value = serde_json::from_str(message.to_text().unwrap()).unwrap();
        if message["type"] == "sample" {
            samples += 1;
            assert!(message["system"]["memory"]["total"].as_u64().unwrap() > 0, "{message}");
            assert_eq!(message["models"][&id]["state"], "stopped", "{message}");
        }
        if message["type"] == "snapshot" {
            assert_eq!(message["models"][0]["id"], id.as_str(), "{message}");
            assert_eq!(message["config"]["interval_seconds"], 1);
        }
        types.push(message["type"].as_str().unwrap_or_default().to_owned());
    }

    assert_eq!(types.first().map(String::as_str), Some("snapshot"), "{types:?}");
    assert!(samples >= 3, "{samples} samples in 4 s: {types:?}");
}

#[tokio::test]
async fn load_and_unload_through_the_api_change_the_process_list() {
    let id = unique_id("metrics-load-real");
    let runner = real_runner(&id);
    let client = reqwest::Client::new();
    assert!(pids_with_argument(&id).is_empty());

    let loaded: Value = client
        .post(runner.management_url(&format!("/api/models/{id}/load")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(loaded["state"], "ready", "{loaded}");
    assert!(loaded["last_load_ms"].as_u64().is_some(), "{loaded}");
    assert_eq!(pids_with_argument(&id).len(), 1);

    let unloaded = client.post(runner.management_url(&format!("/api/models/{id}/unload"))).send().await.unwrap();
    assert_eq!(unloaded.status(), 200);
    assert!(wait_until(Duration::from_secs(10), || pids_with_argument(&id).is_empty()));
}
