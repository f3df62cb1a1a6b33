//! `GET /api/tags` and `GET /api/ps`: the configured models and the loaded ones. Neither starts,
//! swaps or stops a model.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use super::listing::tag_entry;
use crate::api::AppState;
use crate::api::model_facts::ModelFacts;
use crate::api::timestamp::expiry_rfc3339;

/// Pool states in which a model process is up and serving.
const LOADED_STATES: [&str; 2] = ["ready", "draining"];

pub(crate) async fn tags(State(state): State<AppState>) -> Json<Value> {
    let models: Vec<Value> = ModelFacts::load_all(&state)
        .await
        .iter()
        .map(|facts| Value::Object(tag_entry(facts)))
        .collect();
    Json(json!({"models": models}))
}

pub(crate) async fn ps(State(state): State<AppState>) -> Json<Value> {
    let statuses = state.pool.status().all();
    let mut models = Vec::new();

    for spec in state.settings.models.values() {
        let loaded = statuses.get(&spec.id).is_some_and(|status| LOADED_STATES.contains(&status.state));
        if !loaded {
            continue;
        }

        let facts = ModelFacts::load(&state, spec.clone()).await;
        let ttl = state.served.get(&spec.id).idle_ttl.unwrap_or(spec.ttl);
        let mut entry = tag_entry(&facts);
        entry.remove("modified_at");
        // NOTE: the pool does not publish when the model was last used, so the expiry is counted
        // from now rather than from the end of the last request.
        entry.insert("expires_at".to_owned(), Value::String(expiry_rfc3339(ttl)));
        // The estimated memory of the process, as Ollama reports a loaded model's size.
        if let Some((size, size_vram)) = state.pool.placement().estimated_sizes(spec.clone(), true).await {
            entry.insert("size".to_owned(), json!(size));
            entry.insert("size_vram".to_owned(), json!(size_vram));
        } else {
            entry.insert("size_vram".to_owned(), json!(0));
        }
        entry.insert("context_length".to_owned(), json!(facts.served_context(&state).unwrap_or(0)));
        models.push(Value::Object(entry));
    }
    Json(json!({"models": models}))
}
