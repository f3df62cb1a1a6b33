//! The body of a streamed Ollama reply: llama-server's event stream converted to NDJSON as each
//! chunk arrives, one complete JSON object per line.

use std::convert::Infallible;

use axum::body::Body;
use axum::response::Response;
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use serde_json::Value;

use super::stream_converter::StreamConverter;
use crate::api::sse::SseDecoder;

struct Conversion {
    upstream: BoxStream<'static, Result<Bytes, axum::Error>>,
    decoder: SseDecoder,
    converter: StreamConverter,
}

/// Streams `upstream` (a llama-server event stream) to the client as NDJSON. Each upstream chunk
/// is converted as soon as it arrives. The upstream body, and with it the model's lease, is
/// dropped once the final object is out or when the client goes away.
pub(crate) fn ndjson_response(upstream: Body, converter: StreamConverter) -> Response {
    let conversion = Conversion {
        upstream: upstream.into_data_stream().boxed(),
        decoder: SseDecoder::default(),
        converter,
    };

    let lines = futures_util::stream::unfold(Some(conversion), |state| async move {
        let mut conversion = state?;
        loop {
            let objects = match conversion.upstream.next().await {
                Some(Ok(chunk)) => {
                    let events = conversion.decoder.push(&chunk);
                    events.iter().flat_map(|event| conversion.converter.on_event(event)).collect()
                }
                Some(Err(error)) => conversion.converter.on_read_error(&error),
                None => {
                    let events = conversion.decoder.finish();
                    let mut objects: Vec<Value> = events.iter().flat_map(|event| conversion.converter.on_event(event)).collect();
                    objects.extend(conversion.converter.on_end());
                    objects
                }
            };

            let finished = conversion.converter.is_finished();
            if !objects.is_empty() {
                let next = (!finished).then_some(conversion);
                return Some((Ok::<Bytes, Infallible>(ndjson_lines(&objects)), next));
            }
            if finished {
                return None;
            }
        }
    });

    let mut response = Response::new(Body::from_stream(lines));
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/x-ndjson"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

fn ndjson_lines(objects: &[Value]) -> Bytes {
    let mut lines = BytesMut::new();
    for object in objects {
        // serde_json escapes newlines inside strings, so each object stays on one line.
        lines.extend_from_slice(object.to_string().as_bytes());
        lines.extend_from_slice(b"\n");
    }
    lines.freeze()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ollama::reply::{ReplyContext, ReplyShape};
    use crate::api::ollama::upstream_request::UpstreamFormat;
    use serde_json::json;
    use tokio::time::{Duration, Instant};

    fn converter() -> StreamConverter {
        let context = ReplyContext {
            model_name: "m1".to_owned(),
            model_id: "m1".into(),
            shape: ReplyShape::Chat,
            upstream: UpstreamFormat::Chat,
            started: Instant::now(),
            load: Duration::ZERO,
        };
        StreamConverter::new(context, None)
    }

    fn event(content: &str, finish: Value) -> String {
        let chunk = json!({"choices": [{"index": 0, "delta": {"content": content}, "finish_reason": finish}]});
        format!("data: {chunk}\n\n")
    }

    #[tokio::test]
    async fn each_upstream_chunk_is_converted_before_the_next_arrives() {
        let (sender, receiver) = tokio::sync::mpsc::channel::<Result<Bytes, Infallible>>(4);
        let upstream = Body::from_stream(tokio_stream_of(receiver));
        let response = ndjson_response(upstream, converter());
        assert_eq!(response.headers()[CONTENT_TYPE], "application/x-ndjson");
        assert_eq!(response.headers()[CACHE_CONTROL], "no-cache");
        let mut body = response.into_body().into_data_stream();

        // An event split over two chunks gives its line only once complete.
        let first = event("Hel", Value::Null);
        let (head, tail) = first.split_at(10);
        sender.send(Ok(Bytes::from(head.to_owned()))).await.unwrap();
        sender.send(Ok(Bytes::from(tail.to_owned()))).await.unwrap();
        let line = body.next().await.unwrap().unwrap();
        let object: Value = serde_json::from_slice(&line).unwrap();
        assert_eq!(object["message"]["content"], "Hel");
        assert!(line.ends_with(b"\n"));

        sender.send(Ok(Bytes::from(event("lo", Value::Null)))).await.unwrap();
        let line = body.next().await.unwrap().unwrap();
        assert_eq!(serde_json::from_slice::<Value>(&line).unwrap()["message"]["content"], "lo");

        sender.send(Ok(Bytes::from(event("", json!("stop")) + "data: [DONE]\n\n"))).await.unwrap();
        let line = body.next().await.unwrap().unwrap();
        let done: Value = serde_json::from_slice(&line).unwrap();
        assert_eq!(done["done"], true);
        assert!(body.next().await.is_none());
    }

    #[tokio::test]
    async fn upstream_that_ends_early_gives_an_error_line() {
        let upstream = Body::from(event("partial", Value::Null));
        let response = ndjson_response(upstream, converter());

        let text = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
        let lines: Vec<Value> = text.split(|byte| *byte == b'\n').filter(|line| !line.is_empty()).map(|line| serde_json::from_slice(line).unwrap()).collect();

        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["message"]["content"], "partial");
        assert!(lines[1]["error"].is_string());
        assert!(lines.iter().all(|line| line.get("done") != Some(&json!(true))));
    }

    fn tokio_stream_of<T: Send + 'static>(mut receiver: tokio::sync::mpsc::Receiver<T>) -> impl futures_util::Stream<Item = T> {
        futures_util::stream::poll_fn(move |context| receiver.poll_recv(context))
    }
}
