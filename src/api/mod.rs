//! The HTTP APIs llama-runner speaks, one folder per dialect.

mod fallback;
mod launch_flags;
mod llama_server;
pub mod lmstudio;
mod model_facts;
pub mod ollama;
pub mod openai;
mod prompt_log;
mod served_settings;
pub mod sse;
mod state;
#[cfg(test)]
mod test_support;
mod timestamp;
mod tool_removal;
mod upstream;

pub use prompt_log::PromptLog;
pub use served_settings::{ServedSetting, ServedSettings};
pub use state::AppState;

use axum::Router;

/// Routes of the LM Studio port: the OpenAI API under `/v1` and LM Studio's REST API under
/// `/api/v0`.
pub fn lmstudio_router(state: AppState) -> Router {
    openai::routes()
        .merge(lmstudio::routes())
        .merge(llama_server::routes())
        .fallback(fallback::openai_not_found)
        .method_not_allowed_fallback(fallback::openai_method_not_allowed)
        .with_state(state)
}

/// Routes of the Ollama port: Ollama's API, and the OpenAI routes too, because some Ollama
/// clients (GitHub Copilot's Ollama provider among them) chat through `/v1/chat/completions`.
pub fn ollama_router(state: AppState) -> Router {
    openai::routes()
        .merge(ollama::routes())
        .merge(llama_server::routes())
        .fallback(fallback::not_found_on_ollama_port)
        .method_not_allowed_fallback(fallback::method_not_allowed_on_ollama_port)
        .with_state(state)
}
