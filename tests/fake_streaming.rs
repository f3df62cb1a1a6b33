//! Forwarding behaviour against the fake llama-server: streaming, hang-ups, bodies, bad input.

mod support;

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::{Value, json};
use support::processes::{pids_with_argument, wait_until};
use support::runner::{Runner, config_with, model_entry};
use support::{TempDir, fake_llama_server, request_log_lines, unique_id};

fn fake_runner(id: &str, dir: &TempDir, environment: &[(&str, String)]) -> Runner {
    let model_file = dir.path().join("model.gguf");
    std::fs::write(&model_file, b"GGUF").unwrap();
    let models = vec![model_entry(id, &fake_llama_server(), &model_file, json!({}))];
    Runner::start_with_env(config_with(models, json!({"maxBodyBytes": 16_000_000})), environment)
}

/// Sends a POST over a plain socket, so that the test controls exactly when the connection closes.
fn raw_post(port: u16, path: &str, body: &Value) -> std::net::TcpStream {
    use std::io::Write;
    let body = body.to_string();
    let mut socket = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        socket,
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    socket
}

#[tokio::test]
async fn streamed_chunks_arrive_as_the_upstream_sends_them() {
    let dir = TempDir::new("unbuffered");
    let id = unique_id("unbuffered");
    let runner = fake_runner(
        &id,
        &dir,
        &[("FAKE_CHUNKS", "10".into()), ("FAKE_CHUNK_DELAY_MS", "300".into())],
    );

    for (url, body) in [
        (runner.openai_url("/v1/chat/completions"), json!({"model": id, "stream": true, "messages": []})),
        (runner.ollama_url("/v1/chat/completions"), json!({"model": id, "stream": true, "messages": []})),
    ] {
        let response = reqwest::Client::new().post(&url).json(&body).send().await.unwrap();
        assert_eq!(response.status(), 200);
        let headers = response.headers().clone();
        assert_eq!(headers["cache-control"], "no-cache");
        assert_eq!(headers["x-accel-buffering"], "no");
        assert!(headers.get("content-length").is_none());
        assert!(headers["content-type"].to_str().unwrap().starts_with("text/event-stream"));

        let mut arrivals = Vec::new();
        let mut text = String::new();
        let mut stream = response.bytes_stream();
        while let Some(chunk) = stream.next().await {
            arrivals.push(Instant::now());
            text.push_str(std::str::from_utf8(&chunk.unwrap()).unwrap());
        }

        assert!(text.trim_end().ends_with("data: [DONE]"), "{text}");
        assert!(text.contains(&format!("\"model\":\"{id}\"")), "{text}");
        // Ten chunks 300 ms apart span about 2.7 s; a buffering proxy delivers them in one burst.
        let spread = *arrivals.last().unwrap() - arrivals[0];
        assert!(arrivals.len() >= 8, "only {} reads", arrivals.len());
        assert!(spread >= Duration::from_millis(2000), "chunks arrived within {spread:?}");
    }
}

#[tokio::test]
async fn client_hang_up_closes_the_upstream_request() {
    let dir = TempDir::new("hangup");
    let id = unique_id("hangup");
    let log = dir.path().join("requests.log");
    let runner = fake_runner(
        &id,
        &dir,
        &[
            ("FAKE_CHUNKS", "50".into()),
            ("FAKE_CHUNK_DELAY_MS", "200".into()),
            ("FAKE_REQUEST_LOG", log.to_string_lossy().into_owned()),
        ],
    );
    let client = reqwest::Client::new();
    let url = runner.openai_url("/v1/chat/completions");

    // Mid-stream: read two chunks, then close the socket.
    let mut socket = raw_post(runner.openai_port, "/v1/chat/completions", &json!({"model": id, "stream": true}));
    let mut received = Vec::new();
    while received.windows(6).filter(|window| window == b"data: ").count() < 2 {
        let mut buffer = [0u8; 4096];
        let read = std::io::Read::read(&mut socket, &mut buffer).unwrap();
        assert!(read > 0, "stream ended early");
        received.extend_from_slice(&buffer[..read]);
    }
    drop(socket);
    let left = Instant::now();
    let disconnected = wait_until(Duration::from_secs(1), || {
        request_log_lines(&log).iter().any(|line| line["event"] == "disconnected")
    });
    assert!(disconnected, "upstream saw no disconnect within 1 s of the client leaving: {:?}", request_log_lines(&log));

    // The next request is not queued behind the abandoned one.
    let started = Instant::now();
    let response = client.post(&url).json(&json!({"model": id})).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(started.elapsed() < Duration::from_secs(3), "next request took {:?}", started.elapsed());
    assert!(left.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn client_hang_up_before_the_first_byte_closes_the_upstream_request() {
    let dir = TempDir::new("hangup-early");
    let id = unique_id("hangup-early");
    let log = dir.path().join("requests.log");
    let runner = fake_runner(
        &id,
        &dir,
        &[
            ("FAKE_FIRST_BYTE_DELAY_MS", "30000".into()),
            ("FAKE_REQUEST_LOG", log.to_string_lossy().into_owned()),
        ],
    );

    for stream in [true, false] {
        let before = request_log_lines(&log).iter().filter(|line| line["event"] == "disconnected").count();
        let requests_before = request_log_lines(&log).iter().filter(|line| line["event"].is_null()).count();
        let socket = raw_post(runner.openai_port, "/v1/chat/completions", &json!({"model": id, "stream": stream}));
        let reached = wait_until(Duration::from_secs(5), || {
            request_log_lines(&log).iter().filter(|line| line["event"].is_null()).count() > requests_before
        });
        assert!(reached, "request never reached the upstream");
        drop(socket);
        let disconnected = wait_until(Duration::from_secs(1), || {
            request_log_lines(&log).iter().filter(|line| line["event"] == "disconnected").count() > before
        });
        assert!(disconnected, "stream={stream}: upstream request not closed: {:?}", request_log_lines(&log));
    }
}

#[tokio::test]
async fn large_body_is_forwarded_byte_identical_and_oversized_body_is_rejected() {
    let dir = TempDir::new("bodies");
    let id = unique_id("bodies");
    let log = dir.path().join("requests.log");
    let runner = fake_runner(&id, &dir, &[("FAKE_REQUEST_LOG", log.to_string_lossy().into_owned())]);
    let client = reqwest::Client::new();
    let url = runner.openai_url("/v1/chat/completions");

    let image = "A".repeat(12_000_000);
    let body = format!(
        r#"{{"model":"{id}","messages":[{{"role":"user","content":[{{"type":"image_url","image_url":{{"url":"data:image/png;base64,{image}"}}}}]}}]}}"#
    );
    let expected_hash = sha256_hex(body.as_bytes());
    let response = client.post(&url).header("content-type", "application/json").body(body.clone()).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let received = request_log_lines(&log);
    assert_eq!(received.last().unwrap()["body_len"], body.len());
    assert_eq!(received.last().unwrap()["body_sha256"], expected_hash);

    // Over maxBodyBytes (16 MB here): 413 naming the limit, and nothing is sent upstream.
    let oversized = format!(r#"{{"model":"{id}","pad":"{}"}}"#, "B".repeat(17_000_000));
    let response = client.post(&url).header("content-type", "application/json").body(oversized).send().await.unwrap();
    assert_eq!(response.status(), 413);
    let error: Value = response.json().await.unwrap();
    assert!(error["error"]["message"].as_str().unwrap().contains("16000000"), "{error}");
    assert_eq!(request_log_lines(&log).len(), received.len());
}

fn sha256_hex(bytes: &[u8]) -> String {
    let output = std::process::Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(bytes)?;
            child.wait_with_output()
        })
        .unwrap();
    String::from_utf8(output.stdout).unwrap().split_whitespace().next().unwrap().to_owned()
}

#[tokio::test]
async fn bad_requests_get_openai_errors_and_start_nothing() {
    let dir = TempDir::new("bad-input");
    let id = unique_id("bad-input");
    let runner = fake_runner(&id, &dir, &[]);
    let client = reqwest::Client::new();
    let url = runner.openai_url("/v1/chat/completions");

    let cases: Vec<(&str, Option<&str>, String, u16, &str)> = vec![
        ("no model", Some("application/json"), r#"{"messages":[]}"#.into(), 400, "missing_model"),
        ("empty model", Some("application/json"), r#"{"model":""}"#.into(), 400, "missing_model"),
        ("numeric model", Some("application/json"), r#"{"model":7}"#.into(), 400, "invalid_model"),
        ("truncated JSON", Some("application/json"), format!(r#"{{"model":"{id}""#), 400, "invalid_json"),
        ("empty body", Some("application/json"), String::new(), 400, "invalid_json"),
        ("array body", None, r#"["x"]"#.into(), 400, "invalid_json"),
        ("text/plain", Some("text/plain"), format!(r#"{{"model":"{id}"}}"#), 400, "invalid_content_type"),
        ("XML", Some("application/xml"), "<model/>".into(), 415, "unsupported_content_type"),
        ("unknown model", Some("application/json"), r#"{"model":"nope"}"#.into(), 404, "model_not_found"),
        ("model with tag", Some("application/json"), format!(r#"{{"model":"{id}:latest"}}"#), 404, "model_not_found"),
    ];

    for (label, content_type, body, status, code) in cases {
        let mut request = client.post(&url).body(body);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status().as_u16(), status, "{label}");
        assert!(response.headers()["content-type"].to_str().unwrap().starts_with("application/json"), "{label}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"]["code"], code, "{label}: {error}");
        assert!(!error["error"]["message"].as_str().unwrap().is_empty(), "{label}");
    }

    for (method, path, status) in [("GET", "/v1/chat/completions", 405), ("POST", "/v2/nothing", 404)] {
        let response = client.request(method.parse().unwrap(), runner.openai_url(path)).send().await.unwrap();
        assert_eq!(response.status().as_u16(), status, "{method} {path}");
        let error: Value = response.json().await.unwrap();
        assert!(error["error"]["message"].is_string(), "{method} {path}");
    }

    assert!(pids_with_argument(&id).is_empty(), "a bad request started a model process");
}

#[tokio::test]
async fn upstream_death_mid_stream_ends_with_an_error_event() {
    let dir = TempDir::new("midstream");
    let id = unique_id("midstream");
    let runner = fake_runner(
        &id,
        &dir,
        &[("FAKE_MODE", "exit_mid_stream".into()), ("FAKE_CHUNK_DELAY_MS", "50".into())],
    );

    let response = reqwest::Client::new()
        .post(runner.openai_url("/v1/chat/completions"))
        .json(&json!({"model": id, "stream": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap_or_default();
    assert!(text.contains("tok0"), "{text}");
    assert!(!text.contains("[DONE]"), "a fabricated end of stream: {text}");
    assert!(text.contains("\"error\""), "no error event: {text}");
}
