//! Checks on a parsed config that serde's types cannot express.

use std::collections::BTreeMap;
use std::fmt;

use super::parameters::launch_arguments;
use super::raw::RawConfig;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Warning,
    Error,
}

/// One finding, with the JSON path of the key it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    pub severity: Severity,
    pub path: String,
    pub message: String,
}

impl ConfigProblem {
    pub fn error(path: &str, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            path: path.to_owned(),
            message: message.into(),
        }
    }

    pub fn warning(path: &str, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            path: path.to_owned(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(formatter, "{level}: {}: {}", self.path, self.message)
    }
}

/// Reports every problem at once rather than stopping at the first.
pub fn validate(raw: &RawConfig) -> Vec<ConfigProblem> {
    let mut problems = Vec::new();
    let mut owners_by_id: BTreeMap<&str, &str> = BTreeMap::new();
    let mut owners_by_port: BTreeMap<u16, String> = BTreeMap::new();

    if raw.proxies.ollama.enabled {
        owners_by_port.insert(raw.proxies.ollama_port(), "proxies.ollama.port".to_owned());
    }
    if raw.proxies.lmstudio.enabled {
        let port = raw.proxies.lmstudio_port();
        if let Some(owner) = owners_by_port.get(&port) {
            problems.push(ConfigProblem::error(
                "proxies.lmstudio.port",
                format!("port {port} is also used by {owner}"),
            ));
        }
        owners_by_port.insert(port, "proxies.lmstudio.port".to_owned());
    }

    if raw.dashboard.enabled {
        let port = raw.dashboard.port;
        if let Some(owner) = owners_by_port.get(&port) {
            problems.push(ConfigProblem::error("dashboard.port", format!("port {port} is also used by {owner}")));
        }
        owners_by_port.insert(port, "dashboard.port".to_owned());
    }

    if let Err(error) = raw.circuit_breaker.validate() {
        problems.push(ConfigProblem::error("circuitBreaker", error.to_string()));
    }

    for (display_name, entry) in &raw.models {
        let path = format!("models.{display_name}");

        if entry.model_path.is_none() {
            problems.push(ConfigProblem::error(
                &format!("{path}.model_path"),
                format!("model '{display_name}' has no model_path"),
            ));
        }

        let id = entry.api_id(display_name);
        if id.is_empty() {
            problems.push(ConfigProblem::error(&format!("{path}.model_id"), "model_id is empty"));
        } else if let Some(other) = owners_by_id.insert(id, display_name) {
            problems.push(ConfigProblem::error(
                &path,
                format!("API id '{id}' is also used by model '{other}'"),
            ));
        }

        if let Some(runtime) = &entry.llama_cpp_runtime
            && runtime.is_empty()
        {
            problems.push(ConfigProblem::error(
                &format!("{path}.llama_cpp_runtime"),
                "llama_cpp_runtime is empty",
            ));
        }

        if let Some(changes) = &entry.circuit_breaker
            && let Err(error) = raw.circuit_breaker.with_override(changes).validate()
        {
            problems.push(ConfigProblem::error(&format!("{path}.circuitBreaker"), error.to_string()));
        }

        match launch_arguments(&entry.parameters) {
            Ok(arguments) => {
                if let Some(port) = arguments.pinned_port {
                    let port_path = format!("{path}.parameters.port");
                    if let Some(owner) = owners_by_port.get(&port) {
                        problems.push(ConfigProblem::error(
                            &port_path,
                            format!("port {port} is also used by {owner}"),
                        ));
                    }
                    owners_by_port.insert(port, port_path);
                }
            }
            Err(error) => {
                problems.push(ConfigProblem::error(&format!("{path}.parameters"), error.to_string()));
            }
        }
    }

    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems_of(json: &str) -> Vec<ConfigProblem> {
        let raw: RawConfig = serde_json::from_str(json).expect("test config parses");
        validate(&raw)
    }

    #[test]
    fn model_without_path_is_an_error_naming_it() {
        let problems = problems_of(r#"{"models": {"Gemma": {"model_id": "g"}}}"#);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].path, "models.Gemma.model_path");
        assert!(problems[0].message.contains("Gemma"));
    }

    #[test]
    fn duplicate_api_ids_are_errors() {
        let problems = problems_of(
            r#"{"models": {"A": {"model_id": "x", "model_path": "a"}, "B": {"model_id": "x", "model_path": "b"}}}"#,
        );
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.contains("'x'"));
    }

    #[test]
    fn pinned_port_colliding_with_a_proxy_names_both() {
        let problems =
            problems_of(r#"{"models": {"A": {"model_path": "a", "parameters": {"port": 1234}}}}"#);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].path, "models.A.parameters.port");
        assert!(problems[0].message.contains("proxies.lmstudio.port"));
    }

    #[test]
    fn reserved_parameter_is_an_error() {
        let problems =
            problems_of(r#"{"models": {"A": {"model_path": "a", "parameters": {"host": "0.0.0.0"}}}}"#);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.contains("'host'"));
    }

    #[test]
    fn original_example_config_is_valid() {
        let problems = problems_of(include_str!("../../tests/data/original-config.json"));
        assert!(problems.is_empty(), "{problems:?}");
    }
}
