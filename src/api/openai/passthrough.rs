use axum::extract::{Request, State};
use axum::response::Response;

use super::error::render_proxy_error;
use crate::api::AppState;
use crate::api::tool_removal::without_tool_fields;
use crate::proxy::{ProxyError, forward, read_json_body, requested_model};

/// Forwards a JSON request to the model its body names, starting or swapping that model first.
pub(crate) async fn forward_by_model(State(state): State<AppState>, request: Request) -> Response {
    match forward_request(&state, request).await {
        Ok(response) => response,
        Err(error) => render_proxy_error(&error),
    }
}

pub(crate) async fn forward_request(state: &AppState, request: Request) -> Result<Response, ProxyError> {
    let (parts, body) = request.into_parts();
    let body = read_json_body(&parts.headers, body, state.settings.max_body_bytes).await?;

    let model = requested_model(&body)?;
    let spec = state
        .settings
        .model(&model)
        .cloned()
        .ok_or_else(|| ProxyError::UnknownModel(model.clone()))?;

    let body = if spec.runtime.supports_tools { body } else { without_tool_fields(body) };
    // This request starts the model with its configured flags, whatever an earlier `num_ctx` set.
    state.served.set_context_size(&spec.id, None);
    if state.prompt_log.is_enabled() {
        // NOTE: replies on the OpenAI routes pass through unread, so only the request is logged.
        if let Ok(request) = serde_json::from_slice(&body) {
            state.prompt_log.record(&spec.id, parts.uri.path(), &request, None);
        }
    }

    let lease = state.pool.acquire(spec).await.map_err(|error| {
        tracing::warn!(model = %model, error = %error, "request rejected: model unavailable");
        ProxyError::from(error)
    })?;

    let path_and_query = parts.uri.path_and_query().map_or("/", |value| value.as_str());
    forward(&state.upstream, lease, parts.method, path_and_query, &parts.headers, body).await
}
