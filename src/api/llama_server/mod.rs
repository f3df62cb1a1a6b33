//! llama-server's own routes beyond chat, reached through llama-runner with on-demand loading:
//! Anthropic Messages, OpenAI Responses, rerank, infill, tokenize, transcription, the per-process
//! `GET` endpoints, and direct access to a model's server under `/upstream/{model}/…`.

mod anthropic;
mod by_body;
mod by_query;
mod direct;
mod transcription;

use axum::Router;
use axum::routing::{any, get, post};

use super::AppState;

/// Routes that are the same on the OpenAI and the Ollama port; none clashes with Ollama's `/api/*`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/messages", post(anthropic::forward_messages))
        .route("/v1/messages/count_tokens", post(anthropic::forward_messages))
        .route("/v1/responses", post(by_body::forward_openai))
        .route("/v1/rerank", post(by_body::forward_openai))
        .route("/v1/reranking", post(by_body::forward_openai))
        .route("/rerank", post(by_body::forward_openai))
        .route("/infill", post(by_body::forward_openai))
        .route("/completion", post(by_body::forward_openai))
        .route("/tokenize", post(by_body::forward_openai))
        .route("/detokenize", post(by_body::forward_openai))
        .route("/v1/audio/transcriptions", post(transcription::forward_transcription))
        .route("/props", get(by_query::forward_by_query))
        .route("/slots", get(by_query::forward_by_query))
        .route("/metrics", get(by_query::forward_by_query))
        .route("/upstream/{model}", any(direct::forward_root))
        .route("/upstream/{model}/", any(direct::forward_root))
        .route("/upstream/{model}/{*path}", any(direct::forward_path))
}
