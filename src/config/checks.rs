//! Every check on a config file, in the order they run: syntax and types, unknown keys, the
//! rules in [`super::validate`], model discovery, the model files, and the runtimes.

use std::path::Path;

use super::deserialize::parse_config;
use super::discovery::{DiscoveredModel, discover_models};
use super::file::ConfigError;
use super::model_file_checks::model_file_problems;
use super::model_source::model_sources;
use super::problem::ConfigProblem;
use super::raw::RawConfig;
use super::report::ConfigReport;
use super::runtime_checks::{FoundRuntime, lookup_problems, probe_problems, runtime_uses};
use super::validation::validate;

/// How far the checks go beyond the file itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckDepth {
    /// `serve`: model files must exist and start with the GGUF magic. A runtime that cannot be
    /// found is only a warning, because its models fail when requested and the others still
    /// work. No process is started, so start-up stays fast.
    Start,
    /// `llama-runner check`: also parses every GGUF header and runs each runtime's
    /// `--version` probe; any problem with a runtime some model uses is an error.
    Full,
}

/// The result of reading a config file: its problems, and the config when the file could be
/// turned into one.
#[derive(Debug)]
pub(crate) struct Inspection {
    pub raw: Option<RawConfig>,
    pub discovered: Vec<DiscoveredModel>,
    pub problems: Vec<ConfigProblem>,
    /// Runtimes whose executable was found, for the version probes.
    pub found_runtimes: Vec<FoundRuntime>,
}

/// Runs the checks that need no process: everything but the runtime version probes.
pub(crate) fn inspect(bytes: &[u8], depth: CheckDepth) -> Inspection {
    let parsed = parse_config(bytes);
    let mut problems = parsed.problems;
    let Some(raw) = parsed.raw else {
        return Inspection {
            raw: None,
            discovered: Vec::new(),
            problems,
            found_runtimes: Vec::new(),
        };
    };

    let mut follow_on = validate(&raw);
    let discovery = discover_models(&raw);
    follow_on.extend(discovery.problems);
    let sources = model_sources(&raw, &discovery.models);
    for source in &sources {
        follow_on.extend(model_file_problems(source, depth, raw.memory_budget.as_ref()));
    }
    let (lookup, found_runtimes) = lookup_problems(runtime_uses(&raw, &sources), depth);
    follow_on.extend(lookup);

    // A key removed for a type error took its default, so problems inside it would mislead.
    follow_on.retain(|problem| !parsed.invalid_paths.iter().any(|path| problem.is_within(path)));
    problems.extend(follow_on);

    Inspection {
        raw: Some(raw),
        discovered: discovery.models,
        problems,
        found_runtimes,
    }
}

/// Runs every check of `llama-runner check` on the file at `path`. Fails only when the file
/// cannot be read; every problem inside it is in the report.
pub async fn check_config_file(path: &Path) -> Result<ConfigReport, ConfigError> {
    let bytes = std::fs::read(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })?;
    let inspection = inspect(&bytes, CheckDepth::Full);
    let mut problems = inspection.problems;
    problems.extend(probe_problems(inspection.found_runtimes).await);
    Ok(ConfigReport { problems })
}
