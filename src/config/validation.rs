//! Checks on a parsed config that serde's types cannot express.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::json_path;
use super::model_spec::collision_key;
use super::parameters::{ParameterError, launch_arguments};
use super::port_owners::PortOwners;
use super::problem::ConfigProblem;
use super::raw::RawConfig;

/// Reports every problem at once rather than stopping at the first.
pub fn validate(raw: &RawConfig) -> Vec<ConfigProblem> {
    let mut problems = Vec::new();
    let mut owners_by_id: BTreeMap<&str, (&str, &str)> = BTreeMap::new();
    let mut ports = PortOwners::default();

    let listeners = [
        (raw.proxies.ollama.enabled, raw.proxies.ollama_port(), "proxies.ollama.port"),
        (raw.proxies.lmstudio.enabled, raw.proxies.lmstudio_port(), "proxies.lmstudio.port"),
        (raw.dashboard.enabled, raw.dashboard.port, "dashboard.port"),
    ];
    for (enabled, port, path) in listeners {
        if enabled {
            problems.extend(ports.claim(port, path));
        }
    }

    if let Err(error) = raw.circuit_breaker.validate() {
        problems.push(ConfigProblem::error("circuitBreaker", error.to_string()));
    }

    for message in raw.memory_budget.iter().flat_map(|budget| budget.problems()) {
        problems.push(ConfigProblem::error("memoryBudget", message));
    }

    problems.extend(default_parameter_problems(raw));

    for (display_name, entry) in &raw.models {
        let path = json_path::child("models", display_name);

        if entry.model_path.is_none() {
            problems.push(ConfigProblem::error(
                &format!("{path}.model_path"),
                format!("model '{display_name}' has no model_path"),
            ));
        }

        let id = entry.api_id(display_name);
        if id.is_empty() {
            problems.push(ConfigProblem::error(&format!("{path}.model_id"), "model_id is empty"));
        } else if let Some((other_id, other)) = owners_by_id.get(collision_key(id)) {
            let message = if *other_id == id {
                format!("API id '{id}' is also used by model '{other}'")
            } else {
                format!(
                    "API id '{id}' collides with '{other_id}' of model '{other}', because Ollama clients treat \
                     '{key}' and '{key}:latest' as one model",
                    key = collision_key(id)
                )
            };
            problems.push(ConfigProblem::error(&path, message));
        } else {
            owners_by_id.insert(collision_key(id), (id, display_name));
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

        let parameters_path = json_path::child(&path, "parameters");
        let (parameter_problems, pinned_port) = check_parameters(&entry.parameters, &parameters_path);
        problems.extend(parameter_problems);
        if let Some(port) = pinned_port {
            problems.extend(ports.claim(port, &json_path::child(&parameters_path, "port")));
        }
    }

    problems
}

/// Checks each key of a `parameters` object on its own, so that every invalid key is reported.
/// Returns the problems and the pinned port, if any.
fn check_parameters(parameters: &Map<String, Value>, path: &str) -> (Vec<ConfigProblem>, Option<u16>) {
    let mut problems = Vec::new();
    let mut pinned_port = None;
    for (key, value) in parameters {
        let single = Map::from_iter([(key.clone(), value.clone())]);
        match launch_arguments(&single) {
            Ok(arguments) => pinned_port = pinned_port.or(arguments.pinned_port),
            Err(error) => problems.push(ConfigProblem::error(&parameter_path(path, &error), error.to_string())),
        }
    }
    (problems, pinned_port)
}

/// `default_parameters` follow the rules of a model's `parameters`, except that they cannot pin
/// a port, which every discovered model would then share.
fn default_parameter_problems(raw: &RawConfig) -> Vec<ConfigProblem> {
    let (mut problems, pinned_port) = check_parameters(&raw.default_parameters, "default_parameters");
    if pinned_port.is_some() {
        problems.push(ConfigProblem::error(
            "default_parameters.port",
            "default_parameters cannot set 'port': every discovered model would use the same port",
        ));
    }
    problems
}

/// Returns the path of the key a parameter error is about, inside the `parameters` object at
/// `parent`.
fn parameter_path(parent: &str, error: &ParameterError) -> String {
    match error {
        ParameterError::Reserved(key) => json_path::child(parent, key),
        ParameterError::InvalidPort(_) => json_path::child(parent, "port"),
    }
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
    fn id_and_its_latest_form_collide() {
        let problems = problems_of(
            r#"{"models": {"A": {"model_id": "m1", "model_path": "a"}, "B": {"model_id": "m1:latest", "model_path": "b"}}}"#,
        );
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].path, "models.B");
        assert!(problems[0].message.contains("'m1:latest'"), "{}", problems[0].message);
        assert!(problems[0].message.contains("'m1'"), "{}", problems[0].message);
    }

    #[test]
    fn every_invalid_parameter_and_the_port_are_reported() {
        let problems = problems_of(
            r#"{"models": {"A": {"model_path": "a", "parameters": {"alias": "x", "host": "h", "port": 1234}}}}"#,
        );
        let paths: Vec<&str> = problems.iter().map(|problem| problem.path.as_str()).collect();
        assert_eq!(paths, ["models.A.parameters.alias", "models.A.parameters.host", "models.A.parameters.port"]);
    }

    #[test]
    fn two_models_pinned_to_one_port_collide() {
        let problems = problems_of(
            r#"{"models": {"A": {"model_path": "a", "parameters": {"port": 9001}},
                           "B": {"model_path": "b", "parameters": {"port": 9001}}}}"#,
        );
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].path, "models.B.parameters.port");
        assert!(problems[0].message.contains("models.A.parameters.port"), "{}", problems[0].message);
    }

    #[test]
    fn dashboard_on_a_proxy_port_collides() {
        let problems = problems_of(r#"{"dashboard": {"port": 11434}}"#);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].path, "dashboard.port");
        assert!(problems[0].message.contains("proxies.ollama.port"), "{}", problems[0].message);
    }

    #[test]
    fn default_parameters_cannot_pin_a_port() {
        let problems = problems_of(r#"{"default_parameters": {"port": 9000}}"#);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].path, "default_parameters.port");
    }

    #[test]
    fn default_parameters_cannot_set_reserved_flags() {
        let problems = problems_of(r#"{"default_parameters": {"alias": "x"}}"#);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].path, "default_parameters.alias");
        assert!(problems[0].message.contains("'alias'"));
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
        assert_eq!(problems[0].path, "models.A.parameters.host");
        assert!(problems[0].message.contains("'host'"));
    }

    #[test]
    fn original_example_config_is_valid() {
        let problems = problems_of(include_str!("../../tests/data/original-config.json"));
        assert!(problems.is_empty(), "{problems:?}");
    }
}
