//! The OpenAI API: `/v1/chat/completions`, `/v1/completions`, `/v1/embeddings`, `/v1/models`.

mod error;
mod models;
mod passthrough;

pub use error::{openai_error, render_proxy_error, with_retry_after};
pub(crate) use passthrough::forward_request;

use axum::Router;
use axum::routing::{get, post};

use super::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/chat/completions", post(passthrough::forward_by_model))
        .route("/v1/completions", post(passthrough::forward_by_model))
        .route("/v1/embeddings", post(passthrough::forward_by_model))
        .route("/v1/models", get(models::list_models))
        .route("/v1/models/{*id}", get(models::get_model))
}
