//! `GET /props`, `/slots` and `/metrics` of one model's process, chosen by `?model=`.

use std::collections::HashMap;

use axum::extract::{Query, Request, State};
use axum::response::Response;
use bytes::Bytes;
use http::StatusCode;

use crate::api::AppState;
use crate::api::openai::{openai_error, render_proxy_error};
use crate::proxy::{ProxyError, forward};

/// Without `model`, the one loaded model is used; with none or several loaded, 400 names the
/// parameter. Naming a model that is not loaded loads it.
pub(crate) async fn forward_by_query(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
    request: Request,
) -> Response {
    let model = match query.get("model").filter(|model| !model.is_empty()) {
        Some(model) => model.clone(),
        None => match only_loaded_model(&state) {
            Some(model) => model,
            None => {
                return openai_error(
                    StatusCode::BAD_REQUEST,
                    "missing query parameter 'model': name the model whose process should answer (needed unless exactly one model is loaded)",
                    "invalid_request_error",
                    "missing_model",
                );
            }
        },
    };

    match forward_get(&state, &model, request).await {
        Ok(response) => response,
        Err(error) => render_proxy_error(&error),
    }
}

fn only_loaded_model(state: &AppState) -> Option<String> {
    let loaded: Vec<String> = state
        .pool
        .status()
        .all()
        .into_iter()
        .filter(|(_, status)| status.state == "ready")
        .map(|(model, _)| model.to_string())
        .collect();
    match loaded.as_slice() {
        [only] => Some(only.clone()),
        _ => None,
    }
}

async fn forward_get(state: &AppState, model: &str, request: Request) -> Result<Response, ProxyError> {
    let spec = state
        .settings
        .model(model)
        .cloned()
        .ok_or_else(|| ProxyError::UnknownModel(model.to_owned()))?;
    let lease = state.pool.acquire(spec).await?;

    // The model's own server does not know `model`; other parameters pass through.
    let (parts, _) = request.into_parts();
    let path = parts.uri.path();
    let rest: Vec<(String, String)> = url_pairs(parts.uri.query().unwrap_or_default())
        .into_iter()
        .filter(|(key, _)| key != "model")
        .collect();
    let path_and_query = if rest.is_empty() {
        path.to_owned()
    } else {
        let encoded: Vec<String> = rest.iter().map(|(key, value)| format!("{key}={value}")).collect();
        format!("{path}?{}", encoded.join("&"))
    };
    forward(&state.upstream, lease, parts.method, &path_and_query, &parts.headers, Bytes::new()).await
}

/// Splits a raw query string into its pairs, keeping each part percent-encoded as received.
fn url_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((key, value)) => (key.to_owned(), value.to_owned()),
            None => (pair.to_owned(), String::new()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_pairs_keep_their_encoding() {
        let pairs = url_pairs("model=org%2Fm&fail_on_no_slot=1&flag");
        assert_eq!(pairs[0], ("model".into(), "org%2Fm".into()));
        assert_eq!(pairs[1], ("fail_on_no_slot".into(), "1".into()));
        assert_eq!(pairs[2], ("flag".into(), String::new()));
    }
}
