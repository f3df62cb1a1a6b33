//! A streamed LM Studio reply: llama-server's events pass through as they arrive, and the chunk
//! that carries `timings` (the last one before `[DONE]`) also gets `stats`, `model_info` and
//! `runtime`.

use std::convert::Infallible;

use axum::body::Body;
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use serde_json::Value;

use super::stats::{ReplyExtras, finish_reason_of};
use crate::api::sse::SseDecoder;

struct Passthrough {
    upstream: BoxStream<'static, Result<Bytes, axum::Error>>,
    decoder: SseDecoder,
    extras: ReplyExtras,
    finish_reason: Option<String>,
}

impl Passthrough {
    fn frames(&mut self, events: Vec<String>) -> Bytes {
        let mut frames = BytesMut::new();
        for data in events {
            frames.extend_from_slice(b"data: ");
            frames.extend_from_slice(self.rewrite(data).as_bytes());
            frames.extend_from_slice(b"\n\n");
        }
        frames.freeze()
    }

    /// Returns the event's data, with the extras added when it carries `timings`.
    fn rewrite(&mut self, data: String) -> String {
        let Ok(Value::Object(mut chunk)) = serde_json::from_str::<Value>(&data) else {
            return data;
        };
        if let Some(reason) = finish_reason_of(&chunk) {
            self.finish_reason = Some(reason);
        }
        if !chunk.contains_key("timings") {
            return data;
        }
        self.extras.add_to(&mut chunk, self.finish_reason.as_deref());
        Value::Object(chunk).to_string()
    }
}

/// Passes `upstream`'s events through, adding the extras to the chunk with `timings`.
pub(crate) fn with_extras(upstream: Body, extras: ReplyExtras) -> Body {
    let passthrough = Passthrough {
        upstream: upstream.into_data_stream().boxed(),
        decoder: SseDecoder::default(),
        extras,
        finish_reason: None,
    };

    let frames = futures_util::stream::unfold(Some(passthrough), |state| async move {
        let mut passthrough = state?;
        loop {
            match passthrough.upstream.next().await {
                Some(Ok(chunk)) => {
                    let events = passthrough.decoder.push(&chunk);
                    if !events.is_empty() {
                        let frames = passthrough.frames(events);
                        return Some((Ok::<Bytes, Infallible>(frames), Some(passthrough)));
                    }
                }
                Some(Err(error)) => {
                    // The proxy already turns upstream failures into an error event, so this is a
                    // local body error; the stream ends without a fabricated `[DONE]`.
                    tracing::warn!(error = %error, "LM Studio stream broke off");
                    return None;
                }
                None => {
                    let events = passthrough.decoder.finish();
                    let frames = passthrough.frames(events);
                    return (!frames.is_empty()).then_some((Ok(frames), None));
                }
            }
        }
    });
    Body::from_stream(frames)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::test_support::{facts, metadata, spec};
    use serde_json::json;

    #[tokio::test]
    async fn chunks_pass_unchanged_and_the_timings_chunk_gets_stats() {
        let extras = ReplyExtras::new(&facts(spec("m1", &[], true), Some(metadata())), Some(1024));
        let first = json!({"choices": [{"delta": {"content": "hi"}, "finish_reason": null}]}).to_string();
        let finish = json!({"choices": [{"delta": {}, "finish_reason": "stop"}]}).to_string();
        let usage = json!({"choices": [], "timings": {"prompt_ms": 10.0, "predicted_n": 2, "predicted_ms": 20.0}}).to_string();
        let upstream = format!("data: {first}\n\ndata: {finish}\n\ndata: {usage}\n\ndata: [DONE]\n\n");

        let body = with_extras(Body::from(upstream), extras);
        let text = String::from_utf8(axum::body::to_bytes(body, 1 << 20).await.unwrap().to_vec()).unwrap();
        let events: Vec<&str> = text.split("\n\n").filter(|event| !event.is_empty()).collect();

        assert_eq!(events[0], format!("data: {first}"));
        assert_eq!(events[1], format!("data: {finish}"));
        let last: Value = serde_json::from_str(events[2].strip_prefix("data: ").unwrap()).unwrap();
        assert_eq!(last["stats"]["stop_reason"], "eosFound");
        assert_eq!(last["stats"]["tokens_per_second"], 100.0);
        assert_eq!(last["model_info"]["context_length"], 1024);
        assert_eq!(events[3], "data: [DONE]");
    }
}
