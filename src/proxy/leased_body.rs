use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use hyper::body::Incoming;
use tokio::time::{Instant, Sleep};

use crate::breaker::FailureKind;
use crate::pool::Lease;
use crate::telemetry::RequestRecorder;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The way an upstream failure in the middle of a response reaches the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FailureStyle {
    /// The connection is cut: the client sees an incomplete response.
    Abort,
    /// A final `data: {"error": …}` event ends the stream, with no `[DONE]` after it.
    ServerSentEvent,
    /// A final Anthropic `event: error` ends a Messages stream, with no `message_stop` after it.
    AnthropicEvent,
}

/// The idle-gap and total timeouts that apply while a body streams.
pub(crate) struct StreamTimers {
    idle: Option<Duration>,
    idle_timer: Option<Pin<Box<Sleep>>>,
    total_timer: Option<Pin<Box<Sleep>>>,
    total_limit: Option<Duration>,
}

impl StreamTimers {
    /// `total` is the deadline of the whole exchange and its limit.
    pub(crate) fn new(idle: Option<Duration>, total: Option<(Instant, Duration)>) -> Self {
        Self {
            idle,
            idle_timer: idle.map(|limit| Box::pin(tokio::time::sleep(limit))),
            total_timer: total.map(|(deadline, _)| Box::pin(tokio::time::sleep_until(deadline))),
            total_limit: total.map(|(_, limit)| limit),
        }
    }

    fn frame_arrived(&mut self) {
        if let (Some(limit), Some(timer)) = (self.idle, self.idle_timer.as_mut()) {
            timer.as_mut().reset(Instant::now() + limit);
        }
    }

    /// Returns the timeout that fired, if any, with its limit in seconds.
    fn poll_fired(&mut self, context: &mut Context<'_>) -> Option<(&'static str, u64)> {
        if let Some(timer) = self.total_timer.as_mut()
            && timer.as_mut().poll(context).is_ready()
        {
            return Some(("total", self.total_limit.map_or(0, |limit| limit.as_secs())));
        }
        if let Some(timer) = self.idle_timer.as_mut()
            && timer.as_mut().poll(context).is_ready()
        {
            return Some(("idle", self.idle.map_or(0, |limit| limit.as_secs())));
        }
        None
    }
}

/// The upstream's response body on its way to the client. It holds the model's lease until the
/// last frame is sent or the client goes away, and frames pass through as they arrive.
pub(crate) struct LeasedBody {
    upstream: Incoming,
    first_frame: Option<Result<Frame<Bytes>, hyper::Error>>,
    lease: Option<Lease>,
    failure_style: FailureStyle,
    timers: StreamTimers,
    counts_as_success: bool,
    finished: bool,
    /// Sees each chunk as it passes and records the request when the body ends or is dropped.
    recorder: Option<RequestRecorder>,
}

impl LeasedBody {
    pub(crate) fn new(
        upstream: Incoming,
        first_frame: Option<Result<Frame<Bytes>, hyper::Error>>,
        lease: Lease,
        failure_style: FailureStyle,
        timers: StreamTimers,
        counts_as_success: bool,
    ) -> Self {
        Self {
            upstream,
            first_frame,
            lease: Some(lease),
            failure_style,
            timers,
            counts_as_success,
            finished: false,
            recorder: None,
        }
    }

    pub(crate) fn with_recorder(mut self, recorder: Option<RequestRecorder>) -> Self {
        self.recorder = recorder;
        self
    }

    fn finish(&mut self) {
        self.finished = true;
        if let Some(recorder) = self.recorder.take() {
            recorder.complete();
        }
        if let Some(mut lease) = self.lease.take()
            && self.counts_as_success
        {
            lease.succeed();
        }
    }

    /// Ends the body after an upstream fault: records it, then cuts the connection or sends a
    /// final error event.
    fn fail(&mut self, kind: FailureKind, message: String) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        self.finished = true;
        if let Some(mut lease) = self.lease.take() {
            lease.fail(kind, message.clone());
        }
        if let Some(recorder) = self.recorder.take() {
            recorder.fail(http::StatusCode::BAD_GATEWAY.as_u16(), message.clone());
        }
        match self.failure_style {
            FailureStyle::Abort => Poll::Ready(Some(Err(message.into()))),
            FailureStyle::ServerSentEvent => Poll::Ready(Some(Ok(Frame::data(error_event(&message, kind))))),
            FailureStyle::AnthropicEvent => Poll::Ready(Some(Ok(Frame::data(anthropic_error_event(&message))))),
        }
    }

    fn model(&self) -> String {
        self.lease.as_ref().map(|lease| lease.model.to_string()).unwrap_or_default()
    }

    fn pass(&mut self, frame: Option<Result<Frame<Bytes>, hyper::Error>>) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        match frame {
            Some(Ok(frame)) => {
                self.timers.frame_arrived();
                if let (Some(recorder), Some(data)) = (self.recorder.as_mut(), frame.data_ref()) {
                    recorder.chunk(data);
                }
                // hyper stops polling once Content-Length bytes are out, so the end is noticed here.
                if self.upstream.is_end_stream() {
                    self.finish();
                }
                Poll::Ready(Some(Ok(frame)))
            }
            None => {
                self.finish();
                Poll::Ready(None)
            }
            Some(Err(error)) => {
                let message = format!("model '{}' stopped responding in the middle of the response: {error}", self.model());
                self.fail(FailureKind::ResetMidStream, message)
            }
        }
    }
}

impl Body for LeasedBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        if self.finished {
            return Poll::Ready(None);
        }
        if let Some(frame) = self.first_frame.take() {
            return self.pass(Some(frame));
        }

        match Pin::new(&mut self.upstream).poll_frame(context) {
            Poll::Ready(frame) => self.pass(frame),
            Poll::Pending => match self.timers.poll_fired(context) {
                None => Poll::Pending,
                Some((which, seconds)) => {
                    let message = format!("model '{}' timed out: the {which} timeout of {seconds} s fired while streaming", self.model());
                    self.fail(FailureKind::Timeout(which), message)
                }
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.finished
    }

    fn size_hint(&self) -> SizeHint {
        if self.first_frame.is_some() {
            return SizeHint::default();
        }
        self.upstream.size_hint()
    }
}

/// Anthropic's stream error: `event: error` with `{"type":"error","error":{"type","message"}}`.
fn anthropic_error_event(message: &str) -> Bytes {
    let payload = serde_json::json!({
        "type": "error",
        "error": {"type": "api_error", "message": message}
    });
    Bytes::from(format!("event: error\ndata: {payload}\n\n"))
}

fn error_event(message: &str, kind: FailureKind) -> Bytes {
    let code = match kind {
        FailureKind::Timeout(_) => "timeout",
        _ => "upstream_disconnected",
    };
    let payload = serde_json::json!({
        "error": {"message": message, "type": "server_error", "code": code}
    });
    Bytes::from(format!("data: {payload}\n\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anthropic_error_event_is_named_and_typed() {
        let event = anthropic_error_event("model 'm' stopped responding");
        let text = std::str::from_utf8(&event).unwrap();
        assert!(text.starts_with("event: error\ndata: "), "{text}");
        let payload: serde_json::Value = serde_json::from_str(text.trim_end().trim_start_matches("event: error\ndata: ")).unwrap();
        assert_eq!(payload["type"], "error");
        assert_eq!(payload["error"]["type"], "api_error");
        assert!(payload["error"]["message"].as_str().unwrap().contains("stopped responding"));
    }

    #[test]
    fn openai_error_event_has_no_done_marker() {
        let event = error_event("gone", FailureKind::ResetMidStream);
        let text = std::str::from_utf8(&event).unwrap();
        assert!(text.starts_with("data: {"));
        assert!(!text.contains("[DONE]"));
    }
}
