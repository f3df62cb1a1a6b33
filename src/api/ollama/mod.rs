//! The Ollama API: `/api/chat`, `/api/generate`, `/api/embed`, `/api/embeddings`, `/api/tags`,
//! `/api/show`, `/api/ps`, `/api/version` and `/`, translated to llama-server's endpoints.
//!
//! Of a request's `options`, the sampling fields and `num_ctx` apply. The other load-time
//! options (`num_gpu`, `num_thread`, `use_mmap`, …) are ignored, because llama-server takes
//! them as launch flags, and those come from the model's `parameters`.

mod chat;
mod embed;
mod error;
mod generation;
mod keep_alive;
mod listing;
mod messages;
mod metrics;
mod ndjson_body;
mod names;
mod options;
mod reply;
mod request_types;
mod show;
mod stream_converter;
mod tags;
mod tool_calls;
mod upstream_request;
mod version;

use axum::Router;
use axum::routing::{get, post};

use super::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(version::root))
        .route("/api/version", get(version::version))
        .route("/api/tags", get(tags::tags))
        .route("/api/ps", get(tags::ps))
        .route("/api/show", post(show::show))
        .route("/api/chat", post(chat::chat))
        .route("/api/generate", post(chat::generate))
        .route("/api/embed", post(embed::embed))
        .route("/api/embeddings", post(embed::embeddings))
}
