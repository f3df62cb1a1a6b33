//! Ollama chat messages to OpenAI's form: images become content parts, assistant tool calls get
//! `type` and `id` with `arguments` as JSON text, and tool results get the matching
//! `tool_call_id`.

use std::collections::VecDeque;

use serde::Deserialize;
use serde_json::{Value, json};

use super::error::OllamaError;

/// One entry of an Ollama request's `messages`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct OllamaMessage {
    pub role: String,
    #[serde(default)]
    pub content: Option<String>,
    /// Base64-encoded images, or data URLs.
    #[serde(default)]
    pub images: Option<Vec<String>>,
    #[serde(default)]
    pub tool_calls: Option<Vec<Value>>,
    /// Name of the tool whose result a `tool` message carries.
    #[serde(default)]
    pub tool_name: Option<String>,
    /// Accepted from clients that already speak OpenAI's form.
    #[serde(default)]
    pub tool_call_id: Option<String>,
    #[serde(default)]
    pub thinking: Option<String>,
}

/// Converts a chat history. Fails on images for a model without a projector and on tool-call
/// arguments that are neither an object nor JSON text.
pub(crate) fn openai_messages(messages: &[OllamaMessage], accepts_images: bool, model: &str) -> Result<Vec<Value>, OllamaError> {
    // Calls of the latest assistant message still waiting for their tool result: (id, name).
    let mut pending_calls: VecDeque<(String, String)> = VecDeque::new();
    let mut converted = Vec::with_capacity(messages.len());

    for (position, message) in messages.iter().enumerate() {
        let role = message.role.to_ascii_lowercase();
        let text = message.content.clone().unwrap_or_default();
        let images = message.images.as_deref().unwrap_or_default();
        if !images.is_empty() && !accepts_images {
            return Err(OllamaError::invalid(format!(
                "model '{model}' does not accept images: configure an --mmproj projector in its parameters"
            )));
        }

        let mut openai = json!({"role": role, "content": content_value(text, images)});

        if let Some(calls) = message.tool_calls.as_deref().filter(|calls| !calls.is_empty()) {
            pending_calls.clear();
            let mut openai_calls = Vec::with_capacity(calls.len());
            for (index, call) in calls.iter().enumerate() {
                let openai_call = openai_tool_call(call, position, index)?;
                let id = openai_call["id"].as_str().unwrap_or_default().to_owned();
                let name = openai_call["function"]["name"].as_str().unwrap_or_default().to_owned();
                pending_calls.push_back((id, name));
                openai_calls.push(openai_call);
            }
            openai["tool_calls"] = Value::Array(openai_calls);
        }

        if role == "tool" {
            let id = message
                .tool_call_id
                .clone()
                .or_else(|| take_pending_call(&mut pending_calls, message.tool_name.as_deref()));
            if let Some(id) = id {
                openai["tool_call_id"] = Value::String(id);
            }
        }

        if let Some(thinking) = message.thinking.as_deref().filter(|thinking| !thinking.is_empty()) {
            openai["reasoning_content"] = Value::String(thinking.to_owned());
        }

        converted.push(openai);
    }
    Ok(converted)
}

/// Removes and returns the id of the pending call named `tool_name`, else of the oldest one.
fn take_pending_call(pending: &mut VecDeque<(String, String)>, tool_name: Option<&str>) -> Option<String> {
    let by_name = tool_name.and_then(|name| pending.iter().position(|(_, pending_name)| pending_name == name));
    let position = by_name.unwrap_or(0);
    pending.remove(position).map(|(id, _)| id)
}

fn openai_tool_call(call: &Value, message_position: usize, index: usize) -> Result<Value, OllamaError> {
    let function = call.get("function").cloned().unwrap_or_else(|| json!({}));
    let name = function.get("name").and_then(Value::as_str).unwrap_or_default().to_owned();

    let arguments = match function.get("arguments") {
        None | Some(Value::Null) => "{}".to_owned(),
        Some(Value::Object(object)) => Value::Object(object.clone()).to_string(),
        Some(Value::String(text)) => match serde_json::from_str::<Value>(text) {
            Ok(parsed) => parsed.to_string(),
            Err(error) => {
                return Err(OllamaError::invalid(format!(
                    "invalid arguments of tool call '{name}' in message {message_position}: not valid JSON ({error})"
                )));
            }
        },
        Some(other) => {
            return Err(OllamaError::invalid(format!(
                "invalid arguments of tool call '{name}' in message {message_position}: expected a JSON object, got {other}"
            )));
        }
    };

    let id = call
        .get("id")
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty())
        .map_or_else(|| format!("call_{message_position}_{index}"), str::to_owned);
    Ok(json!({"id": id, "type": "function", "function": {"name": name, "arguments": arguments}}))
}

/// Plain text, or text and image parts when there are images.
fn content_value(text: String, images: &[String]) -> Value {
    if images.is_empty() {
        return Value::String(text);
    }
    let mut parts = vec![json!({"type": "text", "text": text})];
    parts.extend(images.iter().map(|image| image_part(image)));
    Value::Array(parts)
}

/// Builds an OpenAI image part for a base64 image, with the media type read from its first bytes.
pub(crate) fn image_part(image: &str) -> Value {
    let url = if image.starts_with("data:") {
        image.to_owned()
    } else {
        format!("data:{};base64,{image}", image_media_type(image))
    };
    json!({"type": "image_url", "image_url": {"url": url}})
}

fn image_media_type(base64: &str) -> &'static str {
    // Base64 of each format's magic bytes.
    const SIGNATURES: [(&str, &str); 4] = [
        ("iVBORw0KGgo", "image/png"),
        ("/9j/", "image/jpeg"),
        ("R0lGOD", "image/gif"),
        ("UklGR", "image/webp"),
    ];
    SIGNATURES
        .iter()
        .find(|(prefix, _)| base64.starts_with(prefix))
        .map_or("image/png", |(_, media_type)| media_type)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(value: Value) -> Vec<OllamaMessage> {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn tool_history_gets_openai_ids_and_text_arguments() {
        let history = messages(json!([
            {"role": "user", "content": "Weather and time in Paris?"},
            {"role": "assistant", "content": "", "tool_calls": [
                {"function": {"name": "get_weather", "arguments": {"city": "Paris"}}},
                {"function": {"name": "get_time", "arguments": "{\"tz\": \"CET\"}"}}
            ]},
            {"role": "tool", "content": "12:00", "tool_name": "get_time"},
            {"role": "tool", "content": "sunny"}
        ]));

        let converted = openai_messages(&history, false, "m1").unwrap();

        assert_eq!(
            converted[1]["tool_calls"],
            json!([
                {"id": "call_1_0", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}},
                {"id": "call_1_1", "type": "function", "function": {"name": "get_time", "arguments": "{\"tz\":\"CET\"}"}}
            ])
        );
        assert_eq!(converted[2]["tool_call_id"], "call_1_1");
        assert_eq!(converted[3]["tool_call_id"], "call_1_0");
        assert_eq!(converted[3]["role"], "tool");
    }

    #[test]
    fn given_ids_are_kept() {
        let history = messages(json!([
            {"role": "assistant", "tool_calls": [{"id": "abc", "function": {"name": "f", "arguments": {}}}]},
            {"role": "tool", "content": "1", "tool_call_id": "abc"}
        ]));

        let converted = openai_messages(&history, false, "m1").unwrap();

        assert_eq!(converted[0]["tool_calls"][0]["id"], "abc");
        assert_eq!(converted[0]["content"], "");
        assert_eq!(converted[1]["tool_call_id"], "abc");
    }

    #[test]
    fn unparseable_argument_text_is_rejected() {
        let history = messages(json!([
            {"role": "assistant", "tool_calls": [{"function": {"name": "f", "arguments": "{oops"}}]}
        ]));

        let error = openai_messages(&history, false, "m1").unwrap_err();

        assert_eq!(error.status(), http::StatusCode::BAD_REQUEST);
        assert!(error.to_string().contains("'f'"), "{error}");
    }

    #[test]
    fn images_become_data_url_parts() {
        let history = messages(json!([{"role": "user", "content": "what is this?", "images": ["iVBORw0KGgoAAA", "/9j/4AAQ"]}]));

        let converted = openai_messages(&history, true, "m1").unwrap();

        assert_eq!(
            converted[0]["content"],
            json!([
                {"type": "text", "text": "what is this?"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgoAAA"}},
                {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,/9j/4AAQ"}}
            ])
        );
    }

    #[test]
    fn images_for_a_model_without_projector_are_rejected() {
        let history = messages(json!([{"role": "user", "content": "x", "images": ["iVBORw0KGgo"]}]));
        let error = openai_messages(&history, false, "m1").unwrap_err();
        assert_eq!(error.status(), http::StatusCode::BAD_REQUEST);
    }

    #[test]
    fn thinking_and_roles_are_carried() {
        let history = messages(json!([{"role": "Assistant", "content": "4", "thinking": "2+2"}]));
        let converted = openai_messages(&history, false, "m1").unwrap();
        assert_eq!(converted[0], json!({"role": "assistant", "content": "4", "reasoning_content": "2+2"}));
    }
}
