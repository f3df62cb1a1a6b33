//! The JSON configuration file, read in the format of the original Python llama-runner.

mod defaults;
mod file;
mod model_spec;
mod parameters;
mod raw;
mod timeouts;
mod validation;

pub use defaults::{DEFAULT_DASHBOARD_PORT, DEFAULT_LMSTUDIO_PORT, DEFAULT_OLLAMA_PORT, starter_config_json};
pub use file::{ConfigError, LoadedConfig, default_config_path, load_config, load_or_create_config};
pub use model_spec::{ModelSpec, RuntimeSpec};
pub use parameters::{ParameterError, launch_arguments};
pub use raw::{DashboardConfig, Logging, ModelEntry, Proxies, ProxyConfig, RawConfig, RuntimeEntry};
pub use timeouts::{TimeoutSettings, Timeouts};
pub use validation::{ConfigProblem, Severity, validate};

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

/// The settings llama-runner runs with, resolved from a [`RawConfig`] that passed validation.
#[derive(Debug, Clone)]
pub struct Settings {
    pub host: IpAddr,
    pub concurrent_runners: usize,
    pub health_check_timeout: Duration,
    pub stop_grace: Duration,
    pub max_body_bytes: usize,
    pub proxies: Proxies,
    pub logging: Logging,
    pub dashboard: DashboardConfig,
    /// Circuit breaker settings for models without their own.
    pub circuit_breaker: crate::breaker::BreakerConfig,
    /// Models by API id.
    pub models: BTreeMap<Arc<str>, Arc<ModelSpec>>,
}

impl Settings {
    /// Resolves every model entry; the config must have passed [`validate`] without errors.
    pub fn from_raw(raw: &RawConfig) -> Result<Self, ConfigError> {
        let mut models = BTreeMap::new();
        for (display_name, entry) in &raw.models {
            let spec = ModelSpec::resolve(raw, display_name, entry)?;
            models.insert(spec.id.clone(), Arc::new(spec));
        }

        Ok(Self {
            host: raw.host,
            concurrent_runners: raw.concurrent_runners.max(1),
            health_check_timeout: Duration::from_secs(raw.health_check_timeout),
            stop_grace: Duration::from_secs(raw.stop_grace_seconds),
            max_body_bytes: raw.max_body_bytes,
            proxies: raw.proxies.clone(),
            logging: raw.logging.clone(),
            dashboard: raw.dashboard.clone(),
            circuit_breaker: raw.circuit_breaker.clone(),
            models,
        })
    }

    /// Finds a model by its API id.
    pub fn model(&self, id: &str) -> Option<&Arc<ModelSpec>> {
        self.models.get(id)
    }
}
