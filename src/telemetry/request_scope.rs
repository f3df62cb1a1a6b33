//! The client request being handled, made known to [`crate::proxy::forward`] and the model pool
//! without passing it through every handler: a tokio task-local set around each API router.

use std::future::Future;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use serde::Serialize;
use tokio::time::Instant;

use super::Telemetry;

tokio::task_local! {
    static REQUEST_SCOPE: RequestScope;
}

/// The API port a request came in on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiPort {
    /// The OpenAI and LM Studio port (1234 by default).
    OpenAi,
    /// The Ollama port (11434 by default).
    Ollama,
}

/// The API a request was written for, found from its port and path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dialect {
    Openai,
    Ollama,
    Lmstudio,
    /// Anthropic's `/v1/messages`, which llama-server serves itself.
    Anthropic,
    /// llama-server's own routes, such as `/completion` and `/upstream/{model}/…`.
    LlamaServer,
}

impl Dialect {
    pub fn of(port: ApiPort, path: &str) -> Self {
        if path.starts_with("/api/v0/") {
            Dialect::Lmstudio
        } else if path.starts_with("/v1/messages") {
            Dialect::Anthropic
        } else if path.starts_with("/v1/") {
            Dialect::Openai
        } else if port == ApiPort::Ollama && path.starts_with("/api/") {
            Dialect::Ollama
        } else {
            Dialect::LlamaServer
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Dialect::Openai => "openai",
            Dialect::Ollama => "ollama",
            Dialect::Lmstudio => "lmstudio",
            Dialect::Anthropic => "anthropic",
            Dialect::LlamaServer => "llama_server",
        }
    }
}

/// The labels and start time of the client request that the current task handles.
#[derive(Clone)]
pub struct RequestScope {
    pub(crate) telemetry: Telemetry,
    /// The path the client requested, such as `/api/chat`.
    pub(crate) path: Arc<str>,
    pub(crate) dialect: Dialect,
    pub(crate) arrived: Instant,
}

impl RequestScope {
    pub fn new(telemetry: Telemetry, path: &str, dialect: Dialect) -> Self {
        Self {
            telemetry,
            path: Arc::from(path),
            dialect,
            arrived: Instant::now(),
        }
    }

    /// Runs `future` with this scope visible to [`current`](Self::current).
    pub async fn run<F: Future>(self, future: F) -> F::Output {
        REQUEST_SCOPE.scope(self, future).await
    }

    /// Returns the scope of the request the current task handles, if it runs inside one.
    pub(crate) fn current() -> Option<RequestScope> {
        REQUEST_SCOPE.try_with(Clone::clone).ok()
    }
}

/// Middleware for an API router: runs each request's handler inside a [`RequestScope`], so
/// that requests reaching a model are recorded.
pub async fn scope_requests(State((telemetry, port)): State<(Telemetry, ApiPort)>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let scope = RequestScope::new(telemetry, path, Dialect::of(port, path));
    scope.run(next.run(request)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dialect_follows_port_and_path() {
        let cases = [
            (ApiPort::OpenAi, "/v1/chat/completions", Dialect::Openai),
            (ApiPort::Ollama, "/v1/chat/completions", Dialect::Openai),
            (ApiPort::Ollama, "/api/chat", Dialect::Ollama),
            (ApiPort::OpenAi, "/api/v0/chat/completions", Dialect::Lmstudio),
            (ApiPort::OpenAi, "/v1/messages", Dialect::Anthropic),
            (ApiPort::OpenAi, "/completion", Dialect::LlamaServer),
            (ApiPort::OpenAi, "/upstream/m1/health", Dialect::LlamaServer),
        ];
        for (port, path, expected) in cases {
            assert_eq!(Dialect::of(port, path), expected, "{port:?} {path}");
        }
    }

    #[tokio::test]
    async fn scope_is_visible_only_inside_run() {
        assert!(RequestScope::current().is_none());
        let scope = RequestScope::new(Telemetry::disabled(), "/api/chat", Dialect::Ollama);

        let seen = scope.run(async { RequestScope::current().map(|scope| scope.path.to_string()) }).await;

        assert_eq!(seen.as_deref(), Some("/api/chat"));
    }
}
