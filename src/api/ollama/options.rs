//! Ollama's `options`: sampling settings become llama-server request fields, and `num_ctx`
//! chooses the context size the model runs with.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::error::OllamaError;
use crate::api::launch_flags::{configured_context_size, with_context_size};
use crate::config::ModelSpec;

/// Options that llama-server's completion endpoints read under the same name.
const SAME_NAME: [&str; 14] = [
    "temperature",
    "top_k",
    "top_p",
    "min_p",
    "typical_p",
    "repeat_penalty",
    "repeat_last_n",
    "presence_penalty",
    "frequency_penalty",
    "seed",
    "stop",
    "mirostat",
    "mirostat_tau",
    "mirostat_eta",
];

/// Ollama options with a llama-server request field of another name.
const RENAMED: [(&str, &str); 2] = [("num_predict", "max_tokens"), ("num_keep", "n_keep")];

/// Load-time options that Ollama applies when it starts a runner. llama-server takes their
/// counterparts as launch flags, which come from the model's `parameters`, so they are ignored.
const IGNORED_LOAD_TIME: [&str; 12] = [
    "numa",
    "num_batch",
    "num_gpu",
    "main_gpu",
    "low_vram",
    "f16_kv",
    "logits_all",
    "vocab_only",
    "use_mmap",
    "use_mlock",
    "num_thread",
    "embedding_only",
];

/// The parts of a request's `options`.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct RequestOptions {
    /// Fields to merge into the llama-server request body.
    pub sampling: Map<String, Value>,
    /// `num_ctx`: the context size in tokens the model should run with.
    pub context_size: Option<u64>,
}

impl RequestOptions {
    /// Reads `options`; `null` or absent gives no options.
    pub(crate) fn parse(model: &str, options: Option<&Value>) -> Result<Self, OllamaError> {
        let options = match options {
            None | Some(Value::Null) => return Ok(Self::default()),
            Some(Value::Object(options)) => options,
            Some(other) => return Err(OllamaError::invalid(format!("invalid options {other}: expected a JSON object"))),
        };

        let mut parsed = Self::default();
        for (name, value) in options {
            if value.is_null() {
                continue;
            }
            if name == "num_ctx" {
                parsed.context_size = Some(context_size(value)?);
            } else if SAME_NAME.contains(&name.as_str()) {
                parsed.sampling.insert(name.clone(), value.clone());
            } else if let Some((_, field)) = RENAMED.iter().find(|(option, _)| option == name) {
                parsed.sampling.insert((*field).to_owned(), value.clone());
            } else if IGNORED_LOAD_TIME.contains(&name.as_str()) {
                tracing::debug!(model, option = %name, "ignoring a load-time option: set it in the model's parameters");
            } else {
                tracing::debug!(model, option = %name, "ignoring an unknown option");
            }
        }
        Ok(parsed)
    }

    /// Adds the sampling fields to a llama-server request body.
    pub(crate) fn apply(&self, body: &mut Map<String, Value>) {
        for (name, value) in &self.sampling {
            body.insert(name.clone(), value.clone());
        }
    }

    /// Returns the spec to start the model with: the configured one, or a copy with the context
    /// size of `num_ctx` when it differs from the configured one. The pool restarts a running
    /// process whose launch flags differ, once its requests in flight have finished.
    pub(crate) fn spec_for(&self, spec: &Arc<ModelSpec>) -> Arc<ModelSpec> {
        match self.context_size {
            Some(size) if configured_context_size(&spec.flags) != Some(size) => Arc::new(with_context_size(spec, size)),
            _ => spec.clone(),
        }
    }
}

fn context_size(value: &Value) -> Result<u64, OllamaError> {
    value
        .as_u64()
        .or_else(|| value.as_f64().filter(|size| size.fract() == 0.0 && *size >= 0.0).map(|size| size as u64))
        .filter(|size| *size > 0)
        .ok_or_else(|| OllamaError::invalid(format!("invalid options.num_ctx {value}: expected a positive integer")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(options: Value) -> RequestOptions {
        RequestOptions::parse("m1", Some(&options)).unwrap()
    }

    #[test]
    fn sampling_options_map_to_llama_server_fields() {
        let options = parse(json!({
            "num_predict": 100, "temperature": 0.2, "top_k": 20, "top_p": 0.9, "min_p": 0.05,
            "typical_p": 0.7, "repeat_penalty": 1.1, "repeat_last_n": 33, "presence_penalty": 1.5,
            "frequency_penalty": 1.0, "seed": 42, "stop": ["\n", "user:"], "mirostat": 1,
            "mirostat_tau": 0.8, "mirostat_eta": 0.6, "num_keep": 5
        }));

        let mut body = Map::new();
        options.apply(&mut body);

        assert_eq!(
            Value::Object(body),
            json!({
                "max_tokens": 100, "temperature": 0.2, "top_k": 20, "top_p": 0.9, "min_p": 0.05,
                "typical_p": 0.7, "repeat_penalty": 1.1, "repeat_last_n": 33, "presence_penalty": 1.5,
                "frequency_penalty": 1.0, "seed": 42, "stop": ["\n", "user:"], "mirostat": 1,
                "mirostat_tau": 0.8, "mirostat_eta": 0.6, "n_keep": 5
            })
        );
        assert_eq!(options.context_size, None);
    }

    #[test]
    fn load_time_and_unknown_options_are_ignored() {
        let options = parse(json!({"num_gpu": 1, "use_mmap": true, "num_thread": 8, "made_up": 1, "temperature": null}));
        assert!(options.sampling.is_empty());
    }

    #[test]
    fn num_ctx_must_be_a_positive_integer() {
        assert_eq!(parse(json!({"num_ctx": 8192})).context_size, Some(8192));
        assert_eq!(parse(json!({"num_ctx": 4096.0})).context_size, Some(4096));
        for invalid in [json!({"num_ctx": 0}), json!({"num_ctx": "big"}), json!({"num_ctx": 1.5}), json!([1])] {
            let error = RequestOptions::parse("m1", Some(&invalid)).unwrap_err();
            assert_eq!(error.status(), http::StatusCode::BAD_REQUEST, "{invalid}");
        }
    }

    #[test]
    fn num_ctx_changes_the_launch_only_when_it_differs() {
        let spec = Arc::new(crate::api::test_support::spec("m1", &["--ctx-size", "4096"], true));

        assert!(Arc::ptr_eq(&parse(json!({"num_ctx": 4096})).spec_for(&spec), &spec));
        assert!(Arc::ptr_eq(&parse(json!({})).spec_for(&spec), &spec));
        let derived = parse(json!({"num_ctx": 8192})).spec_for(&spec);
        assert_eq!(derived.flags, ["--ctx-size", "8192"]);
    }
}
