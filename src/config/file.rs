//! Reading the config file from disk, and writing a starter file when there is none.

use std::path::{Path, PathBuf};

use super::defaults::starter_config_json;
use super::parameters::ParameterError;
use super::raw::RawConfig;
use super::validation::{ConfigProblem, Severity, validate};
use super::Settings;

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
    #[error("invalid config file {path}: {message} (line {line}, column {column})")]
    Syntax {
        path: PathBuf,
        message: String,
        line: usize,
        column: usize,
    },
    #[error("config file {path} has errors:\n{report}")]
    Invalid { path: PathBuf, report: String },
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

/// Reads, parses and validates the config file. Warnings (such as unknown keys) are returned with
/// the config; errors fail the load with the whole report.
pub fn load_config(path: &Path) -> Result<LoadedConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })?;

    let mut unknown_keys = Vec::new();
    let deserializer = &mut serde_json::Deserializer::from_str(&text);
    let raw: RawConfig = serde_ignored::deserialize(deserializer, |key_path| {
        unknown_keys.push(key_path.to_string());
    })
    .map_err(|error| ConfigError::Syntax {
        path: path.to_owned(),
        message: error.to_string(),
        line: error.line(),
        column: error.column(),
    })?;

    let mut problems: Vec<ConfigProblem> = unknown_keys
        .into_iter()
        .map(|key_path| ConfigProblem::warning(&key_path, "unknown key, ignored"))
        .collect();
    problems.extend(validate(&raw));

    let (errors, warnings): (Vec<_>, Vec<_>) =
        problems.into_iter().partition(|problem| problem.severity == Severity::Error);
    if !errors.is_empty() {
        let report = errors.iter().map(|problem| format!("  {problem}")).collect::<Vec<_>>();
        return Err(ConfigError::Invalid {
            path: path.to_owned(),
            report: report.join("\n"),
        });
    }

    let settings = Settings::from_raw(&raw)?;
    Ok(LoadedConfig {
        path: path.to_owned(),
        raw,
        settings,
        warnings,
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
