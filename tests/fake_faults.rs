//! Faults of a model process against the fake llama-server: what the client receives, the model's
//! state and its circuit breaker.

mod support;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::processes::{pids_with_argument, wait_until};
use support::runner::{Runner, config_with, model_entry};
use support::{TempDir, fake_llama_server, request_log_lines, unique_id};

fn model_file(dir: &TempDir, name: &str) -> std::path::PathBuf {
    let path = dir.path().join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, b"GGUF").unwrap();
    path
}

/// Writes a runtime script that starts the fake with the given environment.
fn fake_runtime(dir: &TempDir, name: &str, environment: &[(&str, &str)]) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let exports: String = environment.iter().map(|(key, value)| format!("export {key}='{value}'\n")).collect();
    let script = dir.path().join(name);
    std::fs::write(&script, format!("#!/bin/sh\n{exports}exec '{}' \"$@\"\n", fake_llama_server().display())).unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script
}

async fn post(url: &str, body: Value) -> (u16, reqwest::header::HeaderMap, String) {
    let response = reqwest::Client::new().post(url).json(&body).send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap_or_default())
}

async fn model_state(runner: &Runner, id: &str) -> String {
    let listing: Value = reqwest::get(runner.openai_url("/v1/models")).await.unwrap().json().await.unwrap();
    listing["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|model| model["id"] == id)
        .map(|model| model["state"].as_str().unwrap().to_owned())
        .unwrap()
}

async fn breaker_state(runner: &Runner, id: &str) -> String {
    let listing: Value = reqwest::get(runner.management_url("/api/breakers")).await.unwrap().json().await.unwrap();
    listing["breakers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["model"] == id)
        .map(|entry| entry["breaker"]["state"].as_str().unwrap().to_owned())
        .unwrap()
}

#[tokio::test]
async fn breaker_counts_only_upstream_faults() {
    let dir = TempDir::new("breaker");
    let refusing = unique_id("refusing");
    let failing = unique_id("failing");
    let failing_log = dir.path().join("failing.log");
    let file = model_file(&dir, "model.gguf");
    let models = vec![
        model_entry(
            &refusing,
            &fake_runtime(&dir, "refusing.sh", &[("FAKE_MODE", "answer_400"), ("FAKE_FIRST_BYTE_DELAY_MS", "300")]),
            &file,
            json!({}),
        ),
        model_entry(
            &failing,
            &fake_runtime(&dir, "failing.sh", &[("FAKE_MODE", "answer_500"), ("FAKE_REQUEST_LOG", failing_log.to_str().unwrap())]),
            &file,
            json!({}),
        ),
    ];
    let settings = json!({
        "concurrentRunners": 2,
        "circuitBreaker": {"failureThreshold": 5, "recoveryTimeoutSeconds": 2, "successThreshold": 1},
    });
    let runner = Runner::start(config_with(models, settings));
    let chat_url = runner.openai_url("/v1/chat/completions");

    // Ten replies of 400 and ten clients that leave are the caller's doing, not the model's.
    for _ in 0..10 {
        let (status, _, body) = post(&chat_url, json!({"model": refusing, "messages": []})).await;
        assert_eq!(status, 400, "{body}");
        assert!(body.contains("exceed_context_size_error"), "{body}");
    }
    for _ in 0..10 {
        let client = reqwest::Client::new();
        let request = client.post(&chat_url).json(&json!({"model": refusing})).send();
        let _ = tokio::time::timeout(Duration::from_millis(100), request).await;
    }
    assert_eq!(breaker_state(&runner, &refusing).await, "closed");
    let (status, _, body) = post(&runner.openai_url("/v1/embeddings"), json!({"model": refusing, "input": "x"})).await;
    assert_eq!(status, 200, "{body}");

    // Five replies of 500 open the breaker; the sixth call is rejected without reaching the model.
    for _ in 0..5 {
        let (status, _, _) = post(&chat_url, json!({"model": failing, "messages": []})).await;
        assert_eq!(status, 500);
    }
    let sent = request_log_lines(&failing_log).len();
    let started = Instant::now();
    let (status, headers, body) = post(&chat_url, json!({"model": failing, "messages": []})).await;
    let elapsed = started.elapsed();
    assert_eq!(status, 503, "{body}");
    assert!(elapsed < Duration::from_millis(50), "rejection took {elapsed:?}");
    let retry_after: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry_after), "Retry-After {retry_after}");
    let error: Value = serde_json::from_str(&body).unwrap();
    let message = error["error"]["message"].as_str().unwrap();
    assert!(message.contains(&failing), "{message}");
    assert!(message.contains("open"), "{message}");
    assert!(message.contains("500"), "{message}");
    assert_eq!(request_log_lines(&failing_log).len(), sent, "the rejected call reached the model");
    assert_eq!(breaker_state(&runner, &failing).await, "open");
    assert_eq!(breaker_state(&runner, &refusing).await, "closed", "other models are unaffected");

    // After the recovery timeout one probe goes through; its success closes the breaker.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let (status, _, body) = post(&runner.openai_url("/v1/embeddings"), json!({"model": failing, "input": "x"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(breaker_state(&runner, &failing).await, "closed");
}

#[tokio::test]
async fn breaker_reset_endpoint_closes_an_open_breaker() {
    let dir = TempDir::new("reset");
    let failing = unique_id("failing");
    let file = model_file(&dir, "model.gguf");
    let models = vec![model_entry(&failing, &fake_runtime(&dir, "f.sh", &[("FAKE_MODE", "answer_500")]), &file, json!({}))];
    let runner = Runner::start(config_with(models, json!({"circuitBreaker": {"failureThreshold": 2}})));

    for _ in 0..2 {
        post(&runner.openai_url("/v1/chat/completions"), json!({"model": failing})).await;
    }
    assert_eq!(breaker_state(&runner, &failing).await, "open");

    let response = reqwest::Client::new()
        .post(runner.management_url(&format!("/api/breakers/{failing}/reset")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(breaker_state(&runner, &failing).await, "closed");

    let response = reqwest::Client::new().post(runner.management_url("/api/breakers/nope/reset")).send().await.unwrap();
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn first_byte_timeout_answers_504_and_cancels_upstream() {
    let dir = TempDir::new("first-byte");
    let slow = unique_id("slow");
    let log = dir.path().join("requests.log");
    let file = model_file(&dir, "model.gguf");
    let runtime = fake_runtime(&dir, "slow.sh", &[("FAKE_FIRST_BYTE_DELAY_MS", "3000"), ("FAKE_REQUEST_LOG", log.to_str().unwrap())]);
    let mut entry = model_entry(&slow, &runtime, &file, json!({}));
    entry.1["timeouts"] = json!({"firstByteSeconds": 1});
    let patient = unique_id("patient");
    let models = vec![entry, model_entry(&patient, &runtime, &file, json!({}))];
    let runner = Runner::start(config_with(models, json!({"concurrentRunners": 2})));

    for stream in [false, true] {
        let started = Instant::now();
        let (status, _, body) = post(&runner.openai_url("/v1/chat/completions"), json!({"model": slow, "stream": stream})).await;
        assert_eq!(status, 504, "stream={stream}: {body}");
        assert!(started.elapsed() < Duration::from_millis(2500), "took {:?}", started.elapsed());
        let error: Value = serde_json::from_str(&body).unwrap();
        assert!(error["error"]["message"].as_str().unwrap().contains("first byte"), "{body}");
    }
    let cancelled = wait_until(Duration::from_secs(1), || {
        request_log_lines(&log).iter().filter(|line| line["event"] == "disconnected").count() == 2
    });
    assert!(cancelled, "upstream requests were not cancelled: {:?}", request_log_lines(&log));
    assert_eq!(model_state(&runner, &slow).await, "ready", "a timeout does not mark the model failed");

    // Without a configured first-byte timeout a slow first token is simply waited for.
    let (status, _, body) = post(&runner.openai_url("/v1/chat/completions"), json!({"model": patient})).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn upstream_400_keeps_its_status_when_streaming() {
    let dir = TempDir::new("status-400");
    let id = unique_id("context");
    let file = model_file(&dir, "model.gguf");
    let models = vec![model_entry(&id, &fake_runtime(&dir, "c.sh", &[("FAKE_MODE", "answer_400")]), &file, json!({}))];
    let runner = Runner::start(config_with(models, json!({})));

    for stream in [false, true] {
        let (status, headers, body) = post(&runner.openai_url("/v1/chat/completions"), json!({"model": id, "stream": stream})).await;
        assert_eq!(status, 400, "stream={stream}");
        assert!(headers["content-type"].to_str().unwrap().starts_with("application/json"));
        let error: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(error["error"]["type"], "exceed_context_size_error");
        assert!(error["error"]["message"].as_str().unwrap().contains("context"));
    }
}

#[tokio::test]
async fn crash_mid_stream_marks_model_failed_and_next_request_restarts_it() {
    let dir = TempDir::new("crash");
    let id = unique_id("crashing");
    let file = model_file(&dir, "model.gguf");
    let runtime = fake_runtime(&dir, "crash.sh", &[("FAKE_MODE", "exit_mid_stream"), ("FAKE_CHUNK_DELAY_MS", "50")]);
    let runner = Runner::start(config_with(vec![model_entry(&id, &runtime, &file, json!({}))], json!({})));

    let (status, _, body) = post(&runner.openai_url("/v1/chat/completions"), json!({"model": id, "stream": true})).await;
    assert_eq!(status, 200);
    assert!(body.contains("\"error\""), "no error event: {body}");
    assert!(!body.contains("[DONE]"), "a fabricated end of stream: {body}");

    let mut state = String::new();
    for _ in 0..150 {
        state = model_state(&runner, &id).await;
        if state == "failed" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(state, "failed", "model not marked failed");
    assert!(pids_with_argument(&id).is_empty());

    let (status, _, body) = post(&runner.openai_url("/v1/chat/completions"), json!({"model": id})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(model_state(&runner, &id).await, "ready");
}

#[tokio::test]
async fn pinned_port_in_use_fails_fast_naming_the_port() {
    let dir = TempDir::new("port");
    let id = unique_id("pinned");
    let foreign = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = foreign.local_addr().unwrap().port();
    let file = model_file(&dir, "model.gguf");
    let models = vec![model_entry(&id, &fake_llama_server(), &file, json!({"port": port}))];
    let runner = Runner::start(config_with(models, json!({"healthCheckTimeout": 120})));

    let started = Instant::now();
    let (status, _, body) = post(&runner.openai_url("/v1/chat/completions"), json!({"model": id})).await;
    assert_eq!(status, 503, "{body}");
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
    assert!(body.contains(&port.to_string()), "{body}");
    drop(foreign);
}

#[tokio::test]
async fn paths_with_spaces_reach_the_runtime_unsplit() {
    let dir = TempDir::new("spaces");
    let id = unique_id("spaces");
    let runtime_dir = dir.path().join("runtime dir");
    std::fs::create_dir_all(&runtime_dir).unwrap();
    let runtime = runtime_dir.join("llama server");
    std::fs::copy(fake_llama_server(), &runtime).unwrap();
    let model = model_file(&dir, "models dir/my model\\");
    let runner = Runner::start(config_with(vec![model_entry(&id, &runtime, &model, json!({}))], json!({})));

    let (status, _, body) = post(&runner.openai_url("/v1/chat/completions"), json!({"model": id})).await;
    assert_eq!(status, 200, "{body}");

    let pid = pids_with_argument(&id)[0];
    let command_line = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap();
    let arguments: Vec<String> = command_line
        .split(|byte| *byte == 0)
        .map(|argument| String::from_utf8_lossy(argument).into_owned())
        .collect();
    let index = arguments.iter().position(|argument| argument == "--model").unwrap();
    assert_eq!(arguments[index + 1], model.to_string_lossy());
    assert_eq!(arguments[0], runtime.to_string_lossy());
}
