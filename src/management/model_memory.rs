//! The `memory` object of each model in `GET /api/models`: the estimate and its parts and, for
//! a running model, the measured use and the estimate's error.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::api::AppState;
use crate::placement::MemoryMeasurement;

/// Estimates the model (reading its GGUF header on first use) and measures its process when
/// `pid` is given. A running model shows the estimate of the launch it was last requested with.
pub(crate) async fn model_memory(state: &AppState, id: &Arc<str>, pid: Option<u32>) -> Value {
    let Some(spec) = state.settings.model(id).cloned() else {
        return Value::Null;
    };
    let placement = state.pool.placement().clone();

    let gathered = tokio::task::spawn_blocking(move || {
        let estimate = match pid.and_then(|_| placement.latest(&spec.id)) {
            Some(latest) => Ok(latest),
            None => placement.estimate(&spec),
        };
        let measured = pid.map(|pid| MemoryMeasurement::of(pid, estimate.as_deref().ok()));
        (estimate, measured)
    })
    .await;

    let (estimate, measured) = match gathered {
        Ok(gathered) => gathered,
        Err(error) => {
            tracing::error!(model = %id, error = %error, "the memory figures task failed");
            return Value::Null;
        }
    };
    let mut memory = json!({"measured": measured});
    match estimate {
        Ok(estimate) => memory["estimate"] = json!(estimate.as_ref()),
        Err(error) => {
            tracing::debug!(model = %id, error = %error, "no memory estimate for the model list");
            memory["estimate"] = Value::Null;
            memory["estimate_error"] = Value::String(error.to_string());
        }
    }
    memory
}

/// Returns the budget the pool places models within, or `null` without one.
pub(crate) fn memory_budget(state: &AppState) -> Value {
    json!(state.pool.placement().budget())
}
