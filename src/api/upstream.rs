//! Sending a translated request to a model's llama-server, for the dialects that rewrite bodies.

use std::sync::Arc;

use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use http::header::{CONTENT_TYPE, HeaderValue};
use http::{HeaderMap, Method, StatusCode};
use serde_json::Value;
use tokio::time::{Duration, Instant};

use super::AppState;
use crate::config::ModelSpec;
use crate::pool::Lease;
use crate::proxy::{ProxyError, forward};

/// Largest upstream body read whole: a non-streamed reply or an error.
pub(crate) const MAX_UPSTREAM_BODY_BYTES: usize = 256 * 1024 * 1024;

/// A lease on a ready model and how long getting it took.
pub(crate) struct Acquired {
    pub lease: Lease,
    /// Time spent starting or swapping the model, and queueing behind other requests.
    pub waited: Duration,
}

/// Waits for `spec`'s model to be ready, starting or swapping it as needed.
pub(crate) async fn acquire(state: &AppState, spec: Arc<ModelSpec>) -> Result<Acquired, ProxyError> {
    let started = Instant::now();
    let model = spec.id.clone();
    let lease = state.pool.acquire(spec).await.map_err(|error| {
        tracing::warn!(model = %model, error = %error, "request rejected: model unavailable");
        ProxyError::from(error)
    })?;
    Ok(Acquired {
        lease,
        waited: started.elapsed(),
    })
}

/// POSTs a JSON body to `path` on the leased model. The response's body streams and keeps the
/// lease until it ends; an upstream error status is returned as a response, not as `Err`.
pub(crate) async fn post_json(state: &AppState, lease: Lease, path: &str, body: &Value) -> Result<Response, ProxyError> {
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let body = Bytes::from(serde_json::to_vec(body).unwrap_or_default());
    forward(&state.upstream, lease, Method::POST, path, &headers, body).await
}

/// Reads a whole upstream body, such as a non-streamed reply.
pub(crate) async fn read_body(model: &str, body: Body) -> Result<Bytes, ProxyError> {
    axum::body::to_bytes(body, MAX_UPSTREAM_BODY_BYTES)
        .await
        .map_err(|error| ProxyError::Upstream {
            model: model.to_owned(),
            message: error.to_string(),
        })
}

/// Reads the status and message of an upstream error response. llama-server sends
/// `{"error":{"code","message","type"}}`. A plain `{"error":"…"}` or text is taken as it is.
pub(crate) async fn upstream_error(model: &str, response: Response) -> (StatusCode, String) {
    let status = response.status();
    let body = match read_body(model, response.into_body()).await {
        Ok(body) => body,
        Err(error) => return (status, error.to_string()),
    };

    let message = match serde_json::from_slice::<Value>(&body) {
        Ok(json) => error_message(&json).unwrap_or_else(|| json.to_string()),
        Err(_) => String::from_utf8_lossy(&body).trim().to_owned(),
    };
    let message = if message.is_empty() {
        format!("model '{model}' answered {status}")
    } else {
        message
    };
    tracing::debug!(model, status = status.as_u16(), message = %message, "upstream error");
    (status, message)
}

/// Returns the `message` of an OpenAI-style error object, or a plain `error` string.
pub(crate) fn error_message(json: &Value) -> Option<String> {
    let error = json.get("error")?;
    match error {
        Value::String(text) => Some(text.clone()),
        Value::Object(fields) => fields.get("message").and_then(Value::as_str).map(str::to_owned),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn error_message_reads_both_shapes() {
        let nested = json!({"error": {"code": 400, "message": "context exceeded", "type": "exceed_context_size_error"}});
        assert_eq!(error_message(&nested).as_deref(), Some("context exceeded"));
        assert_eq!(error_message(&json!({"error": "plain"})).as_deref(), Some("plain"));
        assert_eq!(error_message(&json!({"ok": true})), None);
    }

    #[tokio::test]
    async fn upstream_error_keeps_status_and_message() {
        let response = Response::builder()
            .status(StatusCode::BAD_REQUEST)
            .body(Body::from(r#"{"error":{"code":400,"message":"too long","type":"exceed_context_size_error"}}"#))
            .unwrap();

        let (status, message) = upstream_error("m1", response).await;

        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(message, "too long");
    }
}
