//! `POST /api/v0/chat/completions`, `/api/v0/completions` and `/api/v0/embeddings`: the OpenAI
//! exchange with LM Studio's `stats`, `model_info` and `runtime` added.

use axum::Json;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use http::Method;
use http::header::CONTENT_TYPE;
use serde_json::Value;

use super::stats::{ReplyExtras, finish_reason_of};
use super::stream_body::with_extras;
use crate::api::AppState;
use crate::api::model_facts::ModelFacts;
use crate::api::openai::render_proxy_error;
use crate::api::tool_removal::without_tool_fields;
use crate::api::upstream::{acquire, read_body};
use crate::proxy::{ProxyError, forward, read_json_body, requested_model};

pub(crate) async fn chat_completions(State(state): State<AppState>, request: Request) -> Response {
    exchange(&state, request, "/v1/chat/completions").await.unwrap_or_else(|error| render_proxy_error(&error))
}

pub(crate) async fn completions(State(state): State<AppState>, request: Request) -> Response {
    exchange(&state, request, "/v1/completions").await.unwrap_or_else(|error| render_proxy_error(&error))
}

pub(crate) async fn embeddings(State(state): State<AppState>, request: Request) -> Response {
    exchange(&state, request, "/v1/embeddings").await.unwrap_or_else(|error| render_proxy_error(&error))
}

async fn exchange(state: &AppState, request: Request, path: &'static str) -> Result<Response, ProxyError> {
    let (parts, body) = request.into_parts();
    let body = read_json_body(&parts.headers, body, state.settings.max_body_bytes).await?;
    let model = requested_model(&body)?;
    let spec = state.settings.model(&model).cloned().ok_or_else(|| ProxyError::UnknownModel(model.clone()))?;
    let body = if spec.runtime.supports_tools { body } else { without_tool_fields(body) };
    let request_json = state.prompt_log.is_enabled().then(|| serde_json::from_slice::<Value>(&body).ok()).flatten();

    let facts = ModelFacts::load(state, spec.clone()).await;
    let acquired = acquire(state, spec.clone()).await?;
    // This request starts the model with its configured flags, whatever an earlier `num_ctx` set.
    state.served.set_context_size(&spec.id, None);
    let extras = ReplyExtras::new(&facts, facts.served_context(state));
    let response = forward(&state.upstream, acquired.lease, Method::POST, path, &parts.headers, body).await?;

    let is_event_stream = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/event-stream"));
    if !response.status().is_success() {
        return Ok(response);
    }
    if is_event_stream {
        if let Some(request) = &request_json {
            state.prompt_log.record(&spec.id, path, request, None);
        }
        // `forward` already set the streaming headers.
        let (parts, body) = response.into_parts();
        return Ok(Response::from_parts(parts, axum::body::Body::new(with_extras(body, extras))));
    }

    let (parts, body) = response.into_parts();
    let bytes = read_body(&spec.id, body).await?;
    let Ok(Value::Object(mut reply)) = serde_json::from_slice::<Value>(&bytes) else {
        return Ok(Response::from_parts(parts, axum::body::Body::from(bytes)));
    };
    let finish_reason = finish_reason_of(&reply);
    extras.add_to(&mut reply, finish_reason.as_deref());
    if let Some(request) = &request_json {
        state.prompt_log.record(&spec.id, path, request, Some(&reply_text(&reply)));
    }
    Ok((parts.status, Json(Value::Object(reply))).into_response())
}

/// Returns the generated text of a whole reply, for the prompt log.
fn reply_text(reply: &serde_json::Map<String, Value>) -> String {
    let choice = reply.get("choices").and_then(Value::as_array).and_then(|choices| choices.first());
    let text = choice.and_then(|choice| choice.pointer("/message/content").or_else(|| choice.get("text")));
    text.and_then(Value::as_str).unwrap_or("").to_owned()
}
