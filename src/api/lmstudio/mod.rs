//! LM Studio's REST API v0 beside the OpenAI routes: model listing with load state and context
//! sizes, and completions with generation statistics.

mod completions;
mod models;
mod stats;
mod stream_body;

use axum::Router;
use axum::routing::{get, post};

use super::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v0/models", get(models::list_models))
        .route("/api/v0/models/{*id}", get(models::get_model))
        .route("/api/v0/chat/completions", post(completions::chat_completions))
        .route("/api/v0/completions", post(completions::completions))
        .route("/api/v0/embeddings", post(completions::embeddings))
}
