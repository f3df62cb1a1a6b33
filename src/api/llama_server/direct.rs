//! `ANY /upstream/{model}/{path…}`: a model's own llama-server, its web UI and every endpoint.

use axum::extract::{Path, Request, State};
use axum::response::Response;

use crate::api::AppState;
use crate::api::openai::render_proxy_error;
use crate::proxy::{ProxyError, forward, read_any_body};

pub(crate) async fn forward_root(State(state): State<AppState>, Path(model): Path<String>, request: Request) -> Response {
    respond(forward_direct(&state, &model, "", request).await)
}

pub(crate) async fn forward_path(
    State(state): State<AppState>,
    Path((model, path)): Path<(String, String)>,
    request: Request,
) -> Response {
    respond(forward_direct(&state, &model, &path, request).await)
}

fn respond(result: Result<Response, ProxyError>) -> Response {
    match result {
        Ok(response) => response,
        Err(error) => render_proxy_error(&error),
    }
}

/// Forwards the request, whatever its method and body, to `/{path}` on the model's server,
/// loading the model first when needed. `model` arrives percent-decoded, so `org%2Fm` is `org/m`.
async fn forward_direct(state: &AppState, model: &str, path: &str, request: Request) -> Result<Response, ProxyError> {
    let spec = state
        .settings
        .model(model)
        .cloned()
        .ok_or_else(|| ProxyError::UnknownModel(model.to_owned()))?;

    let (parts, body) = request.into_parts();
    let body = read_any_body(body, state.settings.max_body_bytes).await?;
    let lease = state.pool.acquire(spec).await?;

    let query = parts.uri.query().map(|query| format!("?{query}")).unwrap_or_default();
    let path_and_query = format!("/{path}{query}");
    forward(&state.upstream, lease, parts.method, &path_and_query, &parts.headers, body).await
}
