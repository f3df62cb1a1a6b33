//! Hot reload of the config against real llama-server processes.

mod support;

use std::time::Duration;

use serde_json::{Value, json};
use support::processes::{pids_with_argument, wait_until};
use support::runner::{Runner, config_with, model_entry};
use support::{real_assets, unique_id};

fn entry(id: &str, ctx_size: u32) -> (String, Value) {
    let assets = real_assets();
    model_entry(id, &assets.llama_server, &assets.model, json!({"ctx_size": ctx_size, "threads": 1}))
}

/// Rewrites the runner's config file with `models`, keeping its ports.
fn rewrite_config(runner: &Runner, models: Vec<(String, Value)>) {
    let mut config: Value = serde_json::from_slice(&std::fs::read(&runner.config_path).unwrap()).unwrap();
    config["models"] = Value::Object(models.into_iter().collect());
    std::fs::write(&runner.config_path, serde_json::to_vec_pretty(&config).unwrap()).unwrap();
}

fn reload_count(runner: &Runner) -> usize {
    runner.output_text().lines().filter(|line| line.contains("config reloaded")).count()
}

async fn chat(runner: &Runner, model: &str) -> u16 {
    reqwest::Client::new()
        .post(runner.openai_url("/v1/chat/completions"))
        .json(&json!({"model": model, "max_tokens": 2, "messages": [{"role": "user", "content": "Hi"}]}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn listed_ids(runner: &Runner) -> Vec<String> {
    let listing: Value = reqwest::get(runner.openai_url("/v1/models")).await.unwrap().json().await.unwrap();
    listing["data"].as_array().unwrap().iter().map(|model| model["id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reload_applies_a_diff_while_a_request_streams() {
    let keep = unique_id("keep");
    let change = unique_id("change");
    let remove = unique_id("remove");
    let add = unique_id("add");
    let runner = Runner::start(config_with(
        vec![entry(&keep, 1024), entry(&change, 1024), entry(&remove, 1024)],
        json!({"concurrentRunners": 3}),
    ));
    for model in [&keep, &change, &remove] {
        assert_eq!(chat(&runner, model).await, 200);
    }
    let keep_pids = pids_with_argument(&keep);
    assert_eq!(keep_pids.len(), 1);

    let stream_url = runner.openai_url("/v1/chat/completions");
    let stream_model = keep.clone();
    let stream = tokio::spawn(async move {
        let response = reqwest::Client::new()
            .post(stream_url)
            .json(&json!({
                "model": stream_model, "stream": true, "max_tokens": 200, "ignore_eos": true,
                "messages": [{"role": "user", "content": "Tell a story."}],
            }))
            .send()
            .await
            .unwrap();
        response.text().await.unwrap()
    });
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Five quick edits; only the last one counts.
    for step in 0..5u32 {
        let mut models = vec![entry(&keep, 1024), entry(&change, 1024 + 512 * (step + 1))];
        if step == 4 {
            models.push(entry(&add, 1024));
        } else {
            models.push(entry(&remove, 1024));
        }
        rewrite_config(&runner, models);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let text = stream.await.unwrap();
    assert!(text.contains("data: [DONE]"), "the streaming request was cut: {text:.300}");
    assert!(wait_until(Duration::from_secs(5), || reload_count(&runner) >= 1), "no reload");
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(reload_count(&runner), 1, "five quick edits gave several reloads");

    assert_eq!(pids_with_argument(&keep), keep_pids, "the unchanged model was restarted");
    assert!(wait_until(Duration::from_secs(15), || pids_with_argument(&remove).is_empty()), "removed model still runs");
    assert!(wait_until(Duration::from_secs(15), || pids_with_argument(&change).is_empty()), "changed model was not restarted");
    let ids = listed_ids(&runner).await;
    assert!(ids.contains(&add), "added model not listed: {ids:?}");
    assert!(!ids.contains(&remove), "removed model still listed: {ids:?}");

    assert_eq!(chat(&runner, &change).await, 200);
    let pid = pids_with_argument(&change)[0];
    let command_line = String::from_utf8_lossy(&std::fs::read(format!("/proc/{pid}/cmdline")).unwrap()).replace('\0', " ");
    assert!(command_line.contains("--ctx-size 3584"), "{command_line}");
    assert_eq!(chat(&runner, &add).await, 200);
    assert_eq!(chat(&runner, &remove).await, 404);
}

#[tokio::test]
async fn invalid_reload_keeps_the_running_config() {
    let keep = unique_id("stays");
    let runner = Runner::start(config_with(vec![entry(&keep, 1024)], json!({})));

    std::fs::write(&runner.config_path, r#"{"models": {"broken": {}}"#).unwrap();
    let response = reqwest::Client::new().post(runner.management_url("/api/config/reload")).send().await.unwrap();
    assert_eq!(response.status(), 422);
    let outcome: Value = response.json().await.unwrap();
    assert_eq!(outcome["result"], "rejected");
    assert!(!outcome["problems"].as_array().unwrap().is_empty());

    assert!(listed_ids(&runner).await.contains(&keep));
    assert_eq!(chat(&runner, &keep).await, 200);
}

#[tokio::test]
async fn sighup_reloads_the_config() {
    let first = unique_id("first");
    let second = unique_id("second");
    let runner = Runner::start(config_with(vec![entry(&first, 1024)], json!({})));

    // The file watcher may reload this edit too, so the test also checks for a reload
    // whose log line names SIGHUP as its cause.
    rewrite_config(&runner, vec![entry(&first, 1024), entry(&second, 1024)]);
    let _ = std::process::Command::new("kill").args(["-HUP", &runner.pid().to_string()]).status();
    let mut listed = false;
    for _ in 0..100 {
        if listed_ids(&runner).await.contains(&second) {
            listed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(listed, "the new model never appeared");
    let sighup_reload = wait_until(Duration::from_secs(5), || {
        runner.output_text().lines().any(|line| line.contains("config reloaded") && line.contains("SIGHUP"))
    });
    assert!(sighup_reload, "no reload caused by SIGHUP:\n{}", runner.output_text());
}
