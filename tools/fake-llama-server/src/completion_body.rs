//! JSON bodies of llama-server's OpenAI-compatible completion responses, full and streamed.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

/// Prompt size reported in `usage`: the `cache_n` plus `prompt_n` of [`timings`].
const PROMPT_TOKENS: usize = 70;

/// OpenAI endpoint of a completion, which fixes its object names and content field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompletionKind {
    Chat,
    Text,
}

impl CompletionKind {
    pub fn path(self) -> &'static str {
        match self {
            Self::Chat => "/v1/chat/completions",
            Self::Text => "/v1/completions",
        }
    }
}

/// Fields shared by every body of one completion.
#[derive(Debug, Clone)]
pub struct Completion {
    pub kind: CompletionKind,
    pub id: String,
    pub model: String,
    pub created: u64,
}

impl Completion {
    pub fn new(kind: CompletionKind, model: String) -> Self {
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        let prefix = match kind {
            CompletionKind::Chat => "chatcmpl",
            CompletionKind::Text => "cmpl",
        };

        Self {
            kind,
            id: format!("{prefix}-fake{}", NEXT_ID.fetch_add(1, Ordering::Relaxed)),
            model,
            created: unix_time(),
        }
    }

    /// Non-streamed response whose content is all `chunk_count` chunk texts joined.
    pub fn full_response(&self, chunk_count: usize) -> Value {
        let text: String = (0..chunk_count).map(chunk_text).collect();
        let choice = match self.kind {
            CompletionKind::Chat => json!({
                "index": 0,
                "message": { "role": "assistant", "content": text },
                "finish_reason": "stop",
            }),
            CompletionKind::Text => json!({
                "index": 0,
                "text": text,
                "logprobs": null,
                "finish_reason": "stop",
            }),
        };

        let object = match self.kind {
            CompletionKind::Chat => "chat.completion",
            CompletionKind::Text => "text_completion",
        };
        let mut body = self.envelope(object, choice);
        body["usage"] = usage(chunk_count);
        body["timings"] = timings();
        body
    }

    /// Streamed frame carrying the content of chunk `index`. The first chat chunk also
    /// carries the assistant role.
    pub fn content_chunk(&self, index: usize) -> Value {
        let choice = match self.kind {
            CompletionKind::Chat if index == 0 => json!({
                "index": 0,
                "delta": { "role": "assistant", "content": chunk_text(index) },
                "finish_reason": null,
            }),
            CompletionKind::Chat => json!({
                "index": 0,
                "delta": { "content": chunk_text(index) },
                "finish_reason": null,
            }),
            CompletionKind::Text => json!({
                "index": 0,
                "text": chunk_text(index),
                "logprobs": null,
                "finish_reason": null,
            }),
        };
        self.envelope(self.chunk_object(), choice)
    }

    /// Last streamed frame before `[DONE]`: no content, `finish_reason` "stop", usage and timings.
    pub fn final_chunk(&self, chunk_count: usize) -> Value {
        let choice = match self.kind {
            CompletionKind::Chat => json!({ "index": 0, "delta": {}, "finish_reason": "stop" }),
            CompletionKind::Text => json!({
                "index": 0,
                "text": "",
                "logprobs": null,
                "finish_reason": "stop",
            }),
        };

        let mut body = self.envelope(self.chunk_object(), choice);
        body["usage"] = usage(chunk_count);
        body["timings"] = timings();
        body
    }

    fn chunk_object(&self) -> &'static str {
        match self.kind {
            CompletionKind::Chat => "chat.completion.chunk",
            CompletionKind::Text => "text_completion",
        }
    }

    fn envelope(&self, object: &str, choice: Value) -> Value {
        json!({
            "id": self.id,
            "object": object,
            "created": self.created,
            "model": self.model,
            "system_fingerprint": "fake-llama-server",
            "choices": [choice],
        })
    }
}

/// Content of chunk `index`, counted from 0: `"tok0 "`, `"tok1 "`, ...
pub fn chunk_text(index: usize) -> String {
    format!("tok{index} ")
}

pub fn unix_time() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

fn usage(completion_tokens: usize) -> Value {
    json!({
        "prompt_tokens": PROMPT_TOKENS,
        "completion_tokens": completion_tokens,
        "total_tokens": PROMPT_TOKENS + completion_tokens,
    })
}

/// Fixed `timings` object in llama-server's format; times are in milliseconds.
fn timings() -> Value {
    json!({
        "cache_n": 20,
        "prompt_n": 50,
        "prompt_ms": 100.0,
        "prompt_per_second": 500.0,
        "predicted_n": 200,
        "predicted_ms": 2000.0,
        "predicted_per_second": 100.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_full_response_joins_chunks() {
        let body = Completion::new(CompletionKind::Chat, "m".to_owned()).full_response(3);

        assert_eq!(body["object"], "chat.completion");
        assert_eq!(body["model"], "m");
        assert_eq!(body["choices"][0]["message"]["content"], "tok0 tok1 tok2 ");
        assert_eq!(body["choices"][0]["finish_reason"], "stop");
        assert_eq!(body["usage"]["completion_tokens"], 3);
        assert_eq!(body["usage"]["total_tokens"], 73);
        assert_eq!(body["timings"]["cache_n"], 20);
    }

    #[test]
    fn text_full_response_uses_text_field() {
        let body = Completion::new(CompletionKind::Text, "m".to_owned()).full_response(2);

        assert_eq!(body["object"], "text_completion");
        assert_eq!(body["choices"][0]["text"], "tok0 tok1 ");
    }

    #[test]
    fn chat_chunks_carry_delta_content() {
        let completion = Completion::new(CompletionKind::Chat, "m".to_owned());

        let first = completion.content_chunk(0);
        let second = completion.content_chunk(1);
        let last = completion.final_chunk(2);

        assert_eq!(first["object"], "chat.completion.chunk");
        assert_eq!(first["choices"][0]["delta"]["role"], "assistant");
        assert_eq!(first["choices"][0]["delta"]["content"], "tok0 ");
        assert_eq!(second["choices"][0]["delta"]["content"], "tok1 ");
        assert_eq!(last["choices"][0]["finish_reason"], "stop");
        assert_eq!(last["timings"]["predicted_n"], 200);
    }
}
