use std::time::UNIX_EPOCH;

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::error::render_proxy_error;
use crate::api::AppState;
use crate::config::ModelSpec;
use crate::proxy::ProxyError;

/// Lists every configured model, loaded or not, without starting any.
pub(crate) async fn list_models(State(state): State<AppState>) -> Json<Value> {
    let data: Vec<Value> = state.settings.models.values().map(|spec| model_object(&state, spec)).collect();
    Json(json!({"object": "list", "data": data}))
}

/// `GET /v1/models/{id}`: one model, or 404 `model_not_found`. Ids may contain `/`.
pub(crate) async fn get_model(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    match state.settings.model(&id) {
        Some(spec) => Json(model_object(&state, spec)).into_response(),
        None => render_proxy_error(&ProxyError::UnknownModel(id)),
    }
}

fn model_object(state: &AppState, spec: &ModelSpec) -> Value {
    let status = state.pool.status().get(&spec.id);
    json!({
        "id": spec.id,
        "object": "model",
        "owned_by": "llama-runner",
        "created": file_modified_unix(&spec.model_path),
        "name": spec.display_name,
        "state": if status.state.is_empty() { "stopped" } else { status.state },
    })
}

/// Seconds since the Unix epoch at which the model file last changed; 0 when unknown.
fn file_modified_unix(path: &std::path::Path) -> u64 {
    std::fs::metadata(path)
        .and_then(|metadata| metadata.modified())
        .ok()
        .and_then(|modified| modified.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |elapsed| elapsed.as_secs())
}
