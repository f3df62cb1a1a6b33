//! The JSON configuration file, read in the format of the original Python llama-runner.

mod checks;
mod defaults;
mod deserialize;
mod discovery;
mod file;
pub mod json_path;
mod memory_budget;
mod model_file_checks;
mod model_source;
mod model_spec;
mod models_dir;
mod parameters;
mod port_owners;
mod problem;
mod program_lookup;
mod raw;
mod report;
mod runtime_checks;
mod schema;
mod timeouts;
mod validation;
mod version_probe;

pub use defaults::{DEFAULT_DASHBOARD_PORT, DEFAULT_LMSTUDIO_PORT, DEFAULT_OLLAMA_PORT, starter_config_json};
pub use file::{ConfigError, LoadedConfig, default_config_path, load_config, load_or_create_config};
pub use model_spec::{ModelSpec, RuntimeSpec};
pub use parameters::{ParameterError, launch_arguments};
pub use raw::{DashboardConfig, Logging, ModelEntry, Proxies, ProxyConfig, RawConfig, RuntimeEntry};
pub use timeouts::{TimeoutSettings, Timeouts};
pub use checks::{CheckDepth, check_config_file};
pub use discovery::DiscoveredModel;
pub use models_dir::ModelsDir;
pub use problem::{ConfigProblem, ROOT_PATH, Severity};
pub use program_lookup::{ProgramLookupError, find_program};
pub use report::ConfigReport;
pub use schema::config_schema;
pub use validation::validate;
pub use version_probe::{ProbeError, VERSION_PROBE_TIMEOUT, probe_version};

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
    pub metrics: crate::telemetry::MetricsConfig,
    pub alerts: crate::telemetry::AlertsConfig,
    /// `memoryBudget`, resolved against the machine when the pool starts.
    pub memory_budget: Option<crate::placement::MemoryBudgetConfig>,
    /// Models by API id.
    pub models: BTreeMap<Arc<str>, Arc<ModelSpec>>,
}

impl Settings {
    /// Resolves every model entry; the config must have passed [`validate`] without errors.
    pub fn from_raw(raw: &RawConfig) -> Result<Self, ConfigError> {
        Self::resolve(raw, &[])
    }

    /// Resolves every configured model and every model found under `models_dir`.
    pub fn resolve(raw: &RawConfig, discovered: &[DiscoveredModel]) -> Result<Self, ConfigError> {
        let mut models = BTreeMap::new();
        for source in model_source::model_sources(raw, discovered) {
            let spec = ModelSpec::resolve(raw, &source.display_name, &source.entry)?;
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
            metrics: raw.metrics.clone(),
            alerts: raw.alerts.clone(),
            memory_budget: raw.memory_budget.clone(),
            models,
        })
    }

    /// Finds a model by its API id.
    pub fn model(&self, id: &str) -> Option<&Arc<ModelSpec>> {
        self.models.get(id)
    }
}
