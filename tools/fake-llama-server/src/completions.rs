//! `POST /v1/chat/completions` and `POST /v1/completions`, where the completion faults apply.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::app::AppState;
use crate::completion_body::{Completion, CompletionKind};
use crate::settings::FaultMode;
use crate::{error_body, stream, tool_calls};

pub async fn chat_completions(State(state): State<AppState>, body: Bytes) -> Response {
    complete(state, CompletionKind::Chat, body).await
}

pub async fn text_completions(State(state): State<AppState>, body: Bytes) -> Response {
    complete(state, CompletionKind::Text, body).await
}

async fn complete(state: AppState, kind: CompletionKind, body: Bytes) -> Response {
    let request: Value = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(error) => return error_body::invalid_request(&format!("invalid JSON body: {error}")),
    };
    let model = request.get("model").and_then(Value::as_str);
    let streamed = request
        .get("stream")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    state
        .request_log
        .record_request(kind.path(), model, streamed, &body);

    // Dropped with this future if the client disconnects during the delays below.
    let guard = state.request_log.watch_response(kind.path());

    let settings = &state.settings;
    if !settings.first_byte_delay.is_zero() {
        tokio::time::sleep(settings.first_byte_delay).await;
    }

    match settings.mode {
        FaultMode::HangBeforeFirstByte => std::future::pending::<()>().await,
        FaultMode::Answer500 => {
            guard.finish();
            return error_body::internal_error();
        }
        FaultMode::Answer400 => {
            guard.finish();
            return error_body::context_exceeded();
        }
        _ => {}
    }

    // The reply names the request's model when it has one, not the alias.
    let model = model.map_or_else(|| state.model_id.to_string(), str::to_owned);
    let completion = Completion::new(kind, model);

    if kind == CompletionKind::Chat && settings.tool_calls > 0 {
        guard.finish();
        return tool_calls::reply(&completion, &request, settings.tool_calls, streamed);
    }

    if streamed {
        return stream::event_stream(completion, settings, guard);
    }

    guard.finish();
    Json(completion.full_response(settings.chunk_count)).into_response()
}
