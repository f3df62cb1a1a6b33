//! llama-server's own routes through llama-runner: Messages, Responses, tokenize, props,
//! direct upstream access, and routing of rerank and multipart transcription.

mod support;

use serde_json::{Value, json};
use support::runner::{Runner, config_with, model_entry};
use support::{TempDir, fake_llama_server, real_assets, unique_id};

async fn post_json(url: &str, body: Value) -> (u16, Value) {
    let response = reqwest::Client::new().post(url).json(&body).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn real_model_serves_native_routes_through_the_proxy() {
    let assets = real_assets();
    let id = unique_id("org/gemma");
    let models = vec![model_entry(&id, &assets.llama_server, &assets.model, json!({"ctx_size": 1024, "threads": 2}))];
    let runner = Runner::start(config_with(models, json!({})));

    let (status, tokens) = post_json(&runner.openai_url("/tokenize"), json!({"model": id, "content": "Hello world"})).await;
    assert_eq!(status, 200, "{tokens}");
    assert!(!tokens["tokens"].as_array().unwrap().is_empty());
    let (status, text) = post_json(&runner.ollama_url("/detokenize"), json!({"model": id, "tokens": tokens["tokens"]})).await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(text["content"].as_str().unwrap().trim(), "Hello world");

    let encoded = id.replace('/', "%2F");
    let health: Value = reqwest::get(runner.openai_url(&format!("/upstream/{encoded}/health"))).await.unwrap().json().await.unwrap();
    assert_eq!(health["status"], "ok");

    let props = reqwest::get(runner.openai_url(&format!("/props?model={encoded}"))).await.unwrap();
    assert_eq!(props.status(), 200);
    let props: Value = props.json().await.unwrap();
    assert!(props["default_generation_settings"].is_object(), "{props}");

    // With exactly one model loaded, `model` may be left out.
    let slots = reqwest::get(runner.openai_url("/slots")).await.unwrap();
    assert_eq!(slots.status(), 200);

    let (status, count) = post_json(
        &runner.openai_url("/v1/messages/count_tokens"),
        json!({"model": id, "messages": [{"role": "user", "content": "Hi"}]}),
    )
    .await;
    assert_eq!(status, 200, "{count}");
    assert!(count["input_tokens"].as_u64().unwrap() > 0);
}

#[tokio::test]
async fn props_without_model_and_nothing_loaded_names_the_parameter() {
    let dir = TempDir::new("props");
    let file = dir.path().join("m.gguf");
    std::fs::write(&file, b"GGUF").unwrap();
    let models = vec![model_entry(&unique_id("a"), &fake_llama_server(), &file, json!({}))];
    let runner = Runner::start(config_with(models, json!({})));

    let response = reqwest::get(runner.openai_url("/props")).await.unwrap();
    assert_eq!(response.status(), 400);
    let error: Value = response.json().await.unwrap();
    assert!(error["error"]["message"].as_str().unwrap().contains("'model'"), "{error}");
}

#[tokio::test]
async fn unknown_model_on_messages_is_an_anthropic_404() {
    let dir = TempDir::new("anthropic-404");
    let file = dir.path().join("m.gguf");
    std::fs::write(&file, b"GGUF").unwrap();
    let models = vec![model_entry(&unique_id("a"), &fake_llama_server(), &file, json!({}))];
    let runner = Runner::start(config_with(models, json!({})));

    for url in [runner.openai_url("/v1/messages"), runner.ollama_url("/v1/messages")] {
        let (status, error) = post_json(&url, json!({"model": "nope", "max_tokens": 5, "messages": []})).await;
        assert_eq!(status, 404);
        assert_eq!(error["type"], "error");
        assert_eq!(error["error"]["type"], "not_found_error");
        assert!(error["error"]["message"].as_str().unwrap().contains("nope"));
    }
}

#[tokio::test]
async fn transcription_is_routed_by_its_form_field_and_forwarded_unchanged() {
    let dir = TempDir::new("transcribe");
    let file = dir.path().join("m.gguf");
    std::fs::write(&file, b"GGUF").unwrap();
    let whisper = unique_id("whisper");
    let models = vec![
        model_entry(&unique_id("other"), &fake_llama_server(), &file, json!({})),
        model_entry(&whisper, &fake_llama_server(), &file, json!({})),
    ];
    let runner = Runner::start(config_with(models, json!({"concurrentRunners": 2})));

    let audio = vec![7u8; 300_000];
    let mut body = Vec::new();
    body.extend_from_slice(b"--BOUNDARY\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\nContent-Type: audio/wav\r\n\r\n");
    body.extend_from_slice(&audio);
    body.extend_from_slice(format!("\r\n--BOUNDARY\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\n{whisper}\r\n--BOUNDARY--\r\n").as_bytes());

    let response = reqwest::Client::new()
        .post(runner.openai_url("/v1/audio/transcriptions"))
        .header("content-type", "multipart/form-data; boundary=BOUNDARY")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let echo: Value = response.json().await.unwrap();
    assert_eq!(echo["len"], body.len());
    assert_eq!(echo["sha256"], sha256_hex(&body));
    assert_eq!(support::processes::pids_with_argument(&whisper).len(), 1, "the form's model was not the one started");
}

#[tokio::test]
async fn rerank_is_routed_by_body_model() {
    let dir = TempDir::new("rerank");
    let file = dir.path().join("m.gguf");
    std::fs::write(&file, b"GGUF").unwrap();
    let id = unique_id("reranker");
    let runner = Runner::start(config_with(vec![model_entry(&id, &fake_llama_server(), &file, json!({}))], json!({})));

    for path in ["/v1/rerank", "/v1/reranking", "/rerank"] {
        let body = json!({"model": id, "query": "q", "documents": ["a", "b"]});
        let (status, echo) = post_json(&runner.openai_url(path), body.clone()).await;
        assert_eq!(status, 200, "{path}: {echo}");
        assert_eq!(echo["len"], body.to_string().len(), "{path}");
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(bytes).unwrap();
    let output = child.wait_with_output().unwrap();
    String::from_utf8(output.stdout).unwrap().split_whitespace().next().unwrap().to_owned()
}
