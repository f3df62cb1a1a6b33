//! The HTTP client of the management API: JSON requests with the API key, and the raw body of a
//! stream. Its errors tell an instance that is not running apart from one that rejected a request.

use std::time::Duration;

use bytes::Bytes;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_LENGTH};
use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;

use super::target::Target;

/// How long a connection attempt may take before the instance counts as not running.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a listing or health request may take; loads and unloads have no limit because the
/// server bounds them by `healthCheckTimeout` and `stopGraceSeconds`.
pub const QUERY_TIMEOUT: Duration = Duration::from_secs(30);

/// Characters of a non-JSON body quoted in an error.
const QUOTED_BODY_CHARS: usize = 200;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("llama-runner is not running at {url} ({reason}); start it with `llama-runner serve`")]
    NotRunning { url: String, reason: String },
    #[error("{message} (HTTP {status} from {url}){hint}", hint = rejection_hint(*status, message))]
    Rejected { url: String, status: StatusCode, message: String },
    #[error("the request to {url} failed: {reason}")]
    Failed { url: String, reason: String },
    #[error("llama-runner at {url} did not answer within {} s", timeout.as_secs())]
    TimedOut { url: String, timeout: Duration },
    #[error("unexpected response from {url}: {reason}; is this llama-runner's dashboard port (dashboard.port)?")]
    InvalidResponse { url: String, reason: String },
}

/// Returns what to do next after the server rejected a request with `status`.
fn rejection_hint(status: StatusCode, message: &str) -> &'static str {
    match status {
        StatusCode::UNAUTHORIZED => "; pass the key with --api-key or LLAMA_RUNNER_API_KEY, or name the config with --config",
        StatusCode::NOT_FOUND if message.starts_with("model ") => "; `llama-runner models` lists the configured ids",
        StatusCode::NOT_FOUND => "; is this llama-runner's dashboard port (dashboard.port)?",
        _ => "",
    }
}

/// A response with its JSON body.
#[derive(Debug)]
pub struct JsonResponse {
    pub url: String,
    pub status: StatusCode,
    pub body: Value,
}

impl JsonResponse {
    /// Returns the body of a 2xx response, and the server's `error` message otherwise.
    pub fn into_success(self) -> Result<Value, ClientError> {
        if self.status.is_success() {
            return Ok(self.body);
        }
        Err(self.into_rejection())
    }

    /// Returns the server's `error` message as a [`ClientError::Rejected`].
    pub fn into_rejection(self) -> ClientError {
        ClientError::Rejected {
            message: error_message(&self.body, self.status),
            url: self.url,
            status: self.status,
        }
    }
}

/// Returns the `error` field of a management error body, or the status's reason.
pub fn error_message(body: &Value, status: StatusCode) -> String {
    match body.get("error") {
        Some(Value::String(message)) => message.clone(),
        Some(other) => other.to_string(),
        None => status.canonical_reason().unwrap_or("error").to_owned(),
    }
}

pub struct ManagementClient {
    target: Target,
    http: Client<HttpConnector, Full<Bytes>>,
}

impl ManagementClient {
    pub fn new(target: Target) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(CONNECT_TIMEOUT));
        let http = Client::builder(TokioExecutor::new()).build(connector);
        Self { target, http }
    }

    pub fn base_url(&self) -> &str {
        &self.target.base_url
    }

    /// Sends `GET path` and returns the body of a 2xx response.
    pub async fn get(&self, path: &str) -> Result<Value, ClientError> {
        self.send(Method::GET, path, Some(QUERY_TIMEOUT)).await?.into_success()
    }

    /// Sends a request with an empty body and reads the JSON response, whatever its status.
    pub async fn send(&self, method: Method, path: &str, timeout: Option<Duration>) -> Result<JsonResponse, ClientError> {
        let url = self.url(path);
        let exchange = async {
            let response = self.start(method, &url).await?;
            let status = response.status();
            let bytes = response
                .into_body()
                .collect()
                .await
                .map_err(|error| ClientError::Failed {
                    url: url.clone(),
                    reason: format!("reading the response failed: {error}"),
                })?
                .to_bytes();
            Ok(JsonResponse {
                body: parse_body(&url, status, &bytes)?,
                url: url.clone(),
                status,
            })
        };
        match timeout {
            Some(limit) => tokio::time::timeout(limit, exchange)
                .await
                .unwrap_or_else(|_| Err(ClientError::TimedOut { url: url.clone(), timeout: limit })),
            None => exchange.await,
        }
    }

    /// Sends `GET path` and returns the body of a 2xx response unread, for streams.
    pub async fn open_stream(&self, path: &str) -> Result<Incoming, ClientError> {
        let url = self.url(path);
        let response = tokio::time::timeout(QUERY_TIMEOUT, self.start(Method::GET, &url))
            .await
            .unwrap_or_else(|_| Err(ClientError::TimedOut { url: url.clone(), timeout: QUERY_TIMEOUT }))?;
        let status = response.status();
        if status.is_success() {
            return Ok(response.into_body());
        }

        let bytes = response.into_body().collect().await.map(|body| body.to_bytes()).unwrap_or_default();
        let rejected = JsonResponse {
            body: parse_body(&url, status, &bytes)?,
            url,
            status,
        };
        Err(rejected.into_rejection())
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.target.base_url)
    }

    async fn start(&self, method: Method, url: &str) -> Result<http::Response<Incoming>, ClientError> {
        let mut request = Request::builder()
            .method(method)
            .uri(url)
            .header(ACCEPT, "application/json, text/event-stream")
            .header(CONTENT_LENGTH, 0);
        if let Some(key) = &self.target.api_key {
            request = request.header(AUTHORIZATION, format!("Bearer {key}"));
        }
        let request = request.body(Full::new(Bytes::new())).map_err(|error| ClientError::Failed {
            url: url.to_owned(),
            reason: format!("invalid request: {error}"),
        })?;

        self.http.request(request).await.map_err(|error| {
            let reason = describe_error(&error);
            if error.is_connect() {
                ClientError::NotRunning {
                    url: self.target.base_url.clone(),
                    reason,
                }
            } else {
                ClientError::Failed { url: url.to_owned(), reason }
            }
        })
    }
}

/// Parses a JSON body. A 2xx body that is not JSON is an error; an error body that is not JSON
/// becomes `{"error": text}`.
fn parse_body(url: &str, status: StatusCode, bytes: &[u8]) -> Result<Value, ClientError> {
    match serde_json::from_slice(bytes) {
        Ok(body) => Ok(body),
        Err(_) if !status.is_success() => {
            let text: String = String::from_utf8_lossy(bytes).trim().chars().take(QUOTED_BODY_CHARS).collect();
            Ok(serde_json::json!({"error": if text.is_empty() { status.to_string() } else { text }}))
        }
        Err(error) => Err(ClientError::InvalidResponse {
            url: url.to_owned(),
            reason: format!("the body is not JSON ({error})"),
        }),
    }
}

/// Names the cause of a failed request in plain words, from the innermost I/O error.
fn describe_error(error: &(dyn std::error::Error + 'static)) -> String {
    let mut source = Some(error);
    while let Some(current) = source {
        if let Some(io) = current.downcast_ref::<std::io::Error>() {
            return match io.kind() {
                std::io::ErrorKind::ConnectionRefused => "connection refused".to_owned(),
                std::io::ErrorKind::TimedOut => format!("connection timed out after {} s", CONNECT_TIMEOUT.as_secs()),
                _ => io.to_string(),
            };
        }
        source = current.source();
    }
    error.to_string()
}

/// Returns `/api/models/{id}{suffix}` with `id` percent-encoded, so that ids with `/`, `:` or
/// spaces stay one path segment.
pub fn model_path(id: &str, suffix: &str) -> String {
    let mut encoded = String::with_capacity(id.len());
    for byte in id.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("/api/models/{encoded}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_path_encodes_reserved_characters() {
        assert_eq!(model_path("org/model:q4 k", "/load"), "/api/models/org%2Fmodel%3Aq4%20k/load");
        assert_eq!(model_path("gemma-3_1.0~x", ""), "/api/models/gemma-3_1.0~x");
        assert_eq!(model_path("é", ""), "/api/models/%C3%A9");
    }

    #[test]
    fn rejection_shows_server_message_and_hint() {
        let response = JsonResponse {
            url: "http://127.0.0.1:1/api/models/x".to_owned(),
            status: StatusCode::NOT_FOUND,
            body: serde_json::json!({"error": "model 'x' not found"}),
        };
        let message = response.into_success().unwrap_err().to_string();
        assert!(message.starts_with("model 'x' not found (HTTP 404 Not Found"), "{message}");
        assert!(message.contains("llama-runner models"), "{message}");
    }

    #[test]
    fn error_body_that_is_not_json_is_quoted() {
        let body = parse_body("u", StatusCode::BAD_GATEWAY, b"upstream down").unwrap();
        assert_eq!(body["error"], "upstream down");
        assert!(parse_body("u", StatusCode::OK, b"<html>").is_err());
    }

    #[tokio::test]
    async fn closed_port_reads_as_not_running() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);

        let client = ManagementClient::new(Target {
            base_url: format!("http://127.0.0.1:{port}"),
            api_key: None,
        });
        let error = client.get("/api/health").await.unwrap_err().to_string();
        assert_eq!(
            error,
            format!("llama-runner is not running at http://127.0.0.1:{port} (connection refused); start it with `llama-runner serve`")
        );
    }
}
