use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::Mutex;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::listener_addresses;
use super::live_routers::LiveRouters;
use crate::api::AppState;
use crate::config::Settings;
use crate::reload::{ApplySettings, ListenerSet, ReloadPlan, ReloadTrigger, spawn_reloader, watch_config_file};

/// Applies a reloaded config to the running service.
struct ServerApplier {
    state: AppState,
    /// The settings the background sampler reads.
    live_settings: Arc<arc_swap::ArcSwap<Settings>>,
    routers: LiveRouters,
    listeners: Arc<Mutex<ListenerSet>>,
}

impl ApplySettings for ServerApplier {
    fn apply(&mut self, settings: Arc<Settings>, plan: &ReloadPlan) {
        let pool = &self.state.pool;
        let now = Instant::now();

        for model in plan.removed.iter().chain(&plan.relaunched) {
            pool.unload(model.clone());
        }
        for model in &plan.ttl_changed {
            let ttl = settings.model(model).and_then(|spec| spec.ttl);
            pool.set_idle_ttl(model.clone(), ttl);
        }
        for model in &plan.breaker_changed {
            if let Some(spec) = settings.model(model) {
                pool.breakers().set_config(model, spec.breaker.clone(), now);
            }
        }

        self.state.settings = settings.clone();
        self.live_settings.store(settings.clone());
        self.routers.replace_all(&self.state);

        if plan.listeners_changed {
            let listeners = self.listeners.clone();
            let routers = self.routers.clone();
            tokio::spawn(async move {
                let mut listeners = listeners.lock().await;
                for (api, address) in listener_addresses(&settings) {
                    listeners.rebind(api, address, routers.for_api(api)).await;
                }
            });
        }
    }

    fn rejected(&mut self, problems: &[String]) {
        for problem in problems {
            tracing::warn!(problem = %problem, "reloaded config is invalid");
        }
        // NOTE: the rejection is logged and returned by POST /api/config/reload, but it does
        // not raise an alert on the dashboard yet.
    }
}

/// Starts the reloader, the file watcher and the SIGHUP listener. Returns the watcher, which
/// must be kept alive for as long as the file should be watched.
pub(super) fn start_reloading(
    path: PathBuf,
    state: &AppState,
    routers: &LiveRouters,
    listeners: Arc<Mutex<ListenerSet>>,
    live_settings: Arc<arc_swap::ArcSwap<Settings>>,
    hangups: Option<Hangups>,
    shutdown: &CancellationToken,
) -> Option<notify::RecommendedWatcher> {
    let applier = ServerApplier {
        state: state.clone(),
        live_settings,
        routers: routers.clone(),
        listeners,
    };
    let trigger = spawn_reloader(path.clone(), state.settings.clone(), applier);
    routers.install_trigger(&trigger, state);
    if let Some(hangups) = hangups {
        spawn_sighup_listener(hangups, trigger.clone(), shutdown.clone());
    }

    match watch_config_file(&path, trigger) {
        Ok(watcher) => Some(watcher),
        Err(error) => {
            tracing::warn!(config = %path.display(), error = %error, "cannot watch the config file; reload with SIGHUP or POST /api/config/reload");
            None
        }
    }
}

/// The SIGHUP signal stream, registered early. Without a reloader, signals are read and ignored.
pub(super) struct Hangups {
    #[cfg(unix)]
    signals: tokio::signal::unix::Signal,
}

impl Hangups {
    pub(super) fn register() -> Option<Self> {
        #[cfg(unix)]
        {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) {
                Ok(signals) => Some(Self { signals }),
                Err(error) => {
                    tracing::warn!(error = %error, "cannot listen for SIGHUP");
                    None
                }
            }
        }
        #[cfg(not(unix))]
        None
    }
}

fn spawn_sighup_listener(hangups: Hangups, trigger: ReloadTrigger, shutdown: CancellationToken) {
    #[cfg(unix)]
    tokio::spawn(async move {
        let mut signals = hangups.signals;
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                received = signals.recv() => {
                    if received.is_none() {
                        return;
                    }
                    trigger.request("SIGHUP");
                }
            }
        }
    });
    #[cfg(not(unix))]
    let _ = (hangups, trigger, shutdown);
}
