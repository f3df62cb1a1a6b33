use std::time::UNIX_EPOCH;

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::api::AppState;

/// Lists every configured model, loaded or not, without starting any.
pub(crate) async fn list_models(State(state): State<AppState>) -> Json<Value> {
    let statuses = state.pool.status().all();
    let data: Vec<Value> = state
        .settings
        .models
        .values()
        .map(|spec| {
            let status = statuses.get(&spec.id).cloned().unwrap_or_default();
            json!({
                "id": spec.id,
                "object": "model",
                "owned_by": "llama-runner",
                "created": file_modified_unix(&spec.model_path),
                "name": spec.display_name,
                "state": if status.state.is_empty() { "stopped" } else { status.state },
            })
        })
        .collect();

    Json(json!({"object": "list", "data": data}))
}

/// Seconds since the Unix epoch at which the model file last changed; 0 when unknown.
fn file_modified_unix(path: &std::path::Path) -> u64 {
    std::fs::metadata(path)
        .and_then(|metadata| metadata.modified())
        .ok()
        .and_then(|modified| modified.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |elapsed| elapsed.as_secs())
}
