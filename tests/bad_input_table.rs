//! Every route on every port responds to bad input with the right status and a JSON error in its
//! dialect, and never starts a model process.

mod support;

use serde_json::{Value, json};
use support::processes::pids_with_argument;
use support::runner::{Runner, config_with, model_entry};
use support::{TempDir, fake_llama_server, unique_id};

/// The error shape a route responds with.
#[derive(Clone, Copy, Debug)]
enum Dialect {
    OpenAi,
    Ollama,
    Anthropic,
    Management,
}

struct Case {
    port: Port,
    method: &'static str,
    path: String,
    content_type: Option<&'static str>,
    body: String,
    status: u16,
    dialect: Dialect,
}

#[derive(Clone, Copy, Debug)]
enum Port {
    OpenAi,
    Ollama,
    Management,
}

fn message_of(dialect: Dialect, body: &Value) -> Option<String> {
    match dialect {
        Dialect::OpenAi => body["error"]["message"].as_str().map(str::to_owned),
        Dialect::Ollama | Dialect::Management => body["error"].as_str().map(str::to_owned),
        Dialect::Anthropic => {
            assert_eq!(body["type"], "error", "{body}");
            body["error"]["message"].as_str().map(str::to_owned)
        }
    }
}

fn cases(model: &str) -> Vec<Case> {
    let mut cases = Vec::new();
    let oversized = format!(r#"{{"model":"{model}","pad":"{}"}}"#, "x".repeat(1_100_000));

    // JSON routes routed by the body's model, with the dialect of their errors on each port.
    let json_routes: Vec<(Port, &str, Dialect)> = vec![
        (Port::OpenAi, "/v1/chat/completions", Dialect::OpenAi),
        (Port::OpenAi, "/v1/completions", Dialect::OpenAi),
        (Port::OpenAi, "/v1/embeddings", Dialect::OpenAi),
        (Port::OpenAi, "/v1/messages", Dialect::Anthropic),
        (Port::OpenAi, "/v1/responses", Dialect::OpenAi),
        (Port::OpenAi, "/tokenize", Dialect::OpenAi),
        (Port::OpenAi, "/api/v0/chat/completions", Dialect::OpenAi),
        (Port::Ollama, "/v1/chat/completions", Dialect::OpenAi),
        (Port::Ollama, "/api/chat", Dialect::Ollama),
        (Port::Ollama, "/api/generate", Dialect::Ollama),
        (Port::Ollama, "/api/embed", Dialect::Ollama),
        (Port::Ollama, "/api/show", Dialect::Ollama),
    ];
    for (port, path, dialect) in json_routes {
        let bodies: Vec<(Option<&'static str>, String, u16)> = vec![
            (Some("application/json"), r#"{"model":"#.to_owned(), 400),
            (Some("application/json"), "[1,2,3]".to_owned(), 400),
            (Some("application/json"), r#"{"messages":[]}"#.to_owned(), 400),
            (Some("application/json"), r#"{"model":""}"#.to_owned(), 400),
            (Some("application/json"), r#"{"model":42}"#.to_owned(), 400),
            (Some("application/json"), r#"{"model":"no-such-model","messages":[],"prompt":"x","input":"x"}"#.to_owned(), 404),
            (Some("application/json"), oversized.clone(), 413),
            (Some("application/xml"), format!(r#"{{"model":"{model}"}}"#), 415),
        ];
        for (content_type, body, status) in bodies {
            cases.push(Case { port, method: "POST", path: path.to_owned(), content_type, body, status, dialect });
        }
    }

    // Wrong methods and unknown routes.
    for (port, method, path, status, dialect) in [
        (Port::OpenAi, "GET", "/v1/chat/completions", 405, Dialect::OpenAi),
        (Port::OpenAi, "DELETE", "/v1/models", 405, Dialect::OpenAi),
        (Port::OpenAi, "POST", "/v2/nothing", 404, Dialect::OpenAi),
        (Port::OpenAi, "GET", "/api/v0/models/no-such-model", 404, Dialect::OpenAi),
        (Port::Ollama, "GET", "/api/chat", 405, Dialect::Ollama),
        (Port::Ollama, "POST", "/api/nothing", 404, Dialect::Ollama),
        (Port::Ollama, "GET", "/v1/nothing", 404, Dialect::OpenAi),
        (Port::Management, "GET", "/api/nothing", 404, Dialect::Management),
        (Port::Management, "POST", "/api/breakers/no-such-model/reset", 404, Dialect::Management),
    ] {
        cases.push(Case { port, method, path: path.to_owned(), content_type: None, body: String::new(), status, dialect });
    }

    // Ollama-specific field errors.
    for body in [
        format!(r#"{{"model":"{model}","prompt":"x","keep_alive":"abc"}}"#),
        format!(r#"{{"model":"{model}","messages":"not a list"}}"#),
        format!(r#"{{"model":"{model}","messages":[{{"role":"assistant","tool_calls":[{{"function":{{"name":"f","arguments":"{{not json"}}}}]}}]}}"#),
    ] {
        let path = if body.contains("prompt") { "/api/generate" } else { "/api/chat" };
        cases.push(Case {
            port: Port::Ollama,
            method: "POST",
            path: path.to_owned(),
            content_type: Some("application/json"),
            body,
            status: 400,
            dialect: Dialect::Ollama,
        });
    }
    cases
}

#[tokio::test]
async fn bad_inputs_get_dialect_errors_and_start_nothing() {
    let dir = TempDir::new("bad-table");
    let file = dir.path().join("m.gguf");
    std::fs::write(&file, b"GGUF").unwrap();
    let model = unique_id("bad-table");
    let runner = Runner::start(config_with(
        vec![model_entry(&model, &fake_llama_server(), &file, json!({}))],
        json!({"maxBodyBytes": 1_000_000}),
    ));
    let client = reqwest::Client::new();

    let cases = cases(&model);
    assert!(cases.len() >= 50, "only {} cases", cases.len());
    for case in cases {
        let url = match case.port {
            Port::OpenAi => runner.openai_url(&case.path),
            Port::Ollama => runner.ollama_url(&case.path),
            Port::Management => runner.management_url(&case.path),
        };
        let label = format!("{:?} {} {} {:?} {:.60}", case.port, case.method, case.path, case.content_type, case.body);
        let mut request = client.request(case.method.parse().unwrap(), &url).body(case.body.clone());
        if let Some(content_type) = case.content_type {
            request = request.header("content-type", content_type);
        }
        let response = request.send().await.unwrap_or_else(|error| panic!("{label}: {error}"));

        assert_eq!(response.status().as_u16(), case.status, "{label}");
        let content_type = response.headers().get("content-type").map(|value| value.to_str().unwrap().to_owned());
        assert!(content_type.as_deref().unwrap_or("").starts_with("application/json"), "{label}: {content_type:?}");
        let body: Value = response.json().await.unwrap_or_else(|error| panic!("{label}: not JSON: {error}"));
        let message = message_of(case.dialect, &body);
        assert!(message.is_some_and(|message| !message.is_empty()), "{label}: {body}");
    }

    assert!(pids_with_argument(&model).is_empty(), "a bad request started the model");
}
