//! Binding the API ports and running until a shutdown signal.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use tokio::time::Instant;

use crate::api::{AppState, PromptLog, ServedSettings, lmstudio_router, ollama_router};
use crate::breaker::BreakerRegistry;
use crate::management::{ApiKeys, ApiPortKeys, management_router, require_api_port_key};
use crate::config::Settings;
use crate::gguf::{MetadataCache, default_cache_dir};
use crate::pool::{ModelPool, PoolTimings};
use crate::proxy::upstream_client;
use crate::telemetry::{ApiPort, ModelDirectory, Telemetry, UnknownRule, scope_requests, start_sampling};

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {address} for the {api} API: {source}")]
    Bind {
        api: &'static str,
        address: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid alerts config: {0}")]
    Alerts(#[from] UnknownRule),
}

/// The API listeners, bound and ready to serve.
pub struct BoundServer {
    state: AppState,
    listeners: Vec<(&'static str, TcpListener, Router)>,
}

impl BoundServer {
    /// Starts the model pool and binds every enabled API port.
    pub async fn bind(settings: Settings) -> Result<Self, ServeError> {
        let settings = Arc::new(settings);
        let timings = PoolTimings {
            health_check_timeout: settings.health_check_timeout,
            stop_grace: settings.stop_grace,
        };
        let breakers = BreakerRegistry::new(settings.circuit_breaker.clone());
        for spec in settings.models.values() {
            breakers.set_config(&spec.id, spec.breaker.clone(), Instant::now());
        }
        let prompt_log_path = settings.logging.prompt_logging_enabled.then(PromptLog::default_path).flatten();
        if let Some(path) = &prompt_log_path {
            tracing::info!(path = %path.display(), "prompt logging is on");
        }
        let telemetry = Telemetry::new(&settings.metrics, &settings.alerts)?;
        let state = AppState {
            telemetry,
            pool: ModelPool::spawn(settings.concurrent_runners, timings, breakers),
            upstream: upstream_client(),
            settings: settings.clone(),
            metadata: Arc::new(MetadataCache::new(default_cache_dir())),
            prompt_log: PromptLog::new(prompt_log_path),
            served: ServedSettings::default(),
        };

        let mut listeners = Vec::new();
        if settings.proxies.lmstudio.enabled {
            let address = SocketAddr::new(settings.host, settings.proxies.lmstudio_port());
            let listener = bind("OpenAI and LM Studio", address).await?;
            let router = api_port_layers(lmstudio_router(state.clone()), &state, ApiPort::OpenAi);
            listeners.push(("OpenAI and LM Studio", listener, router));
        }
        if settings.proxies.ollama.enabled {
            let address = SocketAddr::new(settings.host, settings.proxies.ollama_port());
            let listener = bind("Ollama", address).await?;
            let router = api_port_layers(ollama_router(state.clone()), &state, ApiPort::Ollama);
            listeners.push(("Ollama", listener, router));
        }

        if settings.dashboard.enabled {
            let address = SocketAddr::new(settings.dashboard.host, settings.dashboard.port);
            let listener = bind("management", address).await?;
            listeners.push(("management", listener, management_router(state.clone())));
        }

        Ok(Self { state, listeners })
    }

    /// Serves until `shutdown` fires, then lets requests in flight finish for up to the stop grace
    /// period and stops every model process.
    pub async fn serve(self, shutdown: CancellationToken) {
        let grace = self.state.settings.stop_grace;
        let mut servers = tokio::task::JoinSet::new();
        let directory = ModelDirectory {
            pool: self.state.pool.clone(),
            settings: self.state.settings.clone(),
            telemetry: self.state.telemetry.clone(),
        };
        start_sampling(directory, shutdown.clone());

        for (api, listener, router) in self.listeners {
            let address = listener.local_addr().ok();
            tracing::info!(api, address = ?address, "listening");
            let shutdown = shutdown.clone();
            servers.spawn(async move {
                let served = axum::serve(listener, router)
                    .with_graceful_shutdown(async move { shutdown.cancelled().await })
                    .await;
                if let Err(error) = served {
                    tracing::error!(api, error = %error, "API server failed");
                }
            });
        }

        shutdown.cancelled().await;
        tracing::info!(grace_seconds = grace.as_secs(), "shutting down: waiting for requests in flight");
        let drained = tokio::time::timeout(grace, async { while servers.join_next().await.is_some() {} }).await;
        if drained.is_err() {
            tracing::warn!("requests still in flight after the stop grace period; closing them");
            servers.abort_all();
        }

        // The pool stops each process with its own grace; this bound only guards against a hang.
        let stop_bound = grace + Duration::from_secs(5);
        if tokio::time::timeout(stop_bound, self.state.pool.shutdown()).await.is_err() {
            tracing::error!("model processes did not stop in time");
        }
        tracing::info!("stopped");
    }
}

/// Wraps an API router: the port's API key check outermost, so that a refused request reaches
/// nothing, then the request scope that lets forwarded requests be recorded.
fn api_port_layers(router: Router, state: &AppState, port: ApiPort) -> Router {
    let proxies = &state.settings.proxies;
    let key = match port {
        ApiPort::OpenAi => proxies.lmstudio.api_key.as_deref(),
        ApiPort::Ollama => proxies.ollama.api_key.as_deref(),
    };

    let router = if state.telemetry.is_enabled() {
        router.layer(axum::middleware::from_fn_with_state((state.telemetry.clone(), port), scope_requests))
    } else {
        router
    };
    let keys = ApiPortKeys {
        keys: ApiKeys::new([key]),
        port,
    };
    router.layer(axum::middleware::from_fn_with_state(keys, require_api_port_key))
}

async fn bind(api: &'static str, address: SocketAddr) -> Result<TcpListener, ServeError> {
    TcpListener::bind(address)
        .await
        .map_err(|source| ServeError::Bind { api, address, source })
}
