//! Ollama chat and generate requests translated to the llama-server endpoint that serves them.

use serde_json::{Map, Value, json};

use super::error::OllamaError;
use super::messages::{OllamaMessage, openai_messages};
use super::options::RequestOptions;
use super::request_types::{ChatRequest, GenerateRequest};
use crate::api::model_facts::ModelFacts;

/// The llama-server endpoint a request goes to, which fixes the shape of its reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UpstreamFormat {
    /// `/v1/chat/completions`: the model's chat template is applied.
    Chat,
    /// `/v1/completions`: the prompt is sent as it is.
    Text,
    /// llama-server's own `/infill`, for fill-in-the-middle.
    Infill,
}

impl UpstreamFormat {
    pub(crate) fn path(self) -> &'static str {
        match self {
            UpstreamFormat::Chat => "/v1/chat/completions",
            UpstreamFormat::Text => "/v1/completions",
            UpstreamFormat::Infill => "/infill",
        }
    }
}

/// A translated request: where it goes and its body.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct UpstreamRequest {
    pub format: UpstreamFormat,
    pub body: Value,
}

/// Builds the `/v1/chat/completions` body of an Ollama chat request.
pub(crate) fn chat_request(request: &ChatRequest, facts: &ModelFacts, options: &RequestOptions, stream: bool) -> Result<UpstreamRequest, OllamaError> {
    let model = &facts.spec.id;
    let messages = request.messages.as_deref().unwrap_or_default();
    let mut body = Map::new();
    body.insert("messages".to_owned(), Value::Array(openai_messages(messages, facts.accepts_images(), model)?));

    let tools = request.tools.as_ref().filter(|tools| tools.as_array().is_some_and(|tools| !tools.is_empty()));
    if let Some(tools) = tools {
        if facts.spec.runtime.supports_tools {
            body.insert("tools".to_owned(), tools.clone());
        } else {
            tracing::debug!(model = %model, "dropping tools: the runtime is configured with supports_tools false");
        }
    }

    if let Some(format) = response_format(request.format.as_ref())? {
        body.insert("response_format".to_owned(), format);
    }
    if let Some(enabled) = thinking(request.think.as_ref())? {
        body.insert("chat_template_kwargs".to_owned(), json!({"enable_thinking": enabled}));
    }

    Ok(UpstreamRequest {
        format: UpstreamFormat::Chat,
        body: finish_body(body, model, options, stream, UpstreamFormat::Chat),
    })
}

/// Chooses the endpoint of an Ollama generate request and builds its body: `/infill` with a
/// suffix, the chat endpoint with images or (unless `raw`) a system prompt, else
/// `/v1/completions`.
pub(crate) fn generate_request(request: &GenerateRequest, facts: &ModelFacts, options: &RequestOptions, stream: bool) -> Result<UpstreamRequest, OllamaError> {
    let model = &facts.spec.id;
    let prompt = request.prompt.clone().unwrap_or_default();
    let suffix = request.suffix.as_deref().unwrap_or_default();
    let system = request.system.as_deref().unwrap_or_default();
    let images = request.images.clone().unwrap_or_default();
    if request.template.as_deref().is_some_and(|template| !template.is_empty()) {
        tracing::debug!(model = %model, "ignoring the request's template: llama-server applies the model's own chat template");
    }

    if !suffix.is_empty() {
        if !facts.has_fill_in_middle() {
            return Err(OllamaError::invalid(format!("model '{model}' does not support insert")));
        }
        let mut body = Map::new();
        body.insert("input_prefix".to_owned(), Value::String(prompt));
        body.insert("input_suffix".to_owned(), Value::String(suffix.to_owned()));
        if let Some(schema) = json_schema(request.format.as_ref())? {
            body.insert("json_schema".to_owned(), schema);
        }
        return Ok(UpstreamRequest {
            format: UpstreamFormat::Infill,
            body: finish_body(body, model, options, stream, UpstreamFormat::Infill),
        });
    }

    // Raw mode skips every template, so only images (which need the chat endpoint) use it then.
    let raw = request.raw.unwrap_or(false);
    if !images.is_empty() || (!system.is_empty() && !raw) {
        let mut messages = Vec::new();
        if !system.is_empty() && !raw {
            messages.push(OllamaMessage {
                role: "system".to_owned(),
                content: Some(system.to_owned()),
                ..OllamaMessage::default()
            });
        }
        messages.push(OllamaMessage {
            role: "user".to_owned(),
            content: Some(prompt),
            images: Some(images),
            ..OllamaMessage::default()
        });
        let chat = ChatRequest {
            model: request.model.clone(),
            messages: Some(messages),
            format: request.format.clone(),
            think: request.think.clone(),
            ..ChatRequest::default()
        };
        return chat_request(&chat, facts, options, stream);
    }

    let mut body = Map::new();
    body.insert("prompt".to_owned(), Value::String(prompt));
    if let Some(schema) = json_schema(request.format.as_ref())? {
        body.insert("json_schema".to_owned(), schema);
    }
    Ok(UpstreamRequest {
        format: UpstreamFormat::Text,
        body: finish_body(body, model, options, stream, UpstreamFormat::Text),
    })
}

fn finish_body(mut body: Map<String, Value>, model: &str, options: &RequestOptions, stream: bool, format: UpstreamFormat) -> Value {
    body.insert("model".to_owned(), Value::String(model.to_owned()));
    body.insert("stream".to_owned(), Value::Bool(stream));
    options.apply(&mut body);

    if format == UpstreamFormat::Infill {
        // The native endpoint names the token limit `n_predict`.
        if let Some(limit) = body.remove("max_tokens") {
            body.insert("n_predict".to_owned(), limit);
        }
    } else if stream {
        // Token counts in the stream, for replies that come without `timings`.
        body.insert("stream_options".to_owned(), json!({"include_usage": true}));
    }
    Value::Object(body)
}

/// Ollama's `format` as an OpenAI `response_format`.
pub(crate) fn response_format(format: Option<&Value>) -> Result<Option<Value>, OllamaError> {
    Ok(parse_format(format)?.map(|schema| match schema {
        None => json!({"type": "json_object"}),
        Some(schema) => json!({"type": "json_schema", "json_schema": {"name": "response", "schema": schema}}),
    }))
}

/// Ollama's `format` as llama-server's `json_schema` field, for the non-chat endpoints.
fn json_schema(format: Option<&Value>) -> Result<Option<Value>, OllamaError> {
    Ok(parse_format(format)?.map(|schema| schema.unwrap_or_else(|| json!({"type": "object"}))))
}

/// `None`: no format. `Some(None)`: any JSON object ("json"). `Some(Some(schema))`: a schema.
fn parse_format(format: Option<&Value>) -> Result<Option<Option<Value>>, OllamaError> {
    match format {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) if text.is_empty() => Ok(None),
        Some(Value::String(text)) if text == "json" => Ok(Some(None)),
        Some(Value::Object(schema)) => Ok(Some(Some(Value::Object(schema.clone())))),
        Some(other) => Err(OllamaError::invalid(format!("invalid format {other}: expected \"json\" or a JSON schema object"))),
    }
}

/// Ollama's `think`: true/false, or a level ("high", "medium", "low"), which turns thinking on.
fn thinking(think: Option<&Value>) -> Result<Option<bool>, OllamaError> {
    match think {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(enabled)) => Ok(Some(*enabled)),
        Some(Value::String(level)) if ["high", "medium", "low"].contains(&level.as_str()) => Ok(Some(true)),
        Some(other) => Err(OllamaError::invalid(format!("invalid think {other}: expected true, false, \"high\", \"medium\" or \"low\""))),
    }
}

#[cfg(test)]
#[path = "upstream_request_tests.rs"]
mod tests;
