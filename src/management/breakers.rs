use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde_json::{Value, json};
use tokio::time::Instant;

use super::error::management_error;
use crate::api::AppState;

/// Every configured model's breaker statistics; a model never called shows a fresh breaker.
pub(crate) async fn list_breakers(State(state): State<AppState>) -> Json<Value> {
    let now = Instant::now();
    let breakers = state.pool.breakers();
    let snapshot = breakers.snapshot(now);

    let models: Vec<Value> = state
        .settings
        .models
        .keys()
        .map(|id| {
            let stats = match snapshot.iter().find(|(model, _)| model == id) {
                Some((_, stats)) => stats.clone(),
                None => breakers.with(id, |breaker| breaker.stats(now)),
            };
            json!({"model": id, "breaker": stats})
        })
        .collect();
    Json(json!({"breakers": models}))
}

/// Closes a model's breaker by hand, for example after fixing its config.
pub(crate) async fn reset_breaker(State(state): State<AppState>, Path(model): Path<String>) -> Response {
    if state.settings.model(&model).is_none() {
        return management_error(StatusCode::NOT_FOUND, &format!("model '{model}' not found"));
    }

    let now = Instant::now();
    let breakers = state.pool.breakers();
    breakers.reset(&model, now);
    tracing::info!(model = %model, "circuit breaker reset by request");
    let stats = breakers.with(&model, |breaker| breaker.stats(now));
    Json(json!({"model": model, "breaker": stats})).into_response()
}
