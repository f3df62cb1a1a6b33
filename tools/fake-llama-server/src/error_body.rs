//! Error responses in llama-server's OpenAI-compatible shape:
//! `{"error":{"code":..,"message":..,"type":..}}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

fn error_response(status: StatusCode, message: &str, error_type: &str) -> Response {
    let body = json!({
        "error": { "code": status.as_u16(), "message": message, "type": error_type }
    });
    (status, Json(body)).into_response()
}

pub fn loading() -> Response {
    error_response(
        StatusCode::SERVICE_UNAVAILABLE,
        "Loading model",
        "unavailable_error",
    )
}

pub fn internal_error() -> Response {
    error_response(
        StatusCode::INTERNAL_SERVER_ERROR,
        "fake internal error",
        "server_error",
    )
}

/// Body llama-server sends when the prompt is longer than the context window.
pub fn context_exceeded() -> Response {
    let body: Value = json!({
        "error": {
            "code": 400,
            "message": "the request exceeds the available context size, try increasing it",
            "type": "exceed_context_size_error",
            "n_prompt_tokens": 5000,
            "n_ctx": 4096
        }
    });
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

pub fn invalid_request(message: &str) -> Response {
    error_response(StatusCode::BAD_REQUEST, message, "invalid_request_error")
}

pub fn not_found() -> Response {
    error_response(StatusCode::NOT_FOUND, "File Not Found", "not_found_error")
}
