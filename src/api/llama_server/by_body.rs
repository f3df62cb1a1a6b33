use axum::extract::{Request, State};
use axum::response::Response;

use crate::api::AppState;
use crate::api::openai::{forward_request, render_proxy_error};

/// Forwards a JSON request to the model its body's `model` names, on the same path; errors in
/// OpenAI's shape.
pub(crate) async fn forward_openai(State(state): State<AppState>, request: Request) -> Response {
    match forward_request(&state, request).await {
        Ok(response) => response,
        Err(error) => render_proxy_error(&error),
    }
}
