//! Ollama reply objects of `/api/chat` and `/api/generate`, streamed or whole.

use std::sync::Arc;

use serde_json::{Map, Value, json};
use tokio::time::{Duration, Instant};

use super::metrics::{Timings, Usage, final_metrics};
use super::tool_calls::ollama_tool_calls;
use super::upstream_request::UpstreamFormat;
use crate::api::timestamp::now_rfc3339;

/// The Ollama endpoint whose objects to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReplyShape {
    /// `/api/chat`: text under `message.content`.
    Chat,
    /// `/api/generate`: text under `response`.
    Generate,
}

/// The fields every object of one reply shares.
#[derive(Debug, Clone)]
pub(crate) struct ReplyContext {
    /// The name as the client sent it; Ollama echoes it in `model`.
    pub model_name: String,
    pub model_id: Arc<str>,
    pub shape: ReplyShape,
    pub upstream: UpstreamFormat,
    /// When the request arrived, for `total_duration`.
    pub started: Instant,
    /// Time spent waiting for the model to be ready, for `load_duration`.
    pub load: Duration,
}

/// One piece of generated output.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Output {
    pub text: String,
    pub thinking: String,
    pub tool_calls: Vec<Value>,
}

impl ReplyContext {
    /// Builds a `done:false` object, or the start of a final one.
    pub(crate) fn output_object(&self, output: &Output, done: bool) -> Map<String, Value> {
        let mut object = Map::new();
        object.insert("model".to_owned(), Value::String(self.model_name.clone()));
        object.insert("created_at".to_owned(), Value::String(now_rfc3339()));

        match self.shape {
            ReplyShape::Chat => {
                let mut message = json!({"role": "assistant", "content": output.text});
                if !output.thinking.is_empty() {
                    message["thinking"] = Value::String(output.thinking.clone());
                }
                if !output.tool_calls.is_empty() {
                    message["tool_calls"] = Value::Array(output.tool_calls.clone());
                }
                object.insert("message".to_owned(), message);
            }
            ReplyShape::Generate => {
                object.insert("response".to_owned(), Value::String(output.text.clone()));
                if !output.thinking.is_empty() {
                    object.insert("thinking".to_owned(), Value::String(output.thinking.clone()));
                }
            }
        }

        object.insert("done".to_owned(), Value::Bool(done));
        object
    }

    /// Builds the last object: `done:true`, `done_reason` and the metrics.
    pub(crate) fn final_object(&self, output: &Output, done_reason: &str, timings: Option<Timings>, usage: Option<Usage>) -> Value {
        let mut object = self.output_object(output, true);
        object.insert("done_reason".to_owned(), Value::String(done_reason.to_owned()));
        object.extend(final_metrics(timings, usage, self.started.elapsed(), self.load));
        Value::Object(object)
    }

    /// Builds a reply without generation, for a model only loaded (`done_reason` "load") or
    /// unloaded.
    pub(crate) fn lifecycle_object(&self, done_reason: &str) -> Value {
        let mut object = self.output_object(&Output::default(), true);
        object.insert("done_reason".to_owned(), Value::String(done_reason.to_owned()));
        Value::Object(object)
    }

    /// Converts a whole (non-streamed) llama-server reply into one final Ollama object.
    pub(crate) fn whole_reply(&self, reply: &Value) -> (Value, Output) {
        let (output, reason) = match self.upstream {
            UpstreamFormat::Chat => {
                let choice = first_choice(reply);
                let message = choice.and_then(|choice| choice.get("message"));
                let field = |name: &str| message.and_then(|message| message.get(name)).and_then(Value::as_str).unwrap_or("").to_owned();
                let calls = message.and_then(|message| message.get("tool_calls")).and_then(Value::as_array);
                let output = Output {
                    text: field("content"),
                    thinking: field("reasoning_content"),
                    tool_calls: calls.map(|calls| ollama_tool_calls(&self.model_id, calls)).unwrap_or_default(),
                };
                (output, done_reason(finish_reason(choice)))
            }
            UpstreamFormat::Text => {
                let choice = first_choice(reply);
                let text = choice.and_then(|choice| choice.get("text")).and_then(Value::as_str).unwrap_or("");
                let output = Output {
                    text: text.to_owned(),
                    ..Output::default()
                };
                (output, done_reason(finish_reason(choice)))
            }
            UpstreamFormat::Infill => {
                let text = reply.get("content").and_then(Value::as_str).unwrap_or("");
                let output = Output {
                    text: text.to_owned(),
                    ..Output::default()
                };
                (output, infill_done_reason(reply))
            }
        };
        let object = self.final_object(&output, reason, Timings::of(reply), Usage::of(reply));
        (object, output)
    }
}

pub(crate) fn first_choice(reply: &Value) -> Option<&Value> {
    reply.get("choices").and_then(Value::as_array).and_then(|choices| choices.first())
}

pub(crate) fn finish_reason(choice: Option<&Value>) -> Option<&str> {
    choice.and_then(|choice| choice.get("finish_reason")).and_then(Value::as_str)
}

/// Ollama's `done_reason` for an OpenAI `finish_reason`: "length" stays, tool calls and stop
/// sequences are "stop" as in Ollama.
pub(crate) fn done_reason(finish_reason: Option<&str>) -> &'static str {
    match finish_reason {
        Some("length") => "length",
        _ => "stop",
    }
}

/// Ollama's `done_reason` for a native llama-server reply, whose `stop_type` "limit" means the
/// token limit was reached.
pub(crate) fn infill_done_reason(reply: &Value) -> &'static str {
    match reply.get("stop_type").and_then(Value::as_str) {
        Some("limit") => "length",
        _ => "stop",
    }
}

#[cfg(test)]
#[path = "reply_tests.rs"]
mod tests;
