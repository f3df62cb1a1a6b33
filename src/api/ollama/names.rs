//! Resolving an Ollama model name to a configured model.

use std::sync::Arc;

use crate::config::{ModelSpec, Settings};
use crate::proxy::ProxyError;

/// The tag Ollama assumes when a name has none.
const DEFAULT_TAG: &str = ":latest";

/// Finds the model named `name`. Ids are matched whole and never split on `:` or `/`. An id
/// without a tag also matches `id:latest`, and `id` also matches a configured `id:latest`.
pub(crate) fn resolve_model(settings: &Settings, name: &str) -> Result<Arc<ModelSpec>, ProxyError> {
    if name.trim().is_empty() {
        return Err(ProxyError::MissingModel);
    }

    let tagless = name.strip_suffix(DEFAULT_TAG);
    let tagged = format!("{name}{DEFAULT_TAG}");
    [Some(name), tagless, Some(tagged.as_str())]
        .into_iter()
        .flatten()
        .find_map(|candidate| settings.model(candidate))
        .cloned()
        .ok_or_else(|| ProxyError::UnknownModel(name.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn settings(ids: &[&str]) -> Settings {
        let models: serde_json::Map<String, serde_json::Value> = ids
            .iter()
            .map(|id| ((*id).to_owned(), json!({"model_path": format!("/models/{}.gguf", id.replace('/', "_"))})))
            .collect();
        let raw: crate::config::RawConfig = serde_json::from_value(json!({"models": models})).unwrap();
        Settings::from_raw(&raw).unwrap()
    }

    #[test]
    fn ids_with_colons_and_slashes_resolve_exactly() {
        let settings = settings(&["qwen3:8b", "org/Model-7B", "m1"]);

        assert_eq!(&*resolve_model(&settings, "qwen3:8b").unwrap().id, "qwen3:8b");
        assert_eq!(&*resolve_model(&settings, "org/Model-7B").unwrap().id, "org/Model-7B");
        assert_eq!(&*resolve_model(&settings, "m1").unwrap().id, "m1");
        assert!(matches!(resolve_model(&settings, "qwen3"), Err(ProxyError::UnknownModel(_))));
        assert!(matches!(resolve_model(&settings, "Model-7B"), Err(ProxyError::UnknownModel(_))));
    }

    #[test]
    fn latest_tag_is_optional() {
        let settings = settings(&["m1", "m2:latest"]);

        assert_eq!(&*resolve_model(&settings, "m1:latest").unwrap().id, "m1");
        assert_eq!(&*resolve_model(&settings, "m2").unwrap().id, "m2:latest");
        assert!(matches!(resolve_model(&settings, "m1:8b"), Err(ProxyError::UnknownModel(_))));
    }

    #[test]
    fn empty_name_is_missing() {
        let settings = settings(&["m1"]);
        assert_eq!(resolve_model(&settings, " ").unwrap_err(), ProxyError::MissingModel);
    }
}
