//! The HTTP/1.1 client the bench uses for every request, and small request helpers.

use std::net::Ipv4Addr;
use std::time::Duration;

use anyhow::Context;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use tokio::time::Instant;

use crate::process::ServerProcess;

pub type HttpClient = Client<HttpConnector, Full<Bytes>>;

/// Pause between `/health` probes. Short, so a measured load time is at most 5 ms late.
const HEALTH_POLL_INTERVAL: Duration = Duration::from_millis(5);

/// Builds a keep-alive HTTP/1.1 client that keeps up to `max_idle` idle connections.
pub fn client(max_idle: usize) -> HttpClient {
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(max_idle)
        .build(connector)
}

/// Builds `POST http://127.0.0.1:{port}{path}` with a JSON body.
pub fn post_request(port: u16, path: &str, body: Bytes) -> Request<Full<Bytes>> {
    Request::builder()
        .method(Method::POST)
        .uri(format!("http://{}:{port}{path}", Ipv4Addr::LOCALHOST))
        .header(hyper::header::CONTENT_TYPE, "application/json")
        .body(Full::new(body))
        .expect("a loopback URI and a JSON content type make a valid request")
}

/// Sends a JSON POST and returns the status and the whole response body.
pub async fn post_json(
    client: &HttpClient,
    port: u16,
    path: &str,
    body: &Value,
    limit: Duration,
) -> anyhow::Result<(StatusCode, Bytes)> {
    let request = post_request(port, path, Bytes::from(body.to_string()));
    let exchange = async {
        let response = client.request(request).await?;
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        anyhow::Ok((status, body))
    };
    tokio::time::timeout(limit, exchange)
        .await
        .with_context(|| format!("POST 127.0.0.1:{port}{path} timed out after {limit:?}"))?
        .with_context(|| format!("POST 127.0.0.1:{port}{path} failed"))
}

/// Sends a JSON POST and fails unless the response status is 200.
pub async fn post_json_ok(
    client: &HttpClient,
    port: u16,
    path: &str,
    body: &Value,
    limit: Duration,
) -> anyhow::Result<Bytes> {
    let (status, response) = post_json(client, port, path, body, limit).await?;
    if status != StatusCode::OK {
        anyhow::bail!(
            "POST 127.0.0.1:{port}{path} returned {status}: {}",
            String::from_utf8_lossy(&response)
        );
    }
    Ok(response)
}

/// Sends a GET and returns the status and the whole response body.
pub async fn get(
    client: &HttpClient,
    port: u16,
    path: &str,
    limit: Duration,
) -> anyhow::Result<(StatusCode, Bytes)> {
    let request = Request::builder()
        .uri(format!("http://{}:{port}{path}", Ipv4Addr::LOCALHOST))
        .body(Full::new(Bytes::new()))
        .expect("a loopback URI makes a valid request");
    let exchange = async {
        let response = client.request(request).await?;
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        anyhow::Ok((status, body))
    };
    tokio::time::timeout(limit, exchange)
        .await
        .with_context(|| format!("GET 127.0.0.1:{port}{path} timed out after {limit:?}"))?
        .with_context(|| format!("GET 127.0.0.1:{port}{path} failed"))
}

/// Sends a GET and parses the body as JSON, failing unless the status is 200.
pub async fn get_json(
    client: &HttpClient,
    port: u16,
    path: &str,
    limit: Duration,
) -> anyhow::Result<Value> {
    let (status, body) = get(client, port, path, limit).await?;
    if status != StatusCode::OK {
        anyhow::bail!("GET 127.0.0.1:{port}{path} returned {status}");
    }
    serde_json::from_slice(&body)
        .with_context(|| format!("GET 127.0.0.1:{port}{path}: invalid JSON"))
}

/// Polls `GET /health` until it returns 200 and returns the time that took. Fails when `server`
/// exits or `limit` passes.
pub async fn wait_until_healthy(
    client: &HttpClient,
    server: &mut ServerProcess,
    port: u16,
    limit: Duration,
) -> anyhow::Result<Duration> {
    let started = Instant::now();
    loop {
        let probe = get(client, port, "/health", Duration::from_secs(2)).await;
        if matches!(probe, Ok((StatusCode::OK, _))) {
            return Ok(started.elapsed());
        }
        server.ensure_running()?;
        if started.elapsed() >= limit {
            anyhow::bail!(
                "127.0.0.1:{port}/health did not return 200 within {limit:?}; last log lines:\n{}",
                server.log_tail()
            );
        }
        tokio::time::sleep(HEALTH_POLL_INTERVAL).await;
    }
}
