use axum::Json;
use axum::response::{IntoResponse, Response};
use http::{Method, StatusCode, Uri};
use serde_json::json;

use super::openai::openai_error;

pub(crate) async fn openai_not_found(method: Method, uri: Uri) -> Response {
    openai_error(
        StatusCode::NOT_FOUND,
        &format!("unknown route: {method} {}", uri.path()),
        "invalid_request_error",
        "route_not_found",
    )
}

pub(crate) async fn openai_method_not_allowed(method: Method, uri: Uri) -> Response {
    openai_error(
        StatusCode::METHOD_NOT_ALLOWED,
        &format!("method {method} is not allowed on {}", uri.path()),
        "invalid_request_error",
        "method_not_allowed",
    )
}

/// On the Ollama port, errors on `/v1` paths use OpenAI's shape and all others Ollama's.
pub(crate) async fn not_found_on_ollama_port(method: Method, uri: Uri) -> Response {
    if is_openai_path(&uri) {
        return openai_not_found(method, uri).await;
    }
    ollama_error(StatusCode::NOT_FOUND, format!("unknown route: {method} {}", uri.path()))
}

pub(crate) async fn method_not_allowed_on_ollama_port(method: Method, uri: Uri) -> Response {
    if is_openai_path(&uri) {
        return openai_method_not_allowed(method, uri).await;
    }
    ollama_error(StatusCode::METHOD_NOT_ALLOWED, format!("method {method} is not allowed on {}", uri.path()))
}

fn is_openai_path(uri: &Uri) -> bool {
    uri.path().starts_with("/v1/")
}

fn ollama_error(status: StatusCode, message: String) -> Response {
    (status, Json(json!({"error": message}))).into_response()
}
