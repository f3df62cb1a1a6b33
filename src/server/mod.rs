//! Binding the API ports and running until a shutdown signal.

mod live_routers;
mod reloading;

use std::path::PathBuf;

use live_routers::{LiveRouters, MANAGEMENT_API, OLLAMA_API, OPENAI_API};
use reloading::{Hangups, start_reloading};

use crate::reload::ListenerSet;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use tokio::time::Instant;

use crate::api::{AppState, PromptLog, ServedSettings};
use crate::breaker::BreakerRegistry;
use crate::management::{ApiKeys, ApiPortKeys, require_api_port_key};
use crate::config::Settings;
use crate::gguf::{MetadataCache, default_cache_dir};
use crate::placement::MemoryPlacement;
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
    listeners: Vec<(&'static str, TcpListener)>,
    routers: LiveRouters,
    config_path: Option<PathBuf>,
    /// SIGHUP, registered before any port is bound: a signal that arrives before the reloader
    /// runs must not hit the default action, which ends the process.
    hangups: Option<Hangups>,
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
        // Reads the machine's memory and GPUs once: the budget does not follow later changes.
        let placement = Arc::new(MemoryPlacement::from_config(settings.memory_budget.as_ref()));
        let state = AppState {
            telemetry,
            pool: ModelPool::spawn_with_placement(settings.concurrent_runners, timings, breakers, placement),
            upstream: upstream_client(),
            settings: settings.clone(),
            metadata: Arc::new(MetadataCache::new(default_cache_dir())),
            prompt_log: PromptLog::new(prompt_log_path),
            served: ServedSettings::default(),
        };

        let hangups = Hangups::register();
        let mut listeners = Vec::new();
        for (api, address) in listener_addresses(&settings) {
            if let Some(address) = address {
                listeners.push((api, bind(api, address).await?));
            }
        }
        let routers = LiveRouters::new(&state);

        Ok(Self {
            state,
            listeners,
            routers,
            config_path: None,
            hangups,
        })
    }

    /// Reloads the config from `path` when the file changes, on SIGHUP and on
    /// `POST /api/config/reload`.
    pub fn reload_from(mut self, path: PathBuf) -> Self {
        self.config_path = Some(path);
        self
    }

    /// Serves until `shutdown` fires, then lets requests in flight finish for up to the stop grace
    /// period and stops every model process.
    pub async fn serve(self, shutdown: CancellationToken) {
        let grace = self.state.settings.stop_grace;
        let directory = ModelDirectory {
            pool: self.state.pool.clone(),
            settings: self.state.settings.clone(),
            telemetry: self.state.telemetry.clone(),
        };
        let live_settings = Arc::new(arc_swap::ArcSwap::new(self.state.settings.clone()));
        start_sampling(directory, live_settings.clone(), shutdown.clone());

        let mut servers = ListenerSet::new(shutdown.clone());
        for (api, listener) in self.listeners {
            servers.serve(api, listener, self.routers.for_api(api).clone());
        }
        let servers = Arc::new(tokio::sync::Mutex::new(servers));
        let _watcher = match &self.config_path {
            Some(path) => start_reloading(
                path.clone(),
                &self.state,
                &self.routers,
                servers.clone(),
                live_settings,
                self.hangups,
                &shutdown,
            ),
            None => None,
        };

        shutdown.cancelled().await;
        tracing::info!(grace_seconds = grace.as_secs(), "shutting down: waiting for requests in flight");
        let mut servers = servers.lock().await;
        let drained = tokio::time::timeout(grace, servers.drain()).await;
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

/// The address of each listener, or `None` where it is switched off.
pub(crate) fn listener_addresses(settings: &Settings) -> [(&'static str, Option<SocketAddr>); 3] {
    let proxies = &settings.proxies;
    [
        (
            OPENAI_API,
            proxies.lmstudio.enabled.then(|| SocketAddr::new(settings.host, proxies.lmstudio_port())),
        ),
        (OLLAMA_API, proxies.ollama.enabled.then(|| SocketAddr::new(settings.host, proxies.ollama_port()))),
        (
            MANAGEMENT_API,
            settings.dashboard.enabled.then(|| SocketAddr::new(settings.dashboard.host, settings.dashboard.port)),
        ),
    ]
}

/// Wraps an API router: the port's API key check outermost, so that a refused request reaches
/// nothing, then the request scope that lets forwarded requests be recorded.
pub(crate) fn api_port_layers(router: Router, state: &AppState, port: ApiPort) -> Router {
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
