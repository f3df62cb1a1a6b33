//! The memory estimate of the real gemma-3-270m model against the resident memory of the real
//! llama-server serving it, as `GET /api/models` reports both.

mod support;

use serde_json::{Value, json};
use support::processes::pids_with_argument;
use support::runner::{Runner, config_with, model_entry};
use support::{real_assets, unique_id};

/// The largest error allowed between the estimate and the measured resident set, in percent.
const MAX_ERROR_PERCENT: f64 = 15.0;

async fn chat(runner: &Runner, model: &str) {
    let response = reqwest::Client::new()
        .post(runner.openai_url("/v1/chat/completions"))
        .json(&json!({"model": model, "max_tokens": 8, "messages": [{"role": "user", "content": "Name a colour."}]}))
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body = response.text().await.unwrap();
    assert_eq!(status, 200, "{model}: {body}");
}

async fn get_json(url: &str) -> Value {
    reqwest::get(url).await.unwrap().json().await.unwrap()
}

fn model_in<'a>(list: &'a Value, id: &str) -> &'a Value {
    list["models"].as_array().unwrap().iter().find(|model| model["id"] == id).unwrap()
}

/// Two contexts, so that the KV cache and compute buffer parts are exercised at two sizes.
#[tokio::test]
async fn estimate_is_within_15_percent_of_rss() {
    let assets = real_assets();
    let small = unique_id("gemma-memory-1k");
    let large = unique_id("gemma-memory-16k");
    let models = vec![
        model_entry(&small, &assets.llama_server, &assets.model, json!({"ctx_size": 1024, "threads": 2, "parallel": 4})),
        model_entry(&large, &assets.llama_server, &assets.model, json!({"ctx_size": 16384, "threads": 2, "parallel": 1})),
    ];
    let runner = Runner::start(config_with(models, json!({"concurrentRunners": 2})));

    chat(&runner, &small).await;
    chat(&runner, &large).await;
    let list = get_json(&runner.management_url("/api/models")).await;
    assert!(list["memory_budget"].is_null(), "{}", list["memory_budget"]);

    for id in [&small, &large] {
        let pids = pids_with_argument(id);
        assert_eq!(pids.len(), 1, "{id}: {pids:?}");
        let model = model_in(&list, id);
        let memory = &model["memory"];
        assert_eq!(model["pid"], pids[0], "{model}");

        let estimate = memory["estimate"]["total"]["cpu"].as_u64().unwrap_or_else(|| panic!("{memory}"));
        let parts: u64 = ["weights", "kv_cache", "compute", "output", "overhead"]
            .iter()
            .map(|part| memory["estimate"][part]["cpu"].as_u64().unwrap_or(0))
            .sum();
        assert_eq!(parts, estimate, "{memory}");
        assert!(memory["estimate"]["gpu_layers"] == 0, "{memory}");

        let rss = memory["measured"]["rss_bytes"].as_u64().unwrap_or_else(|| panic!("{memory}"));
        let error = memory["measured"]["cpu_error_percent"].as_f64().unwrap();
        let expected_error = (estimate as f64 - rss as f64) / rss as f64 * 100.0;
        assert!((error - expected_error).abs() < 1e-6, "{memory}");
        eprintln!("{id}: estimate {estimate} bytes, VmRSS {rss} bytes, error {error:+.1} %");
        assert!(error.abs() <= MAX_ERROR_PERCENT, "{id}: estimate {estimate}, VmRSS {rss}: error {error:.1} %");
    }

    // Ollama's /api/ps reports the estimate as the loaded size.
    let ps = get_json(&runner.ollama_url("/api/ps")).await;
    for id in [&small, &large] {
        let entry = ps["models"].as_array().unwrap().iter().find(|entry| entry["name"] == id.as_str()).unwrap();
        assert_eq!(entry["size"], model_in(&list, id)["memory"]["estimate"]["total"]["cpu"], "{entry}");
        assert_eq!(entry["size_vram"], 0, "{entry}");
    }
}
