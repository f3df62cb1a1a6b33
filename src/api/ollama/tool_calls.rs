//! Tool calls from llama-server's OpenAI form to Ollama's: `arguments` as a JSON object and no
//! `id`, whole calls only, also when the upstream streams them in fragments.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

/// Converts the `tool_calls` of an OpenAI message to Ollama's form.
pub(crate) fn ollama_tool_calls(model: &str, calls: &[Value]) -> Vec<Value> {
    calls
        .iter()
        .map(|call| {
            let function = call.get("function");
            let name = function.and_then(|function| function.get("name")).and_then(Value::as_str).unwrap_or("");
            let arguments = function.and_then(|function| function.get("arguments"));
            ollama_call(name, arguments_object(model, name, arguments))
        })
        .collect()
}

fn ollama_call(name: &str, arguments: Map<String, Value>) -> Value {
    json!({"function": {"name": name, "arguments": arguments}})
}

/// Reads OpenAI's `arguments` (a JSON text, or an object from a lenient server) as an object.
/// Empty text gives `{}`; text that is not a JSON object is logged and also gives `{}`, because
/// Ollama clients accept only an object here.
fn arguments_object(model: &str, name: &str, arguments: Option<&Value>) -> Map<String, Value> {
    match arguments {
        Some(Value::Object(object)) => object.clone(),
        Some(Value::String(text)) if text.trim().is_empty() => Map::new(),
        Some(Value::String(text)) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(object)) => object,
            Ok(_) | Err(_) => {
                tracing::warn!(model, tool = name, length = text.len(), "tool call arguments are not a JSON object; sending {{}}");
                Map::new()
            }
        },
        _ => Map::new(),
    }
}

/// One call being assembled from stream fragments.
#[derive(Debug, Default)]
struct PartialCall {
    name: String,
    arguments: String,
}

/// Collects streamed tool-call fragments by their `index` until the upstream finishes them.
#[derive(Debug, Default)]
pub(crate) struct ToolCallAssembler {
    calls: BTreeMap<u64, PartialCall>,
}

impl ToolCallAssembler {
    /// Adds the fragments of one `delta.tool_calls` array.
    pub(crate) fn push(&mut self, fragments: &[Value]) {
        for (position, fragment) in fragments.iter().enumerate() {
            let index = fragment.get("index").and_then(Value::as_u64).unwrap_or(position as u64);
            let call = self.calls.entry(index).or_default();
            let Some(function) = fragment.get("function") else {
                continue;
            };
            if let Some(name) = function.get("name").and_then(Value::as_str) {
                call.name.push_str(name);
            }
            match function.get("arguments") {
                Some(Value::String(text)) => call.arguments.push_str(text),
                Some(Value::Object(object)) => call.arguments.push_str(&Value::Object(object.clone()).to_string()),
                _ => {}
            }
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }

    /// Returns the assembled calls in index order, in Ollama's form, and starts over.
    pub(crate) fn take(&mut self, model: &str) -> Vec<Value> {
        std::mem::take(&mut self.calls)
            .into_values()
            .map(|call| {
                let arguments = Value::String(call.arguments);
                ollama_call(&call.name, arguments_object(model, &call.name, Some(&arguments)))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openai_calls_become_ollama_calls_without_ids() {
        let calls = [
            json!({"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}),
            json!({"id": "call_2", "type": "function", "function": {"name": "get_time", "arguments": ""}}),
        ];

        assert_eq!(
            ollama_tool_calls("m1", &calls),
            [
                json!({"function": {"name": "get_weather", "arguments": {"city": "Paris"}}}),
                json!({"function": {"name": "get_time", "arguments": {}}}),
            ]
        );
    }

    #[test]
    fn object_arguments_are_kept_and_garbage_becomes_empty() {
        let calls = [
            json!({"function": {"name": "a", "arguments": {"x": 1}}}),
            json!({"function": {"name": "b", "arguments": "{not json"}}),
            json!({"function": {"name": "c", "arguments": "[1,2]"}}),
        ];

        let converted = ollama_tool_calls("m1", &calls);

        assert_eq!(converted[0]["function"]["arguments"], json!({"x": 1}));
        assert_eq!(converted[1]["function"]["arguments"], json!({}));
        assert_eq!(converted[2]["function"]["arguments"], json!({}));
    }

    #[test]
    fn parallel_fragments_assemble_by_index() {
        let mut assembler = ToolCallAssembler::default();
        assembler.push(&[json!({"index": 0, "id": "c0", "type": "function", "function": {"name": "get_weather", "arguments": ""}})]);
        assembler.push(&[json!({"index": 0, "function": {"arguments": "{\"city\":"}})]);
        assembler.push(&[json!({"index": 1, "id": "c1", "type": "function", "function": {"name": "get_time", "arguments": "{\"tz\""}})]);
        assembler.push(&[json!({"index": 0, "function": {"arguments": "\"Paris\"}"}})]);
        assembler.push(&[json!({"index": 1, "function": {"arguments": ":\"UTC\"}"}})]);

        assert!(!assembler.is_empty());
        assert_eq!(
            assembler.take("m1"),
            [
                json!({"function": {"name": "get_weather", "arguments": {"city": "Paris"}}}),
                json!({"function": {"name": "get_time", "arguments": {"tz": "UTC"}}}),
            ]
        );
        assert!(assembler.is_empty());
    }
}
