//! Router, shared state and the endpoints that do not generate text.

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;
use tokio::time::Instant;

use crate::completion_body::unix_time;
use crate::request_log::RequestLog;
use crate::settings::FakeSettings;
use crate::{completions, echo, embeddings, error_body};

#[derive(Debug, Clone)]
pub struct AppState {
    pub settings: Arc<FakeSettings>,
    /// Id listed by `/v1/models` and echoed when a request names no model.
    pub model_id: Arc<str>,
    pub request_log: RequestLog,
    /// End of the simulated model load.
    pub ready_at: Instant,
}

impl AppState {
    pub fn new(settings: FakeSettings, model_id: String, started_at: Instant) -> Self {
        Self {
            ready_at: started_at + settings.load_time,
            request_log: RequestLog::new(settings.request_log.clone()),
            model_id: model_id.into(),
            settings: Arc::new(settings),
        }
    }

    fn is_loading(&self) -> bool {
        Instant::now() < self.ready_at
    }
}

pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/v1/models", get(models))
        .route("/v1/chat/completions", post(completions::chat_completions))
        .route("/v1/completions", post(completions::text_completions))
        .route("/v1/embeddings", post(embeddings::embeddings))
        // Routes llama-runner forwards unread; the echo shows what arrived.
        .route("/v1/audio/transcriptions", post(echo::echo))
        .route("/v1/rerank", post(echo::echo))
        .route("/v1/reranking", post(echo::echo))
        .route("/rerank", post(echo::echo))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            reject_while_loading,
        ))
        .route("/echo", post(echo::echo))
        // No body size limit, because `/echo` exists to check that large uploads pass through a proxy.
        .layer(DefaultBodyLimit::disable())
        .with_state(state)
}

/// Rejects every route except `/echo` with 503 "Loading model" until the load time passes.
async fn reject_while_loading(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if state.is_loading() {
        return error_body::loading();
    }
    next.run(request).await
}

/// Reached only after loading, because `reject_while_loading` returns 503 before that.
async fn health() -> Response {
    Json(json!({ "status": "ok" })).into_response()
}

async fn models(State(state): State<AppState>) -> Response {
    Json(json!({
        "object": "list",
        "data": [{
            "id": &*state.model_id,
            "object": "model",
            "owned_by": "llamacpp",
            "created": unix_time(),
        }]
    }))
    .into_response()
}

async fn not_found() -> Response {
    error_body::not_found()
}
