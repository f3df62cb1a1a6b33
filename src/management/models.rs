//! `GET /api/models`, loading and unloading models by hand.

use std::time::Duration;

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde_json::json;

use super::directory;
use super::error::management_error;
use super::model_memory::{memory_budget, model_memory};
use crate::api::AppState;

/// Extra time an unload may take beyond the stop grace period before the response is sent anyway.
const UNLOAD_MARGIN: Duration = Duration::from_secs(5);

/// Lists every configured model with its state, figures and memory, and the memory budget.
pub(crate) async fn list(State(state): State<AppState>) -> Json<serde_json::Value> {
    let mut models = Vec::new();
    for model in directory(&state).all() {
        let memory = model_memory(&state, &model.id, model.pid).await;
        let mut entry = json!(model);
        entry["memory"] = memory;
        models.push(entry);
    }
    Json(json!({"models": models, "memory_budget": memory_budget(&state)}))
}

pub(crate) async fn get_one(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    match directory(&state).get(&id) {
        Some(model) => {
            let memory = model_memory(&state, &model.id, model.pid).await;
            let mut entry = json!(model);
            entry["memory"] = memory;
            Json(entry).into_response()
        }
        None => unknown_model(&id),
    }
}

/// Starts the model and waits until it is ready (200 with the model) or failed (503 with the
/// reason and the model). A model already running returns at once.
pub(crate) async fn load(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let Some(spec) = state.settings.model(&id).cloned() else {
        return unknown_model(&id);
    };

    tracing::info!(model = %spec.id, "model load requested");
    let result = state.pool.acquire(spec.clone()).await;
    let model = directory(&state).get(&spec.id);
    match result {
        Ok(lease) => {
            drop(lease);
            Json(model).into_response()
        }
        Err(error) => {
            let body = json!({"error": error.to_string(), "model": model});
            (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
        }
    }
}

/// Stops the model once its requests in flight have finished, and waits until it has stopped.
pub(crate) async fn unload(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let Some(spec) = state.settings.model(&id).cloned() else {
        return unknown_model(&id);
    };

    tracing::info!(model = %spec.id, "model unload requested");
    state.pool.unload(spec.id.clone());
    wait_until_stopped(&state, std::slice::from_ref(&spec.id)).await;
    Json(directory(&state).get(&spec.id)).into_response()
}

/// Unloads every model that has a process.
pub(crate) async fn unload_all(State(state): State<AppState>) -> Json<serde_json::Value> {
    let running: Vec<_> = state
        .pool
        .status()
        .all()
        .into_iter()
        .filter(|(_, status)| has_process(status.state))
        .map(|(model, _)| model)
        .collect();

    tracing::info!(models = running.len(), "unload of every model requested");
    for model in &running {
        state.pool.unload(model.clone());
    }
    wait_until_stopped(&state, &running).await;
    Json(json!({"unloaded": running, "models": directory(&state).all()}))
}

fn has_process(state: &str) -> bool {
    matches!(state, "starting" | "ready" | "draining" | "stopping")
}

/// Waits until none of `models` has a process, for at most the stop grace period and a margin.
/// Requests still in flight may hold a model past that, and the response then shows it `draining`.
async fn wait_until_stopped(state: &AppState, models: &[std::sync::Arc<str>]) {
    let mut changes = state.pool.status().subscribe();
    let deadline = tokio::time::Instant::now() + state.settings.stop_grace + UNLOAD_MARGIN;
    loop {
        let all_stopped = models.iter().all(|model| !has_process(state.pool.status().get(model).state));
        if all_stopped {
            return;
        }
        // Any change, a lag included, is a reason to look again.
        if tokio::time::timeout_at(deadline, changes.recv()).await.is_err() {
            return;
        }
    }
}

fn unknown_model(id: &str) -> Response {
    management_error(StatusCode::NOT_FOUND, &format!("model '{id}' not found"))
}
