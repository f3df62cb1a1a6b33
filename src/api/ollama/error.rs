use axum::Json;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde_json::json;

use crate::api::openai::with_retry_after;
use crate::proxy::ProxyError;

/// Everything an Ollama route can fail with, rendered as Ollama does: `{"error":"…"}`.
#[derive(Debug, thiserror::Error)]
pub(crate) enum OllamaError {
    #[error(transparent)]
    Proxy(#[from] ProxyError),
    /// The request is well-formed JSON but requests something invalid.
    #[error("{0}")]
    InvalidRequest(String),
    /// llama-server returned an error status before any reply.
    #[error("{message}")]
    Upstream { status: StatusCode, message: String },
}

impl OllamaError {
    pub(crate) fn status(&self) -> StatusCode {
        match self {
            OllamaError::Proxy(error) => error.status(),
            OllamaError::InvalidRequest(_) => StatusCode::BAD_REQUEST,
            OllamaError::Upstream { status, .. } => *status,
        }
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        OllamaError::InvalidRequest(message.into())
    }
}

impl IntoResponse for OllamaError {
    fn into_response(self) -> Response {
        let response = (self.status(), Json(json!({"error": self.to_string()}))).into_response();
        match &self {
            OllamaError::Proxy(error) => with_retry_after(response, error),
            _ => response,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn unknown_model_renders_as_ollama_error() {
        let response = OllamaError::from(ProxyError::UnknownModel("x".to_owned())).into_response();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let body = axum::body::to_bytes(response.into_body(), 1024).await.unwrap();
        assert_eq!(&body[..], br#"{"error":"model 'x' not found"}"#);
    }
}
