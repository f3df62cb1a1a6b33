use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use http::StatusCode;

use super::error::management_error;
use crate::reload::{ReloadOutcome, ReloadTrigger};

/// Reloads the config file now and returns what changed, or why the new file was rejected
/// (422, with the running config kept).
pub(crate) async fn reload(trigger: Option<Extension<ReloadTrigger>>) -> Response {
    let Some(Extension(trigger)) = trigger else {
        return management_error(StatusCode::SERVICE_UNAVAILABLE, "config reload is not available: llama-runner was started without a config file path");
    };
    match trigger.reload_now("POST /api/config/reload").await {
        Some(outcome @ ReloadOutcome::Rejected { .. }) => (StatusCode::UNPROCESSABLE_ENTITY, Json(outcome)).into_response(),
        Some(outcome) => Json(outcome).into_response(),
        None => management_error(StatusCode::SERVICE_UNAVAILABLE, "the config reloader is not running"),
    }
}
