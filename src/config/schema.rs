//! The JSON Schema of the config file, generated from the types the loader deserializes.

use super::raw::RawConfig;

/// Returns the JSON Schema (draft 2020-12) of `config.json`.
pub fn config_schema() -> serde_json::Value {
    let schema = schemars::schema_for!(RawConfig);
    schema.to_value()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_lists_top_level_keys() {
        let schema = config_schema();
        let properties = schema["properties"].as_object().expect("properties");
        for key in ["$schema", "llama-runtimes", "models", "models_dir", "default_parameters", "circuitBreaker", "timeouts", "dashboard"] {
            assert!(properties.contains_key(key), "missing {key}");
        }
    }
}
