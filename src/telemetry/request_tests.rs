//! Requests forwarded to an in-process stand-in for llama-server, recorded through the
//! request scope: token figures from `timings`, stream labels and cancellation.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::response::Response;
use axum::routing::post;
use bytes::Bytes;
use http::{HeaderMap, Method};
use http_body_util::BodyExt;
use tokio::sync::mpsc;

use super::{AlertsConfig, Dialect, MetricsConfig, RequestRecord, RequestScope, Telemetry};
use crate::config::Timeouts;
use crate::pool::Lease;
use crate::proxy::{forward, upstream_client};

/// llama-server's `timings` as the fake llama-server sends them: 50 prompt tokens in 100 ms,
/// 200 generated tokens in 2000 ms, 20 tokens from the cache.
const TIMINGS: &str = r#"{"cache_n":20,"prompt_n":50,"prompt_ms":100.0,"predicted_n":200,"predicted_ms":2000.0}"#;

async fn full_reply() -> Response {
    json_response(format!(r#"{{"choices":[{{"message":{{"content":"hi"}}}}],"timings":{TIMINGS}}}"#))
}

async fn reply_without_timings() -> Response {
    json_response(r#"{"data":[{"embedding":[0.1,0.2]}]}"#.to_owned())
}

fn json_response(body: String) -> Response {
    Response::builder()
        .header("content-type", "application/json")
        .body(Body::from(body))
        .unwrap()
}

/// Five content events 50 ms apart, then the last event with `timings`, then `[DONE]`.
async fn streamed_reply() -> Response {
    let (sender, receiver) = mpsc::channel::<Result<Bytes, std::io::Error>>(8);
    tokio::spawn(async move {
        for index in 0..5 {
            let event = format!("data: {{\"choices\":[{{\"delta\":{{\"content\":\"tok{index}\"}}}}]}}\n\n");
            if sender.send(Ok(Bytes::from(event))).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let last = format!("data: {{\"choices\":[{{\"delta\":{{}},\"finish_reason\":\"stop\"}}],\"timings\":{TIMINGS}}}\n\ndata: [DONE]\n\n");
        let _ = sender.send(Ok(Bytes::from(last))).await;
    });
    Response::builder()
        .header("content-type", "text/event-stream")
        .body(Body::from_stream(tokio_stream_of(receiver)))
        .unwrap()
}

fn tokio_stream_of(mut receiver: mpsc::Receiver<Result<Bytes, std::io::Error>>) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> {
    futures_util::stream::poll_fn(move |context| receiver.poll_recv(context))
}

/// Starts the stand-in on a free loopback port and returns the port.
async fn start_upstream() -> u16 {
    let app = Router::new()
        .route("/full", post(full_reply))
        .route("/stream", post(streamed_reply))
        .route("/plain", post(reply_without_timings));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await });
    port
}

fn lease(port: u16) -> Lease {
    Lease {
        request: 1,
        model: Arc::from("m1"),
        port,
        timeouts: Timeouts::default(),
        permit: None,
        messages: mpsc::unbounded_channel().0,
        _in_flight: None,
    }
}

fn telemetry() -> Telemetry {
    Telemetry::new(&MetricsConfig::default(), &AlertsConfig::default()).unwrap()
}

/// Forwards one request to `path` inside a request scope and returns the response.
async fn send(telemetry: &Telemetry, port: u16, path: &str) -> Response {
    let scope = RequestScope::new(telemetry.clone(), "/v1/chat/completions", Dialect::Openai);
    let client = upstream_client();
    scope
        .run(forward(&client, lease(port), Method::POST, path, &HeaderMap::new(), Bytes::from_static(b"{}")))
        .await
        .expect("the stand-in answers")
}

fn only_record(telemetry: &Telemetry) -> RequestRecord {
    let records = telemetry.requests();
    assert_eq!(records.len(), 1, "{records:?}");
    records[0].clone()
}

#[tokio::test]
async fn speeds_come_from_timings_of_a_full_reply() {
    let telemetry = telemetry();
    let port = start_upstream().await;

    let response = send(&telemetry, port, "/full").await;
    response.into_body().collect().await.unwrap();

    let record = only_record(&telemetry);
    assert_eq!(record.generation_tokens_per_second, Some(100.0));
    assert_eq!(record.prompt_tokens_per_second, Some(500.0));
    assert_eq!(record.prompt_tokens, Some(50));
    assert_eq!(record.cached_tokens, Some(20));
    assert_eq!(record.generated_tokens, Some(200));
    assert!(!record.streamed);
    assert!(!record.cancelled);
    assert_eq!(record.status, 200);
    assert_eq!(record.dialect, Dialect::Openai);
}

#[tokio::test]
async fn speeds_come_from_the_last_event_of_a_stream() {
    let telemetry = telemetry();
    let port = start_upstream().await;

    let response = send(&telemetry, port, "/stream").await;
    response.into_body().collect().await.unwrap();

    let record = only_record(&telemetry);
    assert!(record.streamed);
    assert_eq!(record.generation_tokens_per_second, Some(100.0));
    assert_eq!(record.prompt_tokens_per_second, Some(500.0));
    let ttfb = record.ttfb_ms.expect("first byte time");
    assert!(ttfb < record.duration_ms, "ttfb {ttfb} ms, duration {} ms", record.duration_ms);
    assert!(record.duration_ms >= 200.0, "the stream takes 250 ms: {}", record.duration_ms);
}

#[tokio::test]
async fn reply_without_timings_has_no_speed() {
    let telemetry = telemetry();
    let port = start_upstream().await;

    let response = send(&telemetry, port, "/plain").await;
    response.into_body().collect().await.unwrap();

    let record = only_record(&telemetry);
    assert_eq!(record.generation_tokens_per_second, None, "never estimated from wall-clock time");
    assert_eq!(record.prompt_tokens_per_second, None);
    assert_eq!(record.generated_tokens, None);
    assert_eq!(telemetry.model_requests("m1").average_generation_tokens_per_second(), None);
}

#[tokio::test]
async fn client_leaving_mid_stream_is_recorded_as_cancelled() {
    let telemetry = telemetry();
    let port = start_upstream().await;

    let response = send(&telemetry, port, "/stream").await;
    let mut body = response.into_body();
    body.frame().await.expect("a first chunk").unwrap();
    drop(body);

    let record = only_record(&telemetry);
    assert!(record.cancelled);
    assert_eq!(record.status, 200, "the upstream had answered");
    assert!(!record.is_error(), "a client leaving is no model error");
    assert_eq!(record.generation_tokens_per_second, None);
}

#[tokio::test]
async fn refused_connection_is_recorded_as_an_error() {
    let telemetry = telemetry();
    let unused_port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };

    let scope = RequestScope::new(telemetry.clone(), "/api/chat", Dialect::Ollama);
    let client = upstream_client();
    let result = scope
        .run(forward(&client, lease(unused_port), Method::POST, "/v1/chat/completions", &HeaderMap::new(), Bytes::new()))
        .await;

    assert!(result.is_err());
    let record = only_record(&telemetry);
    assert_eq!(record.status, 502);
    assert!(record.is_error());
    assert_eq!(&*record.route, "/api/chat", "the client's route, not the upstream path");
    assert_eq!(telemetry.model_requests("m1").errors, 1);
}

#[tokio::test]
async fn requests_outside_a_scope_are_not_recorded() {
    let telemetry = telemetry();
    let port = start_upstream().await;

    let client = upstream_client();
    let response = forward(&client, lease(port), Method::POST, "/full", &HeaderMap::new(), Bytes::from_static(b"{}"))
        .await
        .unwrap();
    response.into_body().collect().await.unwrap();

    assert!(telemetry.requests().is_empty());
}

#[tokio::test]
async fn prometheus_exposition_counts_requests_and_tokens() {
    let telemetry = telemetry();
    let port = start_upstream().await;
    for path in ["/full", "/stream"] {
        send(&telemetry, port, path).await.into_body().collect().await.unwrap();
    }

    let text = telemetry.prometheus().encode();

    assert!(
        text.contains(r#"llama_runner_requests_total{model="m1",route="/v1/chat/completions",status="2xx",stream="true"} 1"#),
        "{text}"
    );
    assert!(text.contains(r#"stream="false"} 1"#), "{text}");
    assert!(text.contains(r#"llama_runner_tokens_total{model="m1",kind="generated"} 400"#), "{text}");
    assert!(text.contains("llama_runner_request_duration_seconds_bucket"), "{text}");
    assert!(text.contains("# TYPE llama_runner_requests_total counter"), "{text}");
}
