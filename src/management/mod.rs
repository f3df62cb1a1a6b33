//! The management port (`dashboard.port`, 8585 by default): health and circuit breakers.

mod breakers;
mod error;

use axum::Router;
use axum::routing::{get, post};

use crate::api::AppState;

pub fn management_router(state: AppState) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/api/breakers", get(breakers::list_breakers))
        .route("/api/breakers/{model}/reset", post(breakers::reset_breaker))
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .with_state(state)
}

/// Liveness only: answers while the process runs.
async fn health() -> &'static str {
    "ok"
}
