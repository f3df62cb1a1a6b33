//! The Anthropic Messages API (`/v1/messages`), which llama-server serves itself.

use axum::Json;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;

use crate::api::AppState;
use crate::api::openai::{forward_request, with_retry_after};

pub(crate) async fn forward_messages(State(state): State<AppState>, request: Request) -> Response {
    match forward_request(&state, request).await {
        Ok(response) => response,
        Err(error) => with_retry_after(anthropic_error(error.status(), &error.to_string()), &error),
    }
}

/// An error body in Anthropic's shape: `{"type":"error","error":{"type","message"}}`.
pub(crate) fn anthropic_error(status: StatusCode, message: &str) -> Response {
    let body = serde_json::json!({
        "type": "error",
        "error": {"type": anthropic_error_type(status), "message": message},
    });
    (status, Json(body)).into_response()
}

/// Anthropic's error types by status, as its API documents them.
fn anthropic_error_type(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 | 405 | 415 => "invalid_request_error",
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        503 | 529 => "overloaded_error",
        _ => "api_error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proxy::ProxyError;

    #[test]
    fn error_types_follow_the_status() {
        assert_eq!(anthropic_error_type(StatusCode::NOT_FOUND), "not_found_error");
        assert_eq!(anthropic_error_type(StatusCode::BAD_REQUEST), "invalid_request_error");
        assert_eq!(anthropic_error_type(StatusCode::SERVICE_UNAVAILABLE), "overloaded_error");
        assert_eq!(anthropic_error_type(StatusCode::BAD_GATEWAY), "api_error");
    }

    #[test]
    fn proxy_errors_render_in_anthropic_shape() {
        let error = ProxyError::UnknownModel("x".into());
        let response = anthropic_error(error.status(), &error.to_string());
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }
}
