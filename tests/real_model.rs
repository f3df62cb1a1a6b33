//! The main job against the real llama-server and the real gemma-3-270m GGUF model.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::{Value, json};
use support::processes::{is_alive, listening_port_of, pids_with_argument, wait_until};
use support::runner::{Runner, config_with, model_entry};
use support::{real_assets, unique_id};

/// Small context and few threads keep two model processes within a 2-core, small-memory machine.
fn real_parameters() -> Value {
    json!({"ctx_size": 1024, "threads": 2, "parallel": 4})
}

fn real_runner(ids: &[&str], settings: Value) -> Runner {
    let assets = real_assets();
    let models = ids
        .iter()
        .map(|id| model_entry(id, &assets.llama_server, &assets.model, real_parameters()))
        .collect();
    Runner::start(config_with(models, settings))
}

async fn chat(runner: &Runner, model: &str, max_tokens: u32) -> Value {
    let response = reqwest::Client::new()
        .post(runner.openai_url("/v1/chat/completions"))
        .json(&json!({
            "model": model,
            "max_tokens": max_tokens,
            "messages": [{"role": "user", "content": "Name a colour."}],
        }))
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, 200, "{model}: {body}");
    body
}

#[tokio::test]
async fn chat_completes_with_and_without_streaming() {
    let id = unique_id("gemma-chat");
    let runner = real_runner(&[&id], json!({}));

    let body = chat(&runner, &id, 16).await;
    assert_eq!(body["model"], id.as_str());
    assert_eq!(body["object"], "chat.completion");
    assert!(body["usage"]["completion_tokens"].as_u64().unwrap() > 0);

    let response = reqwest::Client::new()
        .post(runner.openai_url("/v1/chat/completions"))
        .json(&json!({"model": id, "stream": true, "max_tokens": 16, "messages": [{"role": "user", "content": "Hi"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-cache");
    assert_eq!(response.headers()["x-accel-buffering"], "no");
    assert!(response.headers().get("content-length").is_none());

    let text = response.text().await.unwrap();
    let events: Vec<&str> = text.lines().filter_map(|line| line.strip_prefix("data: ")).collect();
    assert_eq!(events.last(), Some(&"[DONE]"), "{text}");
    let chunks: Vec<Value> = events[..events.len() - 1].iter().map(|event| serde_json::from_str(event).unwrap()).collect();
    assert!(chunks.len() >= 2, "{text}");
    for chunk in &chunks {
        assert_eq!(chunk["model"], id.as_str());
        assert_eq!(chunk["object"], "chat.completion.chunk");
    }
}

#[tokio::test]
async fn models_are_listed_without_starting_any() {
    let first = unique_id("gemma-list-a");
    let second = unique_id("gemma-list-b");
    let runner = real_runner(&[&first, &second], json!({}));

    let listing: Value = reqwest::get(runner.openai_url("/v1/models")).await.unwrap().json().await.unwrap();
    let ids: Vec<&str> = listing["data"].as_array().unwrap().iter().map(|model| model["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&first.as_str()) && ids.contains(&second.as_str()), "{listing}");
    for model in listing["data"].as_array().unwrap() {
        assert_eq!(model["object"], "model");
        assert!(model["created"].as_u64().unwrap() > 0);
        assert_eq!(model["state"], "stopped");
    }
    assert!(pids_with_argument(&first).is_empty() && pids_with_argument(&second).is_empty());

    chat(&runner, &first, 4).await;
    let listing: Value = reqwest::get(runner.openai_url("/v1/models")).await.unwrap().json().await.unwrap();
    let states: Vec<(&str, &str)> = listing["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|model| (model["id"].as_str().unwrap(), model["state"].as_str().unwrap()))
        .collect();
    assert!(states.contains(&(first.as_str(), "ready")), "{states:?}");
    assert!(states.contains(&(second.as_str(), "stopped")), "{states:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_entries_swap_back_and_forth_one_process_at_a_time() {
    let first = unique_id("gemma-swap-a");
    let second = unique_id("gemma-swap-b");
    let runner = Arc::new(real_runner(&[&first, &second], json!({"concurrentRunners": 1})));

    let sampling = Arc::new(AtomicBool::new(true));
    let overlap = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (sampling, overlap, first, second) = (sampling.clone(), overlap.clone(), first.clone(), second.clone());
        std::thread::spawn(move || {
            while sampling.load(Ordering::Relaxed) {
                if !pids_with_argument(&first).is_empty() && !pids_with_argument(&second).is_empty() {
                    overlap.store(true, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        })
    };

    for model in [&first, &second, &first, &second] {
        let body = chat(&runner, model, 4).await;
        assert_eq!(body["model"], model.as_str());
    }

    // 20 concurrent requests across both models all succeed.
    let mut requests = tokio::task::JoinSet::new();
    for index in 0..20 {
        let model = if index % 2 == 0 { first.clone() } else { second.clone() };
        let runner = runner.clone();
        requests.spawn(async move {
            let body = chat(&runner, &model, 4).await;
            (model, body)
        });
    }
    while let Some(result) = requests.join_next().await {
        let (model, body) = result.unwrap();
        assert_eq!(body["model"], model.as_str());
    }

    sampling.store(false, Ordering::Relaxed);
    sampler.join().unwrap();
    assert!(!overlap.load(Ordering::Relaxed), "two llama-server processes were alive at once");
}

#[tokio::test]
async fn abandoned_stream_does_not_delay_the_next_request() {
    let id = unique_id("gemma-abandon");
    // One slot, so an abandoned generation would block the next request until it finished.
    let assets = real_assets();
    let models = vec![model_entry(&id, &assets.llama_server, &assets.model, json!({"ctx_size": 4096, "threads": 2, "parallel": 1}))];
    let runner = Runner::start(config_with(models, json!({})));
    chat(&runner, &id, 2).await;

    let response = reqwest::Client::new()
        .post(runner.openai_url("/v1/chat/completions"))
        .json(&json!({
            "model": id, "stream": true, "max_tokens": 3000, "ignore_eos": true,
            "messages": [{"role": "user", "content": "Write a very long story."}],
        }))
        .send()
        .await
        .unwrap();
    let mut stream = response.bytes_stream();
    stream.next().await.unwrap().unwrap();
    stream.next().await.unwrap().unwrap();
    drop(stream);

    // llama-server's only slot must be free again soon: 3000 tokens would take it half a minute.
    let port = listening_port_of(&id);
    let mut idle = false;
    for _ in 0..150 {
        let slots: Value = reqwest::get(format!("http://127.0.0.1:{port}/slots")).await.unwrap().json().await.unwrap();
        if slots.as_array().unwrap().iter().all(|slot| slot["is_processing"] == false) {
            idle = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(idle, "llama-server kept generating for the client that left");
    chat(&runner, &id, 4).await;
}


#[test]
fn sigkill_of_the_runner_leaves_no_llama_server() {
    let id = unique_id("gemma-kill");
    let mut runner = real_runner(&[&id], json!({}));
    tokio::runtime::Runtime::new().unwrap().block_on(chat(&runner, &id, 2));
    let pids = pids_with_argument(&id);
    assert_eq!(pids.len(), 1);

    runner.child.kill().unwrap();
    runner.child.wait().unwrap();
    assert!(
        wait_until(Duration::from_secs(2), || pids.iter().all(|pid| !is_alive(*pid))),
        "llama-server outlived llama-runner's SIGKILL by 2 s"
    );
}

#[tokio::test]
async fn idle_model_is_unloaded_after_ttl() {
    let id = unique_id("gemma-ttl");
    let runner = real_runner(&[&id], json!({"ttl": 2}));

    chat(&runner, &id, 4).await;
    let finished = Instant::now();
    assert_eq!(pids_with_argument(&id).len(), 1);

    assert!(wait_until(Duration::from_secs(6), || pids_with_argument(&id).is_empty()), "not unloaded by TTL");
    assert!(finished.elapsed() >= Duration::from_millis(1900), "unloaded after {:?}", finished.elapsed());
}

#[test]
fn sigterm_stops_children_and_exits_zero() {
    let id = unique_id("gemma-term");
    let mut runner = real_runner(&[&id], json!({}));
    tokio::runtime::Runtime::new().unwrap().block_on(chat(&runner, &id, 2));
    let pids = pids_with_argument(&id);
    assert_eq!(pids.len(), 1);

    let status = runner.terminate();
    assert!(status.success(), "exit status {status:?}; output:\n{}", runner.output_text());
    assert!(pids.iter().all(|pid| !is_alive(*pid)), "llama-server outlived llama-runner");
}
