//! Placement within `memoryBudget` with two entries of the real gemma-3-270m model: a budget
//! that fits one process swaps them, one that fits both keeps both, and one that fits neither
//! rejects at once.

mod support;

use std::path::Path;
use std::time::Duration;

use llama_runner::config::launch_arguments;
use llama_runner::placement::{Device, Estimator};
use serde_json::{Value, json};
use support::processes::{pids_with_argument, wait_until};
use support::runner::{Runner, config_with, model_entry};
use support::{real_assets, unique_id};

fn parameters() -> Value {
    json!({"ctx_size": 1024, "threads": 2, "parallel": 1})
}

/// Estimates the CPU bytes of one process, as the runner does.
fn estimate_bytes(model: &Path) -> u64 {
    let flags = launch_arguments(parameters().as_object().unwrap()).unwrap().flags;
    let estimate = Estimator::default().estimate(model, &flags, &[]).unwrap();
    estimate.total.bytes(Device::Cpu)
}

fn runner_with_budget(first: &str, second: &str, budget: u64) -> Runner {
    let assets = real_assets();
    let models = vec![
        model_entry(first, &assets.llama_server, &assets.model, parameters()),
        model_entry(second, &assets.llama_server, &assets.model, parameters()),
    ];
    Runner::start(config_with(models, json!({"concurrentRunners": 4, "memoryBudget": {"cpu": budget}})))
}

async fn chat(runner: &Runner, model: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(runner.openai_url("/v1/chat/completions"))
        .json(&json!({"model": model, "max_tokens": 4, "messages": [{"role": "user", "content": "Hi"}]}))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn budget_for_one_or_both_models() {
    let model = real_assets().model;
    let one_process = estimate_bytes(&model);

    // Room for one and a half processes: the second request evicts the first model.
    let first = unique_id("gemma-budget-a");
    let second = unique_id("gemma-budget-b");
    let runner = runner_with_budget(&first, &second, one_process * 3 / 2);
    assert_eq!(chat(&runner, &first).await.0, 200);
    assert_eq!(pids_with_argument(&first).len(), 1);
    assert_eq!(chat(&runner, &second).await.0, 200);
    assert!(pids_with_argument(&first).is_empty(), "the first model should have been evicted");
    assert_eq!(pids_with_argument(&second).len(), 1);
    drop(runner);

    // Room for both: no eviction.
    let first = unique_id("gemma-budget-c");
    let second = unique_id("gemma-budget-d");
    let runner = runner_with_budget(&first, &second, one_process * 5 / 2);
    assert_eq!(chat(&runner, &first).await.0, 200);
    assert_eq!(chat(&runner, &second).await.0, 200);
    assert_eq!(pids_with_argument(&first).len(), 1, "the first model should still run");
    assert_eq!(pids_with_argument(&second).len(), 1);

    let list: Value = reqwest::get(runner.management_url("/api/models")).await.unwrap().json().await.unwrap();
    assert_eq!(list["memory_budget"]["cpu"], one_process * 5 / 2, "{}", list["memory_budget"]);
}

#[tokio::test]
async fn model_over_the_budget_is_rejected_without_starting() {
    let model = real_assets().model;
    let budget = estimate_bytes(&model) / 2;
    let first = unique_id("gemma-budget-small");
    let second = unique_id("gemma-budget-unused");
    let runner = runner_with_budget(&first, &second, budget);

    let started = std::time::Instant::now();
    let (status, body) = chat(&runner, &first).await;

    assert_eq!(status, 503, "{body}");
    let message = body["error"]["message"].as_str().unwrap_or_else(|| panic!("{body}"));
    assert!(message.contains("cannot be loaded"), "{message}");
    assert!(message.contains("estimate"), "{message}");
    assert!(message.contains(&format!("({budget} bytes)")), "{message}");
    assert!(started.elapsed() < Duration::from_secs(5), "the rejection should not wait");
    assert!(!wait_until(Duration::from_millis(500), || !pids_with_argument(&first).is_empty()));
}

#[test]
fn check_warns_about_a_model_over_the_budget() {
    let assets = real_assets();
    let budget = estimate_bytes(&assets.model) / 2;
    let models = vec![model_entry("gemma", &assets.llama_server, &assets.model, parameters())];
    let config = config_with(models, json!({"memoryBudget": {"cpu": budget}}));
    let dir = support::TempDir::new("memory-check");
    let config_path = dir.path().join("config.json");
    std::fs::write(&config_path, serde_json::to_vec(&config).unwrap()).unwrap();

    let output = std::process::Command::new(env!("CARGO_BIN_EXE_llama-runner"))
        .args(["check", "--json", "--config"])
        .arg(&config_path)
        .output()
        .unwrap();

    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|_| panic!("{output:?}"));
    let problem = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|problem| problem["path"] == "models.gemma.model_path")
        .unwrap_or_else(|| panic!("{report}"));
    assert_eq!(problem["severity"], "warning", "{problem}");
    let message = problem["message"].as_str().unwrap();
    assert!(message.contains("rejected on every request"), "{message}");
    assert!(message.contains(&format!("({budget} bytes)")), "{message}");
    assert_eq!(report["valid"], true, "a warning leaves the file valid: {report}");
}
