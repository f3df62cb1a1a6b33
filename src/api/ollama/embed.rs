//! `POST /api/embed` and the legacy `POST /api/embeddings`, served by llama-server's
//! `/v1/embeddings` (the model needs the `embeddings` parameter).

use axum::Json;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio::time::Instant;

use super::error::OllamaError;
use super::generation::start_model;
use super::keep_alive::parse_keep_alive;
use super::metrics::nanos;
use super::names::resolve_model;
use super::options::RequestOptions;
use super::request_types::{EmbedRequest, EmbeddingsRequest, decode_request};
use crate::api::AppState;
use crate::api::upstream::{post_json, read_body, upstream_error};
use crate::proxy::{ProxyError, read_json_body};

/// Vectors and counts of one `/v1/embeddings` reply.
struct Embeddings {
    vectors: Vec<Value>,
    prompt_tokens: u64,
}

pub(crate) async fn embed(State(state): State<AppState>, request: Request) -> Response {
    embed_reply(&state, request).await.unwrap_or_else(IntoResponse::into_response)
}

pub(crate) async fn embeddings(State(state): State<AppState>, request: Request) -> Response {
    embeddings_reply(&state, request).await.unwrap_or_else(IntoResponse::into_response)
}

async fn embed_reply(state: &AppState, request: Request) -> Result<Response, OllamaError> {
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    let body = read_json_body(&parts.headers, body, state.settings.max_body_bytes).await?;
    let request: EmbedRequest = decode_request(&body)?;
    let inputs = embed_inputs(request.input.as_ref())?;

    let (embeddings, load) = if inputs.is_empty() {
        resolve_model(&state.settings, &request.model)?;
        let empty = Embeddings { vectors: Vec::new(), prompt_tokens: 0 };
        (empty, std::time::Duration::ZERO)
    } else {
        request_embeddings(state, &request.model, request.keep_alive.as_ref(), request.options.as_ref(), inputs).await?
    };

    Ok(Json(json!({
        "model": request.model,
        "embeddings": embeddings.vectors,
        "total_duration": nanos(started.elapsed()),
        "load_duration": nanos(load),
        "prompt_eval_count": embeddings.prompt_tokens,
    }))
    .into_response())
}

async fn embeddings_reply(state: &AppState, request: Request) -> Result<Response, OllamaError> {
    let (parts, body) = request.into_parts();
    let body = read_json_body(&parts.headers, body, state.settings.max_body_bytes).await?;
    let request: EmbeddingsRequest = decode_request(&body)?;
    let prompt = request.prompt.unwrap_or_default();
    if prompt.is_empty() {
        resolve_model(&state.settings, &request.model)?;
        return Ok(Json(json!({"embedding": []})).into_response());
    }

    let (embeddings, _) = request_embeddings(state, &request.model, request.keep_alive.as_ref(), request.options.as_ref(), vec![prompt]).await?;
    let embedding = embeddings.vectors.into_iter().next().unwrap_or_else(|| json!([]));
    Ok(Json(json!({"embedding": embedding})).into_response())
}

/// `input` as a list of texts: a string is one text, an array of strings is several.
fn embed_inputs(input: Option<&Value>) -> Result<Vec<String>, OllamaError> {
    let invalid = || OllamaError::invalid("invalid input: expected a string or an array of strings");
    match input {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(text)) if text.is_empty() => Ok(Vec::new()),
        Some(Value::String(text)) => Ok(vec![text.clone()]),
        Some(Value::Array(items)) => items.iter().map(|item| item.as_str().map(str::to_owned).ok_or_else(invalid)).collect(),
        Some(_) => Err(invalid()),
    }
}

async fn request_embeddings(
    state: &AppState,
    name: &str,
    keep_alive: Option<&Value>,
    options: Option<&Value>,
    inputs: Vec<String>,
) -> Result<(Embeddings, std::time::Duration), OllamaError> {
    let spec = resolve_model(&state.settings, name)?;
    let keep_alive = parse_keep_alive(keep_alive)?;
    let options = RequestOptions::parse(&spec.id, options)?;

    let acquired = start_model(state, &spec, &options, keep_alive).await?;
    let load = acquired.waited;
    let upstream = json!({"model": spec.id, "input": inputs});
    let response = post_json(state, acquired.lease, "/v1/embeddings", &upstream).await?;
    if !response.status().is_success() {
        let (status, message) = upstream_error(&spec.id, response).await;
        return Err(OllamaError::Upstream { status, message });
    }

    let body = read_body(&spec.id, response.into_body()).await?;
    let reply: Value = serde_json::from_slice(&body).map_err(|error| ProxyError::Upstream {
        model: spec.id.to_string(),
        message: format!("the embeddings reply is not JSON: {error}"),
    })?;
    Ok((embeddings_of(&reply), load))
}

/// Reads the vectors of an OpenAI embeddings reply, in input order.
fn embeddings_of(reply: &Value) -> Embeddings {
    let mut data: Vec<&Value> = reply.get("data").and_then(Value::as_array).map(|data| data.iter().collect()).unwrap_or_default();
    data.sort_by_key(|item| item.get("index").and_then(Value::as_u64).unwrap_or(0));
    Embeddings {
        vectors: data.iter().map(|item| item.get("embedding").cloned().unwrap_or_else(|| json!([]))).collect(),
        prompt_tokens: reply.pointer("/usage/prompt_tokens").and_then(Value::as_u64).unwrap_or(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_is_a_string_or_strings() {
        assert_eq!(embed_inputs(Some(&json!("hi"))).unwrap(), ["hi"]);
        assert_eq!(embed_inputs(Some(&json!(["a", "b"]))).unwrap(), ["a", "b"]);
        assert!(embed_inputs(Some(&json!(""))).unwrap().is_empty());
        assert!(embed_inputs(None).unwrap().is_empty());
        assert!(embed_inputs(Some(&json!([1, 2]))).is_err());
        assert!(embed_inputs(Some(&json!({"text": "a"}))).is_err());
    }

    #[test]
    fn vectors_follow_input_order() {
        let reply = json!({
            "data": [{"index": 1, "embedding": [0.3]}, {"index": 0, "embedding": [0.1]}],
            "usage": {"prompt_tokens": 7, "total_tokens": 7}
        });

        let embeddings = embeddings_of(&reply);

        assert_eq!(embeddings.vectors, [json!([0.1]), json!([0.3])]);
        assert_eq!(embeddings.prompt_tokens, 7);
    }
}
