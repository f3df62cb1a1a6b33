//! The model description that `/api/tags`, `/api/ps` and `/api/show` share.

use serde_json::{Map, Value, json};

use crate::api::model_facts::ModelFacts;
use crate::api::timestamp::rfc3339;

/// Ollama's `details`, with "" and [] where a fact is unknown, never null.
pub(crate) fn details(facts: &ModelFacts) -> Value {
    let family = facts.family();
    let families: Vec<&str> = if family.is_empty() { Vec::new() } else { vec![family.as_str()] };
    json!({
        "parent_model": "",
        "format": "gguf",
        "family": family,
        "families": families,
        "parameter_size": facts.parameter_size(),
        "quantization_level": facts.quantization(),
    })
}

/// Builds a `/api/tags` entry: `name`, `model`, `modified_at`, `size`, `digest`, `details`.
pub(crate) fn tag_entry(facts: &ModelFacts) -> Map<String, Value> {
    let mut entry = Map::new();
    entry.insert("name".to_owned(), Value::String(facts.spec.id.to_string()));
    entry.insert("model".to_owned(), Value::String(facts.spec.id.to_string()));
    entry.insert("modified_at".to_owned(), Value::String(rfc3339(facts.modified)));
    entry.insert("size".to_owned(), json!(facts.size()));
    entry.insert("digest".to_owned(), Value::String(facts.digest.clone()));
    entry.insert("details".to_owned(), details(facts));
    entry
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn unreadable_model_still_has_no_nulls() {
        let mut spec = crate::api::test_support::spec("org/Model-7B", &[], true);
        spec.model_path = "/missing/model.gguf".into();

        let entry = Value::Object(tag_entry(&ModelFacts::from_flags(Arc::new(spec))));

        assert_eq!(entry["name"], "org/Model-7B");
        assert_eq!(entry["model"], "org/Model-7B");
        assert_eq!(entry["modified_at"], "1970-01-01T00:00:00Z");
        assert_eq!(entry["size"], 0);
        assert_eq!(entry["digest"].as_str().unwrap().len(), 64);
        assert_eq!(
            entry["details"],
            json!({"parent_model": "", "format": "gguf", "family": "", "families": [], "parameter_size": "", "quantization_level": ""})
        );
        assert!(!entry.to_string().contains("null"));
    }
}
