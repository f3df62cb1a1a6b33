//! Builders of model specs and facts for the unit tests of the dialects.

use std::sync::Arc;
use std::time::UNIX_EPOCH;

use super::model_facts::ModelFacts;
use crate::config::{ModelSpec, RuntimeSpec};
use crate::gguf::ModelMetadata;

/// Resolves a model entry from a config file, then replaces its `flags` and tool support.
pub(crate) fn spec(id: &str, flags: &[&str], supports_tools: bool) -> ModelSpec {
    let config = serde_json::json!({"models": {id: {"model_path": format!("/models/{}.gguf", id.replace('/', "_"))}}});
    let raw: crate::config::RawConfig = serde_json::from_value(config).expect("test config parses");
    let settings = crate::config::Settings::from_raw(&raw).expect("test config resolves");
    let resolved = settings.model(id).expect("the test model is configured");
    ModelSpec {
        runtime: RuntimeSpec {
            program: "llama-server".to_owned(),
            supports_tools,
        },
        flags: flags.iter().map(|flag| (*flag).to_owned()).collect(),
        ..ModelSpec::clone(resolved)
    }
}

/// Metadata of a small llama model with an 8192-token trained context and no template.
pub(crate) fn metadata() -> ModelMetadata {
    ModelMetadata {
        architecture: Some("llama".to_owned()),
        name: Some("Tiny".to_owned()),
        basename: Some("tiny".to_owned()),
        size_label: None,
        parameter_count: 268_098_176,
        file_type: Some(15),
        quantization: Some("Q4_K_M".to_owned()),
        context_length: Some(8192),
        embedding_length: Some(640),
        block_count: Some(18),
        head_count: Some(4),
        head_count_kv: Some(1),
        key_length: None,
        value_length: None,
        pooling_type: None,
        chat_template: None,
        has_fill_in_middle: false,
        tensor_bytes: 0,
        file_size: 1000,
        split_count: 1,
        model_info: serde_json::json!({"general.architecture": "llama", "llama.context_length": 8192, "general.organization": "Acme"})
            .as_object()
            .cloned()
            .unwrap_or_default(),
    }
}

pub(crate) fn facts(spec: ModelSpec, metadata: Option<ModelMetadata>) -> ModelFacts {
    ModelFacts {
        spec: Arc::new(spec),
        metadata: metadata.map(Arc::new),
        file_size: 1000,
        modified: UNIX_EPOCH,
        digest: "0".repeat(64),
    }
}
