//! The HTTP APIs llama-runner speaks, one folder per dialect.

mod fallback;
pub mod openai;
mod state;

pub use state::AppState;

use axum::Router;

/// Routes of the LM Studio port: the OpenAI API under `/v1`.
pub fn lmstudio_router(state: AppState) -> Router {
    with_openai_fallbacks(openai::routes()).with_state(state)
}

/// Routes of the Ollama port. The OpenAI routes are served here too, because some Ollama clients
/// (GitHub Copilot's Ollama provider among them) chat through `/v1/chat/completions`.
pub fn ollama_router(state: AppState) -> Router {
    with_openai_fallbacks(openai::routes()).with_state(state)
}

/// Unknown routes and wrong methods get a JSON error instead of axum's empty body.
fn with_openai_fallbacks(router: Router<AppState>) -> Router<AppState> {
    router
        .fallback(fallback::openai_not_found)
        .method_not_allowed_fallback(fallback::openai_method_not_allowed)
}
