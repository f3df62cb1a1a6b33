//! The Ollama and LM Studio dialects against the real llama-server and gemma-3-270m.

mod support;

use std::time::Duration;

use serde_json::{Value, json};
use support::processes::{pids_with_argument, wait_until};
use support::runner::{Runner, config_with, model_entry};
use support::{real_assets, unique_id};

/// Starts a chat entry and an embedding entry of the same file, with two runners so that neither
/// swaps the other out.
fn real_runner(chat: &str, embed: &str) -> Runner {
    let assets = real_assets();
    let models = vec![
        model_entry(chat, &assets.llama_server, &assets.model, json!({"ctx_size": 1024, "threads": 2, "parallel": 1})),
        model_entry(
            embed,
            &assets.llama_server,
            &assets.model,
            json!({"ctx_size": 512, "threads": 2, "embeddings": true, "pooling": "mean"}),
        ),
    ];
    Runner::start(config_with(models, json!({"concurrentRunners": 2})))
}

async fn post_json(url: &str, body: Value) -> (u16, Value) {
    let response = reqwest::Client::new().post(url).json(&body).send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or_else(|error| panic!("{error}: {text}")))
}

async fn get_json(url: &str) -> Value {
    reqwest::get(url).await.unwrap().json().await.unwrap()
}

fn entry<'a>(list: &'a Value, field: &str, id: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|model| model[field] == id)
        .unwrap_or_else(|| panic!("{id} not in {list}"))
}

#[tokio::test]
async fn ollama_api_serves_the_real_model() {
    let chat = unique_id("gemma-ollama");
    let embed = unique_id("gemma-embed");
    let runner = real_runner(&chat, &embed);
    let file_size = std::fs::metadata(real_assets().model).unwrap().len();

    let tags = get_json(&runner.ollama_url("/api/tags")).await;
    let listed = entry(&tags["models"], "name", &chat);
    assert_eq!(listed["size"], file_size);
    assert_eq!(listed["details"]["family"], "gemma3");
    assert_eq!(listed["details"]["families"], json!(["gemma3"]));
    assert_eq!(listed["details"]["quantization_level"], "Q4_K_M");
    assert!(!listed["details"]["parameter_size"].as_str().unwrap().is_empty());
    assert!(get_json(&runner.ollama_url("/api/ps")).await["models"].as_array().unwrap().is_empty());

    for request in [json!({"model": chat}), json!({"name": chat})] {
        let (status, show) = post_json(&runner.ollama_url("/api/show"), request.clone()).await;
        assert_eq!(status, 200, "{request}: {show}");
        assert_eq!(show["model_info"]["general.architecture"], "gemma3");
        assert_eq!(show["model_info"]["gemma3.context_length"], 1024);
        assert!(show["model_info"]["general.parameter_count"].as_u64().unwrap() > 200_000_000);
        assert!(show["capabilities"].as_array().unwrap().contains(&json!("completion")), "{show}");
        // This GGUF file carries no chat template; llama-server falls back to its own.
        assert!(show["template"].is_string());
        assert!(show["parameters"].as_str().unwrap().contains("num_ctx"));
    }
    let (_, show) = post_json(&runner.ollama_url("/api/show"), json!({"model": embed})).await;
    assert_eq!(show["capabilities"], json!(["embedding"]));
    assert!(pids_with_argument(&chat).is_empty(), "showing loads nothing");

    let messages = json!([{"role": "user", "content": "Name a colour."}]);
    let options = json!({"num_predict": 8, "temperature": 0});
    let (status, reply) = post_json(&runner.ollama_url("/api/chat"), json!({"model": chat, "messages": messages, "stream": false, "options": options})).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["done"], true);
    assert!(reply["message"]["content"].is_string());
    assert!(reply["eval_count"].as_u64().unwrap() > 0, "{reply}");
    assert!(reply["eval_duration"].as_u64().unwrap() > 0);
    assert!(reply["prompt_eval_count"].as_u64().unwrap() > 0);

    let response = reqwest::Client::new()
        .post(runner.ollama_url("/api/chat"))
        .json(&json!({"model": chat, "messages": messages, "options": options}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-type"], "application/x-ndjson");
    let text = response.text().await.unwrap();
    let lines: Vec<Value> = text.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    let done = lines.last().unwrap();
    assert_eq!(done["done"], true, "{text}");
    assert!(["stop", "length"].contains(&done["done_reason"].as_str().unwrap()));
    assert!(done["eval_count"].as_u64().unwrap() > 0);
    assert!(lines[..lines.len() - 1].iter().all(|line| line["done"] == false));

    let (status, reply) = post_json(&runner.ollama_url("/api/generate"), json!({"model": chat, "prompt": "The sky is", "stream": false, "options": options})).await;
    assert_eq!(status, 200, "{reply}");
    assert!(reply["response"].is_string());
    assert!(reply["eval_count"].as_u64().unwrap() > 0);

    let ps = get_json(&runner.ollama_url("/api/ps")).await;
    assert_eq!(entry(&ps["models"], "name", &chat)["context_length"], 1024);

    let (status, reply) = post_json(&runner.ollama_url("/api/embed"), json!({"model": embed, "input": ["red", "blue"]})).await;
    assert_eq!(status, 200, "{reply}");
    let vectors = reply["embeddings"].as_array().unwrap();
    assert_eq!(vectors.len(), 2);
    assert!(!vectors[0].as_array().unwrap().is_empty());
    assert_eq!(vectors[0].as_array().unwrap().len(), vectors[1].as_array().unwrap().len());

    let (_, unloaded) = post_json(&runner.ollama_url("/api/chat"), json!({"model": chat, "messages": [], "keep_alive": 0})).await;
    assert_eq!(unloaded["done_reason"], "unload");
    assert!(wait_until(Duration::from_secs(10), || pids_with_argument(&chat).is_empty()));
    let (_, loaded) = post_json(&runner.ollama_url("/api/chat"), json!({"model": chat, "messages": []})).await;
    assert_eq!(loaded["done_reason"], "load");
    assert_eq!(pids_with_argument(&chat).len(), 1);
}

#[tokio::test]
async fn lmstudio_api_serves_the_real_model() {
    let chat = unique_id("gemma-lmstudio");
    let embed = unique_id("gemma-lms-embed");
    let runner = real_runner(&chat, &embed);

    let models = get_json(&runner.openai_url("/api/v0/models")).await;
    let listed = entry(&models["data"], "id", &chat);
    assert_eq!(listed["state"], "not-loaded");
    assert_eq!(listed["arch"], "gemma3");
    assert_eq!(listed["quantization"], "Q4_K_M");
    assert_eq!(listed["type"], "llm");
    assert!(listed["max_context_length"].as_u64().unwrap() > 1024, "{listed}");
    assert_eq!(entry(&models["data"], "id", &embed)["type"], "embeddings");

    let request = json!({"model": chat, "max_tokens": 8, "messages": [{"role": "user", "content": "Hi"}]});
    let (status, reply) = post_json(&runner.openai_url("/api/v0/chat/completions"), request).await;
    assert_eq!(status, 200, "{reply}");
    assert!(reply["stats"]["tokens_per_second"].as_f64().unwrap() > 0.0, "{reply}");
    assert!(reply["stats"]["generation_time"].as_f64().unwrap() > 0.0);
    assert_eq!(reply["model_info"]["arch"], "gemma3");
    assert_eq!(reply["model_info"]["context_length"], 1024);

    let (status, model) = post_json(&runner.openai_url("/api/v0/completions"), json!({"model": chat, "prompt": "Hi", "max_tokens": 4})).await;
    assert_eq!(status, 200, "{model}");
    let model = get_json(&runner.openai_url(&format!("/api/v0/models/{chat}"))).await;
    assert_eq!(model["state"], "loaded");
    assert_eq!(model["loaded_context_length"], 1024);
}
