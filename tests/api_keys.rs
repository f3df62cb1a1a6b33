//! API keys on the API ports, the management routes, `/metrics` and the WebSocket upgrade.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::processes::pids_with_argument;
use support::runner::{Runner, config_with, model_entry};
use support::{TempDir, fake_llama_server, unique_id};

const OPENAI_KEY: &str = "sk-openai-test";
const OLLAMA_KEY: &str = "sk-ollama-test";

fn keyed_runner(id: &str, dir: &TempDir) -> Runner {
    let model_file = dir.path().join("model.gguf");
    std::fs::write(&model_file, b"GGUF").unwrap();
    let models = vec![model_entry(id, &fake_llama_server(), &model_file, json!({}))];
    let settings = json!({
        "proxies": {
            "lmstudio": {"api_key": OPENAI_KEY},
            "ollama": {"api_key": OLLAMA_KEY},
        }
    });
    Runner::start(config_with(models, settings))
}

/// How a request presents its key.
#[derive(Debug, Clone, Copy)]
enum Key<'a> {
    None,
    Bearer(&'a str),
    Header(&'a str),
}

async fn send(method: Method, url: &str, key: Key<'_>, body: Option<Value>) -> (StatusCode, Value) {
    let mut request = reqwest::Client::new().request(method, url);
    request = match key {
        Key::None => request,
        Key::Bearer(key) => request.bearer_auth(key),
        Key::Header(key) => request.header("x-api-key", key),
    };
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

#[tokio::test]
async fn missing_or_wrong_key_is_refused_in_the_route_dialect() {
    let dir = TempDir::new("keys-refused");
    let id = unique_id("keys-refused");
    let runner = keyed_runner(&id, &dir);
    let chat = json!({"model": id, "messages": [{"role": "user", "content": "hi"}]});

    for key in [Key::None, Key::Bearer("wrong"), Key::Header(OLLAMA_KEY)] {
        let (status, body) = send(Method::POST, &runner.openai_url("/v1/chat/completions"), key, Some(chat.clone())).await;
        assert_eq!(status, 401, "{key:?}: {body}");
        assert_eq!(body["error"]["code"], "invalid_api_key", "OpenAI error shape: {body}");
        assert!(body["error"]["message"].is_string(), "{body}");
    }

    let (status, body) = send(Method::POST, &runner.ollama_url("/api/chat"), Key::None, Some(chat.clone())).await;
    assert_eq!(status, 401);
    assert!(body["error"].is_string(), "Ollama error shape: {body}");

    let (status, body) = send(Method::POST, &runner.ollama_url("/v1/chat/completions"), Key::Bearer(OPENAI_KEY), Some(chat)).await;
    assert_eq!(status, 401, "each port takes its own key: {body}");
    assert_eq!(body["error"]["code"], "invalid_api_key");

    assert!(pids_with_argument(&id).is_empty(), "a refused request loads no model");
    let text = runner.output_text();
    assert!(!text.contains(OPENAI_KEY), "keys are never logged");
    assert!(!text.contains(OLLAMA_KEY), "keys are never logged");
}

#[tokio::test]
async fn right_key_works_by_either_header() {
    let dir = TempDir::new("keys-accepted");
    let id = unique_id("keys-accepted");
    let runner = keyed_runner(&id, &dir);
    let chat = json!({"model": id, "messages": [{"role": "user", "content": "hi"}]});

    let (status, body) = send(Method::POST, &runner.openai_url("/v1/chat/completions"), Key::Bearer(OPENAI_KEY), Some(chat.clone())).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = send(Method::POST, &runner.openai_url("/v1/chat/completions"), Key::Header(OPENAI_KEY), Some(chat)).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = send(Method::GET, &runner.ollama_url("/api/tags"), Key::Header(OLLAMA_KEY), None).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn preflight_and_liveness_need_no_key() {
    let dir = TempDir::new("keys-preflight");
    let id = unique_id("keys-preflight");
    let runner = keyed_runner(&id, &dir);

    for url in [runner.openai_url("/v1/chat/completions"), runner.ollama_url("/api/tags")] {
        let response = reqwest::Client::new()
            .request(Method::OPTIONS, &url)
            .header("origin", "http://localhost:3000")
            .header("access-control-request-method", "POST")
            .send()
            .await
            .unwrap();
        assert_ne!(response.status(), 401, "{url}");
    }

    let health = reqwest::get(runner.management_url("/health")).await.unwrap();
    assert_eq!(health.status(), 200);
}

#[tokio::test]
async fn management_routes_and_metrics_require_a_key() {
    let dir = TempDir::new("keys-management");
    let id = unique_id("keys-management");
    let runner = keyed_runner(&id, &dir);

    for path in ["/api/models", "/metrics", "/api/requests", "/api/health"] {
        let (status, body) = send(Method::GET, &runner.management_url(path), Key::None, None).await;
        assert_eq!(status, 401, "{path}: {body}");
        assert!(body["error"].is_string(), "{path}: {body}");

        let (status, _) = send(Method::GET, &runner.management_url(path), Key::Bearer("wrong"), None).await;
        assert_eq!(status, 401, "{path}");

        for key in [Key::Bearer(OPENAI_KEY), Key::Header(OLLAMA_KEY)] {
            let (status, body) = send(Method::GET, &runner.management_url(path), key, None).await;
            assert_eq!(status, 200, "{path} {key:?}: {body}");
        }
    }

    let (status, _) = send(Method::POST, &runner.management_url(&format!("/api/models/{id}/load")), Key::None, None).await;
    assert_eq!(status, 401);
    assert!(pids_with_argument(&id).is_empty(), "a refused load starts nothing");
}

#[tokio::test]
async fn websocket_upgrade_requires_a_key() {
    use futures_util::StreamExt;

    let dir = TempDir::new("keys-websocket");
    let id = unique_id("keys-websocket");
    let runner = keyed_runner(&id, &dir);
    let url = format!("ws://127.0.0.1:{}/ws", runner.management_port);

    let refused = tokio_tungstenite::connect_async(url.as_str()).await;
    match refused {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => assert_eq!(response.status(), 401),
        other => panic!("expected a 401 refusal, got {other:?}"),
    }

    let (mut socket, _) = tokio_tungstenite::connect_async(format!("{url}?api_key={OPENAI_KEY}")).await.unwrap();
    let first = socket.next().await.unwrap().unwrap();
    let snapshot: Value = serde_json::from_str(first.to_text().unwrap()).unwrap();
    assert_eq!(snapshot["type"], "snapshot");
    assert_eq!(snapshot["config"]["api_key_required"], true);
}
