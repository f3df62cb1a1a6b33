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
        404 => "invalid_request_error",
        400..=499 => "invalid_request_error",
        _ => "server_error",
    };
    openai_error(error.status(), &error.to_string(), kind, error.code())
}
