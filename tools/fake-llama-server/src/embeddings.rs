//! `POST /v1/embeddings` with a fixed four-dimensional vector per input.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::app::AppState;
use crate::error_body;

const PATH: &str = "/v1/embeddings";

pub async fn embeddings(State(state): State<AppState>, body: Bytes) -> Response {
    let request: Value = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(error) => return error_body::invalid_request(&format!("invalid JSON body: {error}")),
    };
    let model = request.get("model").and_then(Value::as_str);
    state
        .request_log
        .record_request(PATH, model, false, &body);

    let Some(input_count) = request.get("input").and_then(count_inputs) else {
        return error_body::invalid_request("\"input\" must be a string or an array");
    };

    let data: Vec<Value> = (0..input_count)
        .map(|index| json!({ "object": "embedding", "index": index, "embedding": [0.1, 0.2, 0.3, 0.4] }))
        .collect();

    Json(json!({
        "object": "list",
        "data": data,
        "model": model.unwrap_or(&state.model_id),
        "usage": { "prompt_tokens": input_count, "total_tokens": input_count },
    }))
    .into_response()
}

/// Number of embeddings that an OpenAI `input` requests: one for a string or a single token
/// array, one per element for an array of strings or of token arrays.
fn count_inputs(input: &Value) -> Option<usize> {
    match input {
        Value::String(_) => Some(1),
        Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_number) => Some(1),
        Value::Array(items) => Some(items.len()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_count_by_shape() {
        assert_eq!(count_inputs(&json!("hello")), Some(1));
        assert_eq!(count_inputs(&json!(["a", "b", "c"])), Some(3));
        assert_eq!(count_inputs(&json!([1, 2, 3])), Some(1));
        assert_eq!(count_inputs(&json!([[1, 2], [3]])), Some(2));
        assert_eq!(count_inputs(&json!([])), Some(0));
        assert_eq!(count_inputs(&json!(42)), None);
    }
}
