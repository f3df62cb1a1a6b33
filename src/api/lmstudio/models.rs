//! `GET /api/v0/models` and `GET /api/v0/models/{id}`: every configured model with its LM Studio
//! description. Neither starts, swaps or stops a model.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde_json::{Value, json};

use crate::api::AppState;
use crate::api::model_facts::ModelFacts;
use crate::api::openai::openai_error;

/// Pool states in which a model process is up and serving.
const LOADED_STATES: [&str; 2] = ["ready", "draining"];

pub(crate) async fn list_models(State(state): State<AppState>) -> Json<Value> {
    let mut data = Vec::new();
    for facts in ModelFacts::load_all(&state).await {
        data.push(model_entry(&state, &facts));
    }
    Json(json!({"object": "list", "data": data}))
}

/// Describes one model. The id may contain `/`, either as is or percent-encoded as `%2F`.
pub(crate) async fn get_model(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let Some(spec) = state.settings.model(&id).cloned() else {
        let message = format!("model '{id}' not found");
        return openai_error(StatusCode::NOT_FOUND, &message, "invalid_request_error", "model_not_found");
    };
    let facts = ModelFacts::load(&state, spec).await;
    Json(model_entry(&state, &facts)).into_response()
}

fn model_entry(state: &AppState, facts: &ModelFacts) -> Value {
    let loaded = LOADED_STATES.contains(&state.pool.status().get(&facts.spec.id).state);
    let kind = if facts.is_embedding() {
        "embeddings"
    } else if facts.accepts_images() {
        "vlm"
    } else {
        "llm"
    };
    let publisher = facts
        .metadata
        .as_ref()
        .and_then(|metadata| metadata.model_info.get("general.organization"))
        .and_then(Value::as_str)
        .filter(|organization| !organization.is_empty())
        .unwrap_or("local");
    let capabilities: Vec<&str> = if facts.supports_tools() { vec!["tool_use"] } else { Vec::new() };

    let mut entry = json!({
        "id": facts.spec.id,
        "object": "model",
        "type": kind,
        "publisher": publisher,
        "arch": facts.architecture(),
        "compatibility_type": "gguf",
        "quantization": facts.quantization(),
        "state": if loaded { "loaded" } else { "not-loaded" },
        "max_context_length": facts.trained_context().or_else(|| facts.configured_context()).unwrap_or(0),
        "capabilities": capabilities,
    });
    if loaded {
        entry["loaded_context_length"] = json!(facts.served_context(state).unwrap_or(0));
    }
    entry
}
