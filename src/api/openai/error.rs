use axum::Json;
use axum::response::{IntoResponse, Response};
use http::StatusCode;

use crate::proxy::ProxyError;

/// An error body in OpenAI's shape: `{"error":{"message","type","code"}}`.
pub fn openai_error(status: StatusCode, message: &str, kind: &str, code: &str) -> Response {
    let body = serde_json::json!({
        "error": {"message": message, "type": kind, "code": code}
    });
    (status, Json(body)).into_response()
}

pub fn render_proxy_error(error: &ProxyError) -> Response {
    let kind = match error.status().as_u16() {
        400..=499 => "invalid_request_error",
        _ => "server_error",
    };
    let response = openai_error(error.status(), &error.to_string(), kind, error.code());
    with_retry_after(response, error)
}

/// Adds `Retry-After` when the error says how long to wait, whatever the dialect of the body.
pub fn with_retry_after(mut response: Response, error: &ProxyError) -> Response {
    if let Some(seconds) = error.retry_after_seconds() {
        response.headers_mut().insert(http::header::RETRY_AFTER, http::HeaderValue::from(seconds));
    }
    response
}
