//! The management port (`dashboard.port`, 8585 by default): health, models, logs, metrics,
//! alerts, circuit breakers and the live WebSocket.

pub mod api_key;
mod breakers;
mod config_reload;
mod error;
mod figures;
mod health;
mod log_follow;
mod logs;
mod model_memory;
mod models;
mod websocket;

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};

pub use api_key::{ApiKeys, ApiPortKeys, require_api_port_key};

use crate::api::AppState;
use crate::telemetry::ModelDirectory;

/// Routes of the management port. Every route but `/health` requires an API key when one is
/// configured.
pub fn management_router(state: AppState) -> Router {
    let keys = websocket::management_keys(&state);
    let protected = Router::new()
        .route("/metrics", get(figures::prometheus))
        .route("/api/health", get(health::overall))
        .route("/api/models", get(models::list))
        .route("/api/models/unload", post(models::unload_all))
        .route("/api/models/{id}", get(models::get_one))
        .route("/api/models/{id}/load", post(models::load))
        .route("/api/models/{id}/unload", post(models::unload))
        .route("/api/models/{id}/logs", get(logs::tail))
        .route("/api/models/{id}/logs/stream", get(logs::stream))
        .route("/api/requests", get(figures::requests))
        .route("/api/metrics", get(figures::samples))
        .route("/api/alerts", get(figures::alerts))
        .route("/api/breakers", get(breakers::list_breakers))
        .route("/api/breakers/{model}/reset", post(breakers::reset_breaker))
        .route("/api/config/reload", post(config_reload::reload))
        .route("/ws", get(websocket::upgrade))
        .route_layer(from_fn_with_state(keys, api_key::require_management_key));

    Router::new()
        .route("/health", get(health::liveness))
        .merge(protected)
        .merge(crate::dashboard::routes())
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .with_state(state)
}

fn directory(state: &AppState) -> ModelDirectory {
    ModelDirectory {
        pool: state.pool.clone(),
        settings: state.settings.clone(),
        telemetry: state.telemetry.clone(),
    }
}
