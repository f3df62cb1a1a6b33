//! The configuration file's shape, key for key.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::defaults;
use super::models_dir::ModelsDir;
use super::timeouts::TimeoutSettings;
use crate::breaker::{BreakerConfig, BreakerOverride};
use crate::placement::MemoryBudgetConfig;
use crate::telemetry::{AlertsConfig, MetricsConfig};

/// The whole `config.json`. Keys keep the spelling of the original llama-runner, so old files load.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[schemars(title = "llama-runner configuration")]
pub struct RawConfig {
    /// URL or path of this file's JSON Schema, read by editors; llama-runner ignores it.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    #[serde(rename = "llama-runtimes", default)]
    pub runtimes: BTreeMap<String, RuntimeEntry>,
    #[serde(default = "defaults::runtime")]
    pub default_runtime: String,
    #[serde(rename = "concurrentRunners", default = "defaults::concurrent_runners")]
    pub concurrent_runners: usize,
    #[serde(default)]
    pub proxies: Proxies,
    #[serde(default)]
    pub logging: Logging,
    #[serde(default)]
    pub models: BTreeMap<String, ModelEntry>,
    /// Directories searched recursively for `*.gguf` files, each of which becomes a model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub models_dir: Option<ModelsDir>,
    /// `parameters` of every model found under `models_dir`.
    #[serde(default)]
    pub default_parameters: serde_json::Map<String, serde_json::Value>,
    /// Seconds a starting model may take to become healthy.
    #[serde(rename = "healthCheckTimeout", default = "defaults::health_check_timeout")]
    pub health_check_timeout: u64,
    /// Seconds without a request after which a model is unloaded; 0 keeps models loaded.
    #[serde(default)]
    pub ttl: u64,
    /// Seconds between SIGTERM and SIGKILL when a model is stopped.
    #[serde(rename = "stopGraceSeconds", default = "defaults::stop_grace_seconds")]
    pub stop_grace_seconds: u64,
    #[serde(rename = "maxBodyBytes", default = "defaults::max_body_bytes")]
    pub max_body_bytes: usize,
    /// Address the API ports bind to.
    #[serde(default = "defaults::host")]
    pub host: IpAddr,
    #[serde(rename = "circuitBreaker", default)]
    pub circuit_breaker: BreakerConfig,
    #[serde(default)]
    pub timeouts: TimeoutSettings,
    #[serde(default)]
    pub dashboard: DashboardConfig,
    #[serde(default)]
    pub metrics: MetricsConfig,
    #[serde(default)]
    pub alerts: AlertsConfig,
    /// Memory the model processes may use together: `"auto"`, `{"mode": "auto", "reserveBytes":
    /// N}`, or bytes per device such as `{"cpu": 8000000000, "gpu0": 24000000000}`. Absent, only
    /// `concurrentRunners` limits how many models run.
    #[serde(rename = "memoryBudget", default, skip_serializing_if = "Option::is_none")]
    pub memory_budget: Option<MemoryBudgetConfig>,
}

/// The management port: health, circuit breakers, and later metrics and the web dashboard.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
pub struct DashboardConfig {
    #[serde(default = "defaults::enabled")]
    pub enabled: bool,
    #[serde(default = "defaults::host")]
    pub host: IpAddr,
    #[serde(default = "defaults::dashboard_port")]
    pub port: u16,
    /// Key the management routes, `/metrics` and the WebSocket require, in addition to the keys
    /// of the API ports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key: Option<String>,
}

impl Default for DashboardConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            host: defaults::host(),
            port: defaults::dashboard_port(),
            api_key: None,
        }
    }
}

/// A runtime: the old form is the executable's path alone.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(untagged, expecting = "expected a program path, or an object {\"runtime\": path, \"supports_tools\": bool}")]
pub enum RuntimeEntry {
    Path(String),
    Full {
        runtime: String,
        #[serde(default = "defaults::supports_tools")]
        supports_tools: bool,
    },
}

impl RuntimeEntry {
    pub fn program(&self) -> &str {
        match self {
            RuntimeEntry::Path(program) => program,
            RuntimeEntry::Full { runtime, .. } => runtime,
        }
    }

    pub fn supports_tools(&self) -> bool {
        match self {
            RuntimeEntry::Path(_) => true,
            RuntimeEntry::Full { supports_tools, .. } => *supports_tools,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
pub struct Proxies {
    #[serde(default = "ProxyConfig::ollama")]
    pub ollama: ProxyConfig,
    #[serde(default = "ProxyConfig::lmstudio")]
    pub lmstudio: ProxyConfig,
}

impl Default for Proxies {
    fn default() -> Self {
        Self {
            ollama: ProxyConfig::ollama(),
            lmstudio: ProxyConfig::lmstudio(),
        }
    }
}

/// One API listener. A missing `port` takes the dialect's default port.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
pub struct ProxyConfig {
    #[serde(default = "defaults::enabled")]
    pub enabled: bool,
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default)]
    pub api_key: Option<String>,
}

impl ProxyConfig {
    fn ollama() -> Self {
        Self {
            enabled: true,
            port: Some(defaults::ollama_port()),
            api_key: None,
        }
    }

    fn lmstudio() -> Self {
        Self {
            enabled: true,
            port: Some(defaults::lmstudio_port()),
            api_key: None,
        }
    }
}

impl Proxies {
    pub fn ollama_port(&self) -> u16 {
        self.ollama.port.unwrap_or(defaults::ollama_port())
    }

    pub fn lmstudio_port(&self) -> u16 {
        self.lmstudio.port.unwrap_or(defaults::lmstudio_port())
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
pub struct Logging {
    #[serde(default)]
    pub prompt_logging_enabled: bool,
}

/// One entry under `models`; its key is the display name.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
pub struct ModelEntry {
    /// API id; the display name is used when absent.
    #[serde(default)]
    pub model_id: Option<String>,
    #[serde(default)]
    pub model_path: Option<PathBuf>,
    /// Name of an entry under `llama-runtimes`.
    #[serde(default)]
    pub llama_cpp_runtime: Option<String>,
    /// llama-server flags: see [`super::launch_arguments`].
    #[serde(default)]
    pub parameters: serde_json::Map<String, serde_json::Value>,
    /// Idle seconds before unloading, overriding the top-level `ttl`.
    #[serde(default)]
    pub ttl: Option<u64>,
    #[serde(rename = "circuitBreaker", default)]
    pub circuit_breaker: Option<BreakerOverride>,
    #[serde(default)]
    pub timeouts: Option<TimeoutSettings>,
}

impl ModelEntry {
    /// The id clients use: `model_id` when present, else the display name.
    pub fn api_id<'a>(&'a self, display_name: &'a str) -> &'a str {
        self.model_id.as_deref().unwrap_or(display_name)
    }
}
