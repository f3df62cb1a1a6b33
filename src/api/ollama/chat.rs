//! `POST /api/chat` and `POST /api/generate`.

use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::Value;
use tokio::time::{Duration, Instant};

use super::error::OllamaError;
use super::generation::Generation;
use super::keep_alive::parse_keep_alive;
use super::names::resolve_model;
use super::options::RequestOptions;
use super::reply::{ReplyContext, ReplyShape};
use super::request_types::{ChatRequest, GenerateRequest, decode_request};
use super::upstream_request::{UpstreamFormat, chat_request, generate_request};
use crate::api::AppState;
use crate::api::model_facts::ModelFacts;
use crate::proxy::read_json_body;

pub(crate) async fn chat(State(state): State<AppState>, request: Request) -> Response {
    chat_reply(&state, request).await.unwrap_or_else(IntoResponse::into_response)
}

pub(crate) async fn generate(State(state): State<AppState>, request: Request) -> Response {
    generate_reply(&state, request).await.unwrap_or_else(IntoResponse::into_response)
}

async fn chat_reply(state: &AppState, request: Request) -> Result<Response, OllamaError> {
    let started = Instant::now();
    let body = read_body(state, request).await?;
    let request: ChatRequest = decode_request(&body)?;

    let generation = prepare(state, "/api/chat", &body, Prepared {
        model: &request.model,
        stream: request.stream,
        keep_alive: request.keep_alive.as_ref(),
        options: request.options.as_ref(),
        shape: ReplyShape::Chat,
        started,
    })?;
    if request.messages.as_deref().unwrap_or_default().is_empty() {
        return generation.load_or_unload(state).await;
    }

    let facts = ModelFacts::from_flags(generation.spec.clone());
    let upstream = chat_request(&request, &facts, &generation.options, generation.stream)?;
    generation.run(state, upstream).await
}

async fn generate_reply(state: &AppState, request: Request) -> Result<Response, OllamaError> {
    let started = Instant::now();
    let body = read_body(state, request).await?;
    let request: GenerateRequest = decode_request(&body)?;

    let mut generation = prepare(state, "/api/generate", &body, Prepared {
        model: &request.model,
        stream: request.stream,
        keep_alive: request.keep_alive.as_ref(),
        options: request.options.as_ref(),
        shape: ReplyShape::Generate,
        started,
    })?;
    let is_empty = |text: &Option<String>| text.as_deref().unwrap_or_default().is_empty();
    let no_images = request.images.as_deref().unwrap_or_default().is_empty();
    if is_empty(&request.prompt) && is_empty(&request.suffix) && is_empty(&request.system) && no_images {
        return generation.load_or_unload(state).await;
    }

    // Only fill-in-the-middle needs the GGUF header; everything else is decided by the flags.
    let facts = if is_empty(&request.suffix) {
        ModelFacts::from_flags(generation.spec.clone())
    } else {
        ModelFacts::load(state, generation.spec.clone()).await
    };
    let upstream = generate_request(&request, &facts, &generation.options, generation.stream)?;
    generation.context.upstream = upstream.format;
    generation.run(state, upstream).await
}

async fn read_body(state: &AppState, request: Request) -> Result<Bytes, OllamaError> {
    let (parts, body) = request.into_parts();
    Ok(read_json_body(&parts.headers, body, state.settings.max_body_bytes).await?)
}

/// The fields chat and generate requests share.
struct Prepared<'a> {
    model: &'a str,
    stream: Option<bool>,
    keep_alive: Option<&'a Value>,
    options: Option<&'a Value>,
    shape: ReplyShape,
    started: Instant,
}

fn prepare(state: &AppState, endpoint: &'static str, body: &[u8], prepared: Prepared<'_>) -> Result<Generation, OllamaError> {
    let spec = resolve_model(&state.settings, prepared.model)?;
    let keep_alive = parse_keep_alive(prepared.keep_alive)?;
    let options = RequestOptions::parse(&spec.id, prepared.options)?;

    let prompt_request = state
        .prompt_log
        .is_enabled()
        .then(|| serde_json::from_slice::<Value>(body).ok().map(|request| (endpoint, request)))
        .flatten();

    let context = ReplyContext {
        model_name: prepared.model.to_owned(),
        model_id: spec.id.clone(),
        shape: prepared.shape,
        upstream: UpstreamFormat::Chat,
        started: prepared.started,
        load: Duration::ZERO,
    };
    Ok(Generation {
        spec,
        options,
        keep_alive,
        stream: prepared.stream.unwrap_or(true),
        context,
        prompt_request,
    })
}
