//! Request figures and the management API against the fake llama-server, whose completions
//! carry `timings` of 50 prompt tokens in 100 ms and 200 generated tokens in 2000 ms.

mod support;

use std::time::Duration;

use serde_json::{Value, json};
use support::processes::{pids_with_argument, wait_until};
use support::runner::{Runner, config_with, model_entry};
use support::{TempDir, fake_llama_server, unique_id};

/// How long the fake takes to load: long enough that a speed taken from wall-clock time would
/// be far below the 100 tokens per second of its `timings`.
const LOAD_MS: u64 = 3_000;

fn fake_runner(id: &str, dir: &TempDir, environment: &[(&str, String)]) -> Runner {
    let model_file = dir.path().join("model.gguf");
    std::fs::write(&model_file, b"GGUF").unwrap();
    let models = vec![model_entry(id, &fake_llama_server(), &model_file, json!({}))];
    Runner::start_with_env(config_with(models, json!({})), environment)
}

async fn post(url: &str, body: Value) -> (u16, String) {
    let response = reqwest::Client::new().post(url).json(&body).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

async fn get_json(url: &str) -> Value {
    let response = reqwest::get(url).await.unwrap();
    assert_eq!(response.status(), 200, "{url}");
    response.json().await.unwrap()
}

fn percent_encoded(id: &str) -> String {
    id.replace('/', "%2F")
}

#[tokio::test]
async fn speeds_come_from_timings_and_load_time_is_recorded_apart() {
    let dir = TempDir::new("metrics-timings");
    let id = unique_id("metrics-timings");
    let runner = fake_runner(&id, &dir, &[("FAKE_LOAD_MS", LOAD_MS.to_string()), ("FAKE_CHUNKS", "3".into())]);

    for stream in [true, true, true, false, false, false] {
        let body = json!({"model": id, "stream": stream, "messages": [{"role": "user", "content": "hi"}]});
        let (status, text) = post(&runner.openai_url("/v1/chat/completions"), body).await;
        assert_eq!(status, 200, "{text}");
    }
    let ollama_chat = json!({"model": id, "stream": false, "messages": [{"role": "user", "content": "hi"}]});
    let (status, text) = post(&runner.ollama_url("/api/chat"), ollama_chat).await;
    assert_eq!(status, 200, "{text}");
    let (status, text) = post(&runner.openai_url("/v1/embeddings"), json!({"model": id, "input": "hi"})).await;
    assert_eq!(status, 200, "{text}");

    let requests = get_json(&runner.management_url("/api/requests")).await["requests"].as_array().cloned().unwrap();
    assert_eq!(requests.len(), 8, "{requests:#?}");

    let chats: Vec<&Value> = requests.iter().filter(|record| record["route"] != "/v1/embeddings").collect();
    for record in &chats {
        assert_eq!(record["generation_tokens_per_second"], 100.0, "{record}");
        assert_eq!(record["prompt_tokens_per_second"], 500.0, "{record}");
        assert_eq!(record["generated_tokens"], 200, "{record}");
        assert_eq!(record["cached_tokens"], 20, "{record}");
    }
    let openai_chats = |streamed: bool| {
        chats
            .iter()
            .filter(|record| record["route"] == "/v1/chat/completions" && record["streamed"] == streamed)
            .count()
    };
    assert_eq!(openai_chats(true), 3);
    assert_eq!(openai_chats(false), 3);

    let ollama = requests.iter().find(|record| record["route"] == "/api/chat").expect("the Ollama chat is recorded");
    assert_eq!(ollama["dialect"], "ollama");

    let embedding = requests.iter().find(|record| record["route"] == "/v1/embeddings").unwrap();
    assert!(embedding.get("generation_tokens_per_second").is_none(), "no timings, no speed: {embedding}");
    assert!(embedding.get("prompt_tokens_per_second").is_none(), "{embedding}");

    let first = &requests[0];
    assert!(first["wait_ms"].as_f64().unwrap() >= LOAD_MS as f64 * 0.9, "the first request waited for the load: {first}");

    let model = get_json(&runner.management_url(&format!("/api/models/{}", percent_encoded(&id)))).await;
    assert!(model["last_load_ms"].as_u64().unwrap() >= LOAD_MS * 9 / 10, "{model}");
    assert_eq!(model["average_generation_tokens_per_second"], 100.0, "{model}");
    assert_eq!(model["last_generation_tokens_per_second"], 100.0, "{model}");
    assert_eq!(model["requests"], 8, "{model}");
    assert_eq!(model["loads"], 1, "{model}");

    let metrics = reqwest::get(runner.management_url("/metrics")).await.unwrap().text().await.unwrap();
    let series = |stream: &str| format!(r#"llama_runner_requests_total{{model="{id}",route="/v1/chat/completions",status="2xx",stream="{stream}"}} 3"#);
    assert!(metrics.contains(&series("true")), "{metrics}");
    assert!(metrics.contains(&series("false")), "{metrics}");
}

#[tokio::test]
async fn load_and_unload_through_the_api_start_and_stop_the_process() {
    let dir = TempDir::new("metrics-load");
    let id = format!("org/{}", unique_id("metrics-load"));
    let runner = fake_runner(&id, &dir, &[]);
    let model_url = |action: &str| runner.management_url(&format!("/api/models/{}/{action}", percent_encoded(&id)));

    assert!(pids_with_argument(&id).is_empty());
    let (status, body) = post(&model_url("load"), json!({})).await;
    assert_eq!(status, 200, "{body}");
    let model: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(model["state"], "ready", "{model}");
    assert_eq!(pids_with_argument(&id).len(), 1);
    assert_eq!(model["pid"], pids_with_argument(&id)[0]);

    let logs = get_json(&format!("{}?tail=5", model_url("logs"))).await;
    assert_eq!(logs["model"], id.as_str());
    assert!(logs["lines"].as_array().unwrap().len() <= 5);

    let (status, body) = post(&model_url("unload"), json!({})).await;
    assert_eq!(status, 200, "{body}");
    let model: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(model["state"], "stopped", "{model}");
    assert!(wait_until(Duration::from_secs(5), || pids_with_argument(&id).is_empty()));

    post(&model_url("load"), json!({})).await;
    let (status, body) = post(&runner.management_url("/api/models/unload"), json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert!(wait_until(Duration::from_secs(5), || pids_with_argument(&id).is_empty()));

    let missing = reqwest::Client::new().post(runner.management_url("/api/models/nobody/load")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn management_routes_answer_with_json() {
    let dir = TempDir::new("metrics-routes");
    let id = unique_id("metrics-routes");
    let runner = fake_runner(&id, &dir, &[]);

    let health = reqwest::get(runner.management_url("/health")).await.unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.unwrap(), "ok");

    let overall = get_json(&runner.management_url("/api/health")).await;
    assert_eq!(overall["status"], "ok", "{overall}");
    let checks = overall["checks"].as_array().unwrap();
    assert!(checks.iter().any(|check| check["name"] == "openai_port" && check["status"] == "ok"), "{overall}");

    let models = get_json(&runner.management_url("/api/models")).await;
    assert_eq!(models["models"][0]["id"], id.as_str());
    assert_eq!(models["models"][0]["state"], "stopped");
    assert_eq!(models["models"][0]["breaker"]["state"], "closed");

    // The first sample comes one interval after start.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let metrics = get_json(&runner.management_url("/api/metrics")).await;
    assert!(metrics["current"]["system"]["memory"]["total"].as_u64().unwrap() > 0, "{metrics}");
    assert!(!metrics["history"]["system"].as_array().unwrap().is_empty());

    let alerts = get_json(&runner.management_url("/api/alerts")).await;
    assert!(alerts["rules"].as_array().unwrap().iter().any(|rule| rule["rule"] == "cpu_percent"), "{alerts}");
    assert!(alerts["active"].is_array());
}
