//! Turns a model's `parameters` object into llama-server flags.

use serde_json::Value;

/// Flags llama-runner always sets itself; a model's `parameters` may not set them.
pub const RESERVED_PARAMETERS: [&str; 3] = ["model", "alias", "host"];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParameterError {
    #[error("parameter '{0}' is set by llama-runner itself and cannot be configured")]
    Reserved(String),
    #[error("parameter 'port' must be an integer between 1 and 65535, got {0}")]
    InvalidPort(String),
}

/// Launch flags and the pinned port, if any, read from a `parameters` object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LaunchArguments {
    pub flags: Vec<String>,
    pub pinned_port: Option<u16>,
}

/// Converts `parameters` to flags: `_` in a key becomes `-`, `true` becomes a bare `--flag`,
/// `false` and `null` are left out, an array repeats the flag once per element, and any
/// other value becomes `--flag value`. `port` is not a flag here: it pins the model's port.
pub fn launch_arguments(
    parameters: &serde_json::Map<String, Value>,
) -> Result<LaunchArguments, ParameterError> {
    let mut arguments = LaunchArguments::default();

    for (key, value) in parameters {
        let name = flag_name(key);
        if RESERVED_PARAMETERS.contains(&name.trim_start_matches('-')) {
            return Err(ParameterError::Reserved(key.clone()));
        }

        if name.trim_start_matches('-') == "port" {
            arguments.pinned_port = Some(pinned_port(value)?);
            continue;
        }

        match value {
            Value::Bool(true) => arguments.flags.push(name),
            Value::Bool(false) | Value::Null => {}
            Value::Array(items) => {
                for item in items {
                    arguments.flags.push(name.clone());
                    arguments.flags.push(scalar_text(item));
                }
            }
            other => {
                arguments.flags.push(name);
                arguments.flags.push(scalar_text(other));
            }
        }
    }

    Ok(arguments)
}

/// `ctx_size` becomes `--ctx-size`; a key that already starts with `-` is kept as written.
fn flag_name(key: &str) -> String {
    if key.starts_with('-') {
        key.to_owned()
    } else {
        format!("--{}", key.replace('_', "-"))
    }
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn pinned_port(value: &Value) -> Result<u16, ParameterError> {
    let number = match value {
        Value::Number(number) => number.as_u64(),
        Value::String(text) => text.parse::<u64>().ok(),
        _ => None,
    };
    match number {
        Some(port @ 1..=65535) => Ok(port as u16),
        _ => Err(ParameterError::InvalidPort(value.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn arguments_of(value: Value) -> Result<LaunchArguments, ParameterError> {
        launch_arguments(value.as_object().expect("test parameters are an object"))
    }

    #[test]
    fn underscores_become_dashes_and_values_follow() {
        let arguments = arguments_of(json!({"ctx_size": 4096, "flash-attn": "on"})).unwrap();
        assert_eq!(arguments.flags, ["--ctx-size", "4096", "--flash-attn", "on"]);
    }

    #[test]
    fn true_is_bare_flag_false_is_omitted() {
        let arguments = arguments_of(json!({"jinja": true, "mlock": false, "x": null})).unwrap();
        assert_eq!(arguments.flags, ["--jinja"]);
    }

    #[test]
    fn arrays_repeat_the_flag() {
        let arguments = arguments_of(json!({"lora": ["a.gguf", "b.gguf"]})).unwrap();
        assert_eq!(arguments.flags, ["--lora", "a.gguf", "--lora", "b.gguf"]);
    }

    #[test]
    fn port_pins_instead_of_passing() {
        let arguments = arguments_of(json!({"port": 8081, "threads": 2})).unwrap();
        assert_eq!(arguments.pinned_port, Some(8081));
        assert_eq!(arguments.flags, ["--threads", "2"]);
    }

    #[test]
    fn invalid_port_is_rejected() {
        assert!(matches!(arguments_of(json!({"port": 70000})), Err(ParameterError::InvalidPort(_))));
        assert!(matches!(arguments_of(json!({"port": "x"})), Err(ParameterError::InvalidPort(_))));
    }

    #[test]
    fn reserved_flags_are_rejected() {
        for key in ["model", "alias", "host", "--model"] {
            let result = arguments_of(json!({key: "x"}));
            assert_eq!(result, Err(ParameterError::Reserved(key.to_owned())), "{key}");
        }
    }

    #[test]
    fn dashed_keys_are_kept() {
        let arguments = arguments_of(json!({"-ngl": 99})).unwrap();
        assert_eq!(arguments.flags, ["-ngl", "99"]);
    }
}
