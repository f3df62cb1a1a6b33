//! The steps `/api/chat` and `/api/generate` share once the request is translated: starting the
//! model, `keep_alive`, the call to llama-server, and the streamed or whole reply.

use std::sync::Arc;

use axum::Json;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use tokio::time::{Duration, Instant};

use super::error::OllamaError;
use super::keep_alive::KeepAlive;
use super::ndjson_body::ndjson_response;
use super::options::RequestOptions;
use super::reply::ReplyContext;
use super::stream_converter::{PromptRecord, StreamConverter};
use super::upstream_request::UpstreamRequest;
use crate::api::AppState;
use crate::api::upstream::{Acquired, acquire, post_json, read_body, upstream_error};
use crate::config::ModelSpec;
use crate::proxy::ProxyError;

/// How often an unload request checks whether the process is gone.
const UNLOAD_POLL: Duration = Duration::from_millis(25);

/// A translated request ready to run.
pub(crate) struct Generation {
    pub spec: Arc<ModelSpec>,
    pub options: RequestOptions,
    pub keep_alive: Option<KeepAlive>,
    pub stream: bool,
    pub context: ReplyContext,
    /// The client's request, kept for the prompt log when it is on.
    pub prompt_request: Option<(&'static str, Value)>,
}

impl Generation {
    /// Sends `upstream` to the model and returns the reply in Ollama's form.
    pub(crate) async fn run(mut self, state: &AppState, upstream: UpstreamRequest) -> Result<Response, OllamaError> {
        let acquired = start_model(state, &self.spec, &self.options, self.keep_alive).await?;
        self.context.load = acquired.waited;
        let model = self.spec.id.clone();

        let response = post_json(state, acquired.lease, upstream.format.path(), &upstream.body).await?;
        if !response.status().is_success() {
            let (status, message) = upstream_error(&model, response).await;
            return Err(OllamaError::Upstream { status, message });
        }

        let prompt_record = self.prompt_request.map(|(endpoint, request)| PromptRecord {
            log: state.prompt_log.clone(),
            endpoint,
            request,
        });

        if self.stream {
            let converter = StreamConverter::new(self.context, prompt_record);
            return Ok(ndjson_response(response.into_body(), converter));
        }

        let body = read_body(&model, response.into_body()).await?;
        let reply: Value = serde_json::from_slice(&body).map_err(|error| ProxyError::Upstream {
            model: model.to_string(),
            message: format!("the reply is not JSON: {error}"),
        })?;
        let (object, output) = self.context.whole_reply(&reply);
        if let Some(record) = prompt_record {
            record.log.record(&model, record.endpoint, &record.request, Some(&output.text));
        }
        Ok(Json(object).into_response())
    }

    /// Loads the model for a request without a prompt, or unloads it when `keep_alive` is 0. The
    /// reply is one object, also when the request streams, as in Ollama.
    pub(crate) async fn load_or_unload(self, state: &AppState) -> Result<Response, OllamaError> {
        if self.keep_alive.is_some_and(KeepAlive::is_zero) {
            unload_and_wait(state, &self.spec.id).await;
            return Ok(Json(self.context.lifecycle_object("unload")).into_response());
        }

        let acquired = start_model(state, &self.spec, &self.options, self.keep_alive).await?;
        drop(acquired);
        tracing::info!(model = %self.spec.id, "model loaded on request");
        Ok(Json(self.context.lifecycle_object("load")).into_response())
    }
}

/// Waits for the model with the context size the request sets, then applies `keep_alive`
/// while the lease still keeps the model busy, so a zero TTL takes effect after this request.
pub(crate) async fn start_model(
    state: &AppState,
    spec: &Arc<ModelSpec>,
    options: &RequestOptions,
    keep_alive: Option<KeepAlive>,
) -> Result<Acquired, OllamaError> {
    let launch = options.spec_for(spec);
    let custom_context = (!Arc::ptr_eq(&launch, spec)).then_some(options.context_size).flatten();
    let acquired = acquire(state, launch).await?;

    state.served.set_context_size(&spec.id, custom_context);
    if let Some(keep_alive) = keep_alive {
        let ttl = keep_alive.idle_ttl();
        state.pool.set_idle_ttl(spec.id.clone(), ttl);
        state.served.set_idle_ttl(&spec.id, ttl);
        tracing::debug!(model = %spec.id, ttl_ms = ttl.map(|ttl| ttl.as_millis() as u64), "keep_alive set the idle time to live");
    }
    Ok(acquired)
}

/// Asks the pool to stop the model and waits, up to the stop grace period and a little more,
/// until its process is gone.
async fn unload_and_wait(state: &AppState, model: &Arc<str>) {
    state.pool.unload(model.clone());
    let deadline = Instant::now() + state.settings.stop_grace + Duration::from_secs(2);

    // "failed" also means no process is left.
    while !["stopped", "failed"].contains(&state.pool.status().get(model).state) {
        if Instant::now() >= deadline {
            tracing::warn!(model = %model, "model still running after an unload request; replying anyway");
            return;
        }
        tokio::time::sleep(UNLOAD_POLL).await;
    }
    tracing::info!(model = %model, "model unloaded on request (keep_alive 0)");
}
