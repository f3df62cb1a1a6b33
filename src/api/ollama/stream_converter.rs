//! Turns llama-server's streamed events into Ollama's NDJSON objects, one event at a time.

use serde_json::{Value, json};

use super::metrics::{Timings, Usage};
use super::reply::{Output, ReplyContext, done_reason, finish_reason, first_choice, infill_done_reason};
use super::tool_calls::ToolCallAssembler;
use super::upstream_request::UpstreamFormat;
use crate::api::prompt_log::PromptLog;
use crate::api::upstream::error_message;

/// The request to write to the prompt log with the reply once the reply is complete.
pub(crate) struct PromptRecord {
    pub log: PromptLog,
    pub endpoint: &'static str,
    pub request: Value,
}

/// The state of one streamed reply, where each event's data gives zero or more objects. The
/// final `done:true` object comes at `[DONE]`, at a native stop event, or at the end of a stream
/// that had a finish reason. A stream that breaks off ends with an `{"error":…}` object instead.
pub(crate) struct StreamConverter {
    context: ReplyContext,
    tool_calls: ToolCallAssembler,
    finish: Option<&'static str>,
    timings: Option<Timings>,
    usage: Option<Usage>,
    finished: bool,
    prompt_record: Option<PromptRecord>,
    reply_text: String,
}

impl StreamConverter {
    pub(crate) fn new(context: ReplyContext, prompt_record: Option<PromptRecord>) -> Self {
        Self {
            context,
            tool_calls: ToolCallAssembler::default(),
            finish: None,
            timings: None,
            usage: None,
            finished: false,
            prompt_record,
            reply_text: String::new(),
        }
    }

    /// True once the final object or an error object was produced; later events are ignored.
    pub(crate) fn is_finished(&self) -> bool {
        self.finished
    }

    /// Converts the data of one event.
    pub(crate) fn on_event(&mut self, data: &str) -> Vec<Value> {
        if self.finished {
            return Vec::new();
        }
        if data.trim() == "[DONE]" {
            return self.finish();
        }

        let event: Value = match serde_json::from_str(data) {
            Ok(event) => event,
            Err(error) => {
                tracing::warn!(model = %self.context.model_id, error = %error, "skipping an upstream event that is not JSON");
                return Vec::new();
            }
        };
        if let Some(message) = error_message(&event) {
            tracing::warn!(model = %self.context.model_id, error = %message, "upstream reported an error in the middle of a stream");
            return self.fail(message);
        }

        if let Some(timings) = Timings::of(&event) {
            self.timings = Some(timings);
        }
        if let Some(usage) = Usage::of(&event) {
            self.usage = Some(usage);
        }

        let mut objects = Vec::new();
        let output = self.read_output(&event);
        if !output.text.is_empty() || !output.thinking.is_empty() {
            self.reply_text.push_str(&output.text);
            objects.push(Value::Object(self.context.output_object(&output, false)));
        }

        let finished_calls = self.finish.is_some() && !self.tool_calls.is_empty();
        if finished_calls {
            objects.push(self.tool_call_object());
        }

        let native_stop = self.context.upstream == UpstreamFormat::Infill && event.get("stop").and_then(Value::as_bool) == Some(true);
        if native_stop {
            objects.extend(self.finish());
        }
        objects
    }

    /// Ends the reply when the upstream body ends. Without a finish reason the reply is
    /// incomplete, so an error object ends the stream rather than a `done:true` one.
    pub(crate) fn on_end(&mut self) -> Vec<Value> {
        if self.finished {
            return Vec::new();
        }
        if self.finish.is_some() {
            return self.finish();
        }
        let message = format!("model '{}' ended the reply before it was complete", self.context.model_id);
        tracing::warn!(model = %self.context.model_id, "upstream stream ended without a finish reason");
        self.fail(message)
    }

    /// Reading the upstream body failed.
    pub(crate) fn on_read_error(&mut self, error: &dyn std::fmt::Display) -> Vec<Value> {
        if self.finished {
            return Vec::new();
        }
        tracing::warn!(model = %self.context.model_id, error = %error, "upstream stream broke off");
        let message = format!("model '{}' stopped responding in the middle of the reply: {error}", self.context.model_id);
        self.fail(message)
    }

    /// Text and thinking of one event; tool-call fragments go to the assembler.
    fn read_output(&mut self, event: &Value) -> Output {
        let text_of = |value: Option<&Value>| value.and_then(Value::as_str).unwrap_or("").to_owned();

        match self.context.upstream {
            UpstreamFormat::Chat => {
                let choice = first_choice(event);
                let delta = choice.and_then(|choice| choice.get("delta"));
                if let Some(fragments) = delta.and_then(|delta| delta.get("tool_calls")).and_then(Value::as_array) {
                    self.tool_calls.push(fragments);
                }
                if let Some(reason) = finish_reason(choice) {
                    self.finish = Some(done_reason(Some(reason)));
                }
                Output {
                    text: text_of(delta.and_then(|delta| delta.get("content"))),
                    thinking: text_of(delta.and_then(|delta| delta.get("reasoning_content"))),
                    tool_calls: Vec::new(),
                }
            }
            UpstreamFormat::Text => {
                let choice = first_choice(event);
                if let Some(reason) = finish_reason(choice) {
                    self.finish = Some(done_reason(Some(reason)));
                }
                Output {
                    text: text_of(choice.and_then(|choice| choice.get("text"))),
                    ..Output::default()
                }
            }
            UpstreamFormat::Infill => {
                if event.get("stop").and_then(Value::as_bool) == Some(true) {
                    self.finish = Some(infill_done_reason(event));
                }
                Output {
                    text: text_of(event.get("content")),
                    ..Output::default()
                }
            }
        }
    }

    fn tool_call_object(&mut self) -> Value {
        let output = Output {
            tool_calls: self.tool_calls.take(&self.context.model_id),
            ..Output::default()
        };
        Value::Object(self.context.output_object(&output, false))
    }

    fn finish(&mut self) -> Vec<Value> {
        let mut objects = Vec::new();
        if !self.tool_calls.is_empty() {
            objects.push(self.tool_call_object());
        }
        let reason = self.finish.unwrap_or("stop");
        objects.push(self.context.final_object(&Output::default(), reason, self.timings, self.usage));
        self.finished = true;
        self.write_prompt_log();
        objects
    }

    fn fail(&mut self, message: String) -> Vec<Value> {
        self.finished = true;
        vec![json!({"error": message})]
    }

    fn write_prompt_log(&mut self) {
        if let Some(record) = self.prompt_record.take() {
            record.log.record(&self.context.model_id, record.endpoint, &record.request, Some(&self.reply_text));
        }
    }
}

#[cfg(test)]
#[path = "stream_converter_tests.rs"]
mod tests;
