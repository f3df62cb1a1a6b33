//! Read-only figures: `GET /metrics`, `GET /api/metrics`, `GET /api/requests` and
//! `GET /api/alerts`.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use http::header::{CONTENT_TYPE, HeaderValue};
use serde::Deserialize;
use serde_json::{Value, json};

use super::directory;
use crate::api::AppState;
use crate::telemetry::prometheus::PROMETHEUS_TEXT_CONTENT_TYPE;

/// Returns the Prometheus text exposition.
pub(crate) async fn prometheus(State(state): State<AppState>) -> Response {
    let text = directory(&state).prometheus_text();
    let mut response = text.into_response();
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(PROMETHEUS_TEXT_CONTENT_TYPE));
    response
}

/// Returns the latest system and model samples, and the kept history.
pub(crate) async fn samples(State(state): State<AppState>) -> Json<Value> {
    let history = state.telemetry.history();
    let models: BTreeMap<_, _> = history
        .models
        .iter()
        .filter_map(|(model, series)| series.last().map(|sample| (model.clone(), sample.clone())))
        .collect();
    Json(json!({
        "current": {"system": history.system.last(), "models": models},
        "history": history,
    }))
}

#[derive(Debug, Deserialize)]
pub(crate) struct RequestsQuery {
    /// Only requests to this model.
    model: Option<String>,
    /// At most this many, the newest.
    limit: Option<usize>,
}

/// Returns the latest requests, oldest first.
pub(crate) async fn requests(State(state): State<AppState>, Query(query): Query<RequestsQuery>) -> Json<Value> {
    let mut requests = state.telemetry.requests();
    if let Some(model) = &query.model {
        requests.retain(|record| &*record.model == model.as_str());
    }
    if let Some(limit) = query.limit {
        let skip = requests.len().saturating_sub(limit);
        requests.drain(..skip);
    }
    Json(json!({"requests": requests}))
}

pub(crate) async fn alerts(State(state): State<AppState>) -> Json<Value> {
    Json(json!(state.telemetry.alerts()))
}
