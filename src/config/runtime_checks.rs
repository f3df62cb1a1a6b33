//! Checks that each runtime a config names can be run: the executable exists and is executable,
//! and (in a full check) `<runtime> --version` exits with status 0 in time.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::checks::CheckDepth;
use super::json_path;
use super::model_source::ModelSource;
use super::problem::ConfigProblem;
use super::program_lookup::find_program;
use super::raw::RawConfig;
use super::version_probe::{VERSION_PROBE_TIMEOUT, probe_version};

/// One runtime definition and the models that use it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RuntimeUse {
    /// JSON path of the key that names the program: `llama-runtimes.<name>`, `default_runtime`,
    /// or a model's `llama_cpp_runtime` that names a program directly.
    pub json_path: String,
    pub program: String,
    pub models: Vec<String>,
}

/// A runtime whose executable was found, ready for the version probe.
#[derive(Debug)]
pub(crate) struct FoundRuntime {
    runtime: RuntimeUse,
    executable: PathBuf,
}

/// Lists every entry of `llama-runtimes`, used or not, and every other program a model runs.
pub(crate) fn runtime_uses(raw: &RawConfig, sources: &[ModelSource]) -> Vec<RuntimeUse> {
    let mut uses: BTreeMap<String, RuntimeUse> = raw
        .runtimes
        .iter()
        .map(|(name, runtime)| {
            let json_path = json_path::child("llama-runtimes", name);
            let runtime_use = RuntimeUse {
                json_path: json_path.clone(),
                program: runtime.program().to_owned(),
                models: Vec::new(),
            };
            (json_path, runtime_use)
        })
        .collect();

    for source in sources {
        let name = source.entry.llama_cpp_runtime.as_deref().unwrap_or(&raw.default_runtime);
        let json_path = if raw.runtimes.contains_key(name) {
            json_path::child("llama-runtimes", name)
        } else if source.entry.llama_cpp_runtime.is_some() {
            json_path::child(&source.json_path, "llama_cpp_runtime")
        } else {
            "default_runtime".to_owned()
        };
        let runtime_use = uses.entry(json_path.clone()).or_insert_with(|| RuntimeUse {
            json_path,
            program: name.to_owned(),
            models: Vec::new(),
        });
        runtime_use.models.push(source.display_name.clone());
    }

    uses.into_values().filter(|runtime| !runtime.program.is_empty()).collect()
}

/// Looks up each runtime's executable. A runtime that cannot be found is an error in a full check
/// when a model uses it. At start-up, or when no model uses it, it is a warning.
pub(crate) fn lookup_problems(uses: Vec<RuntimeUse>, depth: CheckDepth) -> (Vec<ConfigProblem>, Vec<FoundRuntime>) {
    let mut problems = Vec::new();
    let mut found = Vec::new();
    for runtime in uses {
        match find_program(&runtime.program) {
            Ok(executable) => found.push(FoundRuntime { runtime, executable }),
            Err(error) => problems.push(problem(&runtime, depth, error.to_string())),
        }
    }
    (problems, found)
}

/// Runs every runtime's version probe at once, each limited to [`VERSION_PROBE_TIMEOUT`].
pub(crate) async fn probe_problems(found: Vec<FoundRuntime>) -> Vec<ConfigProblem> {
    let probes = found.iter().map(|found| async move {
        let outcome = probe_version(&found.executable, VERSION_PROBE_TIMEOUT).await;
        match outcome {
            Ok(version) => {
                tracing::debug!(runtime = %found.runtime.program, version = %version, "runtime passed its version probe");
                None
            }
            Err(error) => Some(problem(&found.runtime, CheckDepth::Full, error.to_string())),
        }
    });
    futures_util::future::join_all(probes).await.into_iter().flatten().collect()
}

fn problem(runtime: &RuntimeUse, depth: CheckDepth, reason: String) -> ConfigProblem {
    let users = if runtime.models.is_empty() {
        "no model uses it".to_owned()
    } else {
        format!("used by {}", quoted_list(&runtime.models))
    };
    let message = format!("runtime '{}': {reason} ({users})", runtime.program);

    if depth == CheckDepth::Full && !runtime.models.is_empty() {
        ConfigProblem::error(&runtime.json_path, message)
    } else {
        ConfigProblem::warning(&runtime.json_path, message)
    }
}

fn quoted_list(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|name| format!("'{name}'")).collect();
    quoted.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::model_source::model_sources;

    fn uses_of(json: &str) -> Vec<RuntimeUse> {
        let raw: RawConfig = serde_json::from_str(json).unwrap();
        runtime_uses(&raw, &model_sources(&raw, &[]))
    }

    #[test]
    fn each_runtime_is_named_where_it_is_defined() {
        let uses = uses_of(
            r#"{"llama-runtimes": {"main": "/opt/llama-server", "spare": {"runtime": "/opt/other"}},
                "models": {"A": {"llama_cpp_runtime": "main"}, "B": {"llama_cpp_runtime": "/bin/direct"}, "C": {}}}"#,
        );
        let summary: Vec<(&str, &str, usize)> = uses
            .iter()
            .map(|runtime| (runtime.json_path.as_str(), runtime.program.as_str(), runtime.models.len()))
            .collect();
        assert_eq!(
            summary,
            [
                ("default_runtime", "llama-server", 1),
                ("llama-runtimes.main", "/opt/llama-server", 1),
                ("llama-runtimes.spare", "/opt/other", 0),
                ("models.B.llama_cpp_runtime", "/bin/direct", 1),
            ]
        );
    }

    #[test]
    fn unused_runtime_is_only_a_warning() {
        let uses = uses_of(r#"{"llama-runtimes": {"spare": "/nonexistent/llama-server"}}"#);
        let (problems, found) = lookup_problems(uses, CheckDepth::Full);
        assert!(found.is_empty());
        assert_eq!(problems.len(), 1);
        assert!(!problems[0].is_error());
        assert!(problems[0].message.contains("no model uses it"), "{}", problems[0].message);
    }
}
