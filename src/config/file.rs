//! Reading the config file from disk, and writing a starter file when there is none.

use std::path::{Path, PathBuf};

use super::Settings;
use super::checks::{CheckDepth, inspect};
use super::defaults::starter_config_json;
use super::discovery::DiscoveredModel;
use super::parameters::ParameterError;
use super::problem::ConfigProblem;
use super::raw::RawConfig;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write starter config file {path}: {source}")]
    WriteStarter {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file has errors. `problems` contains them and any warnings, in the order found.
    #[error("config file {} is invalid: {} error(s)", path.display(), problems.iter().filter(|problem| problem.is_error()).count())]
    Invalid { path: PathBuf, problems: Vec<ConfigProblem> },
    #[error("model '{model}' has no model_path")]
    MissingModelPath { model: String },
    #[error("model '{model}': {source}")]
    Parameter {
        model: String,
        #[source]
        source: ParameterError,
    },
    #[error("cannot determine the home directory: HOME is not set")]
    NoHome,
}

/// A parsed config, the warnings found while reading it, and the settings resolved from it.
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    pub path: PathBuf,
    pub raw: RawConfig,
    /// Models found under `models_dir`; they are in `settings.models` too.
    pub discovered: Vec<DiscoveredModel>,
    pub settings: Settings,
    pub warnings: Vec<ConfigProblem>,
}

/// `~/.llama-runner/config.json`.
pub fn default_config_path() -> Result<PathBuf, ConfigError> {
    let home = std::env::var_os("HOME").ok_or(ConfigError::NoHome)?;
    Ok(PathBuf::from(home).join(".llama-runner").join("config.json"))
}

/// Loads `path`; when it does not exist, first writes a starter config there and reports that
/// through `on_created`.
pub fn load_or_create_config(
    path: &Path,
    on_created: impl FnOnce(&Path),
) -> Result<LoadedConfig, ConfigError> {
    if !path.exists() {
        write_starter(path)?;
        on_created(path);
    }
    load_config(path)
}

/// Reads and checks the config file at start-up depth (see [`CheckDepth::Start`]). Warnings,
/// such as unknown keys, are returned with the config; any error fails the load with every
/// problem found.
pub fn load_config(path: &Path) -> Result<LoadedConfig, ConfigError> {
    let bytes = std::fs::read(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })?;

    let inspection = inspect(&bytes, CheckDepth::Start);
    let invalid = |problems| ConfigError::Invalid {
        path: path.to_owned(),
        problems,
    };
    let Some(raw) = inspection.raw else {
        return Err(invalid(inspection.problems));
    };
    if inspection.problems.iter().any(ConfigProblem::is_error) {
        return Err(invalid(inspection.problems));
    }

    let settings = Settings::resolve(&raw, &inspection.discovered)?;
    Ok(LoadedConfig {
        path: path.to_owned(),
        raw,
        discovered: inspection.discovered,
        settings,
        warnings: inspection.problems,
    })
}

fn write_starter(path: &Path) -> Result<(), ConfigError> {
    let write_error = |source| ConfigError::WriteStarter {
        path: path.to_owned(),
        source,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(write_error)?;
    }
    std::fs::write(path, starter_config_json()).map_err(write_error)
}
