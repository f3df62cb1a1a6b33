//! A model entry resolved into everything needed to launch and route it.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::file::ConfigError;
use super::parameters::launch_arguments;
use super::raw::{ModelEntry, RawConfig, RuntimeEntry};
use super::timeouts::Timeouts;
use crate::breaker::BreakerConfig;

/// The executable that serves a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuntimeSpec {
    /// A path, or a bare name looked up on `PATH` when the process starts.
    pub program: String,
    pub supports_tools: bool,
}

#[derive(Debug, Clone)]
pub struct ModelSpec {
    /// API id clients send as `model`.
    pub id: Arc<str>,
    pub display_name: String,
    pub model_path: PathBuf,
    pub runtime: RuntimeSpec,
    /// Flags from `parameters`, without the ones llama-runner always passes.
    pub flags: Vec<String>,
    pub pinned_port: Option<u16>,
    /// Idle time before the model is unloaded; `None` keeps it loaded.
    pub ttl: Option<Duration>,
    pub breaker: BreakerConfig,
    pub timeouts: Timeouts,
}

impl ModelSpec {
    /// True when both specs start the same process: same program, model file, flags and port.
    pub fn same_launch(&self, other: &ModelSpec) -> bool {
        self.runtime.program == other.runtime.program
            && self.model_path == other.model_path
            && self.flags == other.flags
            && self.pinned_port == other.pinned_port
    }

    pub(crate) fn resolve(
        raw: &RawConfig,
        display_name: &str,
        entry: &ModelEntry,
    ) -> Result<Self, ConfigError> {
        let id = entry.api_id(display_name);
        let model_path = entry.model_path.clone().ok_or_else(|| ConfigError::MissingModelPath {
            model: display_name.to_owned(),
        })?;
        let arguments = launch_arguments(&entry.parameters).map_err(|source| ConfigError::Parameter {
            model: display_name.to_owned(),
            source,
        })?;
        let ttl_seconds = entry.ttl.unwrap_or(raw.ttl);

        Ok(Self {
            id: Arc::from(id),
            display_name: display_name.to_owned(),
            model_path,
            runtime: resolve_runtime(raw, entry),
            flags: arguments.flags,
            pinned_port: arguments.pinned_port,
            ttl: (ttl_seconds > 0).then(|| Duration::from_secs(ttl_seconds)),
            breaker: match &entry.circuit_breaker {
                Some(changes) => raw.circuit_breaker.with_override(changes),
                None => raw.circuit_breaker.clone(),
            },
            timeouts: Timeouts::resolve(&raw.timeouts, entry.timeouts.as_ref()),
        })
    }
}

/// `llama_cpp_runtime` names an entry of `llama-runtimes`, else `default_runtime` is used. Either
/// may also be a runtime name or a program path; a name that matches no entry is taken as a program.
fn resolve_runtime(raw: &RawConfig, entry: &ModelEntry) -> RuntimeSpec {
    let name = entry.llama_cpp_runtime.as_deref().unwrap_or(&raw.default_runtime);
    match raw.runtimes.get(name) {
        Some(runtime) => spec_of(runtime),
        None => RuntimeSpec {
            program: name.to_owned(),
            supports_tools: true,
        },
    }
}

fn spec_of(runtime: &RuntimeEntry) -> RuntimeSpec {
    RuntimeSpec {
        program: runtime.program().to_owned(),
        supports_tools: runtime.supports_tools(),
    }
}

/// The form of an API id that must be unique: Ollama clients send `m1` and `m1:latest` for the
/// same model, so both count as `m1`.
pub(crate) fn collision_key(id: &str) -> &str {
    id.strip_suffix(":latest").unwrap_or(id)
}
