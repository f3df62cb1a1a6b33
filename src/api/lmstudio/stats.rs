//! The fields LM Studio's REST API adds to an OpenAI reply: `stats`, `model_info`, `runtime`.

use serde_json::{Map, Value, json};

use crate::api::model_facts::ModelFacts;

/// The extra fields of one exchange, known before the reply arrives except for `stats`.
#[derive(Debug, Clone)]
pub(crate) struct ReplyExtras {
    model_info: Value,
}

impl ReplyExtras {
    pub(crate) fn new(facts: &ModelFacts, served_context: Option<u64>) -> Self {
        Self {
            model_info: json!({
                "arch": facts.architecture(),
                "quant": facts.quantization(),
                "format": "gguf",
                "context_length": served_context.unwrap_or(0),
            }),
        }
    }

    /// Adds `stats` (when the reply has llama-server `timings`), `model_info` and `runtime` to a
    /// reply object. `finish_reason` is the one seen so far, for streams whose last chunk has none.
    pub(crate) fn add_to(&self, reply: &mut Map<String, Value>, finish_reason: Option<&str>) {
        let timings = reply.get("timings").cloned();
        if let Some(stats) = timings.as_ref().and_then(|timings| stats(timings, finish_reason)) {
            reply.insert("stats".to_owned(), stats);
        }
        reply.insert("model_info".to_owned(), self.model_info.clone());
        reply.insert("runtime".to_owned(), runtime());
    }
}

/// `finish_reason` of the first choice, when the object has one.
pub(crate) fn finish_reason_of(reply: &Map<String, Value>) -> Option<String> {
    reply
        .get("choices")
        .and_then(Value::as_array)
        .and_then(|choices| choices.first())
        .and_then(|choice| choice.get("finish_reason"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// LM Studio's `stats` from llama-server's `timings` (milliseconds); times are in seconds.
fn stats(timings: &Value, finish_reason: Option<&str>) -> Option<Value> {
    let timings = timings.as_object()?;
    let number = |name: &str| timings.get(name).and_then(Value::as_f64);
    let predicted_ms = number("predicted_ms").unwrap_or(0.0);
    let predicted_n = number("predicted_n").unwrap_or(0.0);
    let tokens_per_second = number("predicted_per_second")
        .or_else(|| (predicted_ms > 0.0).then(|| predicted_n * 1000.0 / predicted_ms))
        .unwrap_or(0.0);

    Some(json!({
        "tokens_per_second": tokens_per_second,
        "time_to_first_token": number("prompt_ms").unwrap_or(0.0) / 1000.0,
        "generation_time": predicted_ms / 1000.0,
        "stop_reason": stop_reason(finish_reason),
    }))
}

/// LM Studio's names for why generation stopped.
fn stop_reason(finish_reason: Option<&str>) -> &'static str {
    match finish_reason {
        Some("length") => "maxPredictedTokensReached",
        Some("tool_calls") => "toolCalls",
        _ => "eosFound",
    }
}

fn runtime() -> Value {
    // NOTE: llama-server's build is not asked for its version, so none is reported.
    json!({"name": "llama.cpp-llama-server", "version": "unknown", "supported_formats": ["gguf"]})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::test_support::{facts, metadata, spec};

    #[test]
    fn reply_gets_stats_model_info_and_runtime() {
        let extras = ReplyExtras::new(&facts(spec("m1", &[], true), Some(metadata())), Some(2048));
        let mut reply = json!({
            "choices": [{"finish_reason": "length", "message": {"content": "hi"}}],
            "timings": {"prompt_n": 5, "prompt_ms": 111.0, "predicted_n": 50, "predicted_ms": 954.0, "predicted_per_second": 52.4}
        })
        .as_object()
        .cloned()
        .unwrap();

        let finish_reason = finish_reason_of(&reply);
        extras.add_to(&mut reply, finish_reason.as_deref());

        assert_eq!(
            reply["stats"],
            json!({"tokens_per_second": 52.4, "time_to_first_token": 0.111, "generation_time": 0.954, "stop_reason": "maxPredictedTokensReached"})
        );
        assert_eq!(reply["model_info"], json!({"arch": "llama", "quant": "Q4_K_M", "format": "gguf", "context_length": 2048}));
        assert_eq!(reply["runtime"]["supported_formats"], json!(["gguf"]));
    }

    #[test]
    fn reply_without_timings_gets_no_stats() {
        let extras = ReplyExtras::new(&facts(spec("m1", &[], true), None), None);
        let mut reply = Map::new();
        extras.add_to(&mut reply, None);
        assert!(!reply.contains_key("stats"));
        assert_eq!(reply["model_info"]["context_length"], 0);
    }

    #[test]
    fn tokens_per_second_is_computed_when_missing() {
        let stats = stats(&json!({"predicted_n": 20, "predicted_ms": 400.0}), Some("tool_calls")).unwrap();
        assert_eq!(stats["tokens_per_second"], 50.0);
        assert_eq!(stats["stop_reason"], "toolCalls");
    }
}
