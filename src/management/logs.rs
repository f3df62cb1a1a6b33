//! A model's output: `GET /api/models/{id}/logs?tail=N` and the live
//! `GET /api/models/{id}/logs/stream` as server-sent events, one line per event.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream, StreamExt};
use http::StatusCode;
use serde::Deserialize;
use serde_json::json;

use super::error::management_error;
use super::log_follow::LogFollower;
use crate::api::AppState;
use crate::pool::ModelPool;
use crate::supervisor::LogBuffer;

/// Lines returned when `tail` is not given.
const DEFAULT_TAIL: usize = 100;

/// How often a stream looks for new lines.
const POLL_INTERVAL: Duration = Duration::from_millis(250);

#[derive(Debug, Deserialize)]
pub(crate) struct TailQuery {
    /// Lines to return, newest last; at most the 1000 a process keeps.
    tail: Option<usize>,
}

fn tail_of(query: &TailQuery) -> usize {
    query.tail.unwrap_or(DEFAULT_TAIL).min(LogBuffer::DEFAULT_CAPACITY)
}

/// Returns the last lines of the model's latest process, or none for a model never started.
pub(crate) async fn tail(State(state): State<AppState>, Path(id): Path<String>, Query(query): Query<TailQuery>) -> Response {
    let Some(spec) = state.settings.model(&id) else {
        return management_error(StatusCode::NOT_FOUND, &format!("model '{id}' not found"));
    };
    let lines = state
        .pool
        .figures()
        .get(&spec.id)
        .logs
        .map(|logs| logs.tail(tail_of(&query)))
        .unwrap_or_default();
    Json(json!({"model": spec.id, "lines": lines})).into_response()
}

/// Streams the last `tail` lines, then every new line as it is written, until the client leaves.
pub(crate) async fn stream(State(state): State<AppState>, Path(id): Path<String>, Query(query): Query<TailQuery>) -> Response {
    let Some(spec) = state.settings.model(&id) else {
        return management_error(StatusCode::NOT_FOUND, &format!("model '{id}' not found"));
    };
    let (follower, first) = LogFollower::start(&state.pool, spec.id.clone(), tail_of(&query));
    Sse::new(line_events(state.pool.clone(), follower, first))
        .keep_alive(KeepAlive::default())
        .into_response()
}

fn line_events(pool: ModelPool, follower: LogFollower, first: Vec<String>) -> impl Stream<Item = Result<Event, Infallible>> {
    let live = stream::unfold((pool, follower), |(pool, mut follower)| async move {
        loop {
            let lines = follower.read_new(&pool);
            if !lines.is_empty() {
                return Some((lines, (pool, follower)));
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    });
    stream::iter([first])
        .chain(live)
        .flat_map(|lines| stream::iter(lines.into_iter().map(|line| Ok(Event::default().data(line.replace('\r', ""))))))
}

/// Used by the WebSocket too: the model id of a configured model.
pub(crate) fn configured_id(state: &AppState, id: &str) -> Option<Arc<str>> {
    state.settings.model(id).map(|spec| spec.id.clone())
}
