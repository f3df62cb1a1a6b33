use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use hyper::body::Incoming;

use crate::pool::Lease;

/// How an upstream failure in the middle of a response reaches the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FailureStyle {
    /// The connection is cut: the client sees an incomplete response.
    Abort,
    /// A final `data: {"error": …}` event ends the stream, with no `[DONE]` after it.
    ServerSentEvent,
}

/// The upstream's response body on its way to the client. It holds the model's lease until the
/// last frame is sent or the client goes away, and frames pass through as they arrive.
pub(crate) struct LeasedBody {
    upstream: Incoming,
    lease: Option<Lease>,
    failure_style: FailureStyle,
    finished: bool,
}

impl LeasedBody {
    pub(crate) fn new(upstream: Incoming, lease: Lease, failure_style: FailureStyle) -> Self {
        Self {
            upstream,
            lease: Some(lease),
            failure_style,
            finished: false,
        }
    }

    fn release(&mut self) {
        self.finished = true;
        self.lease = None;
    }
}

impl Body for LeasedBody {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        if self.finished {
            return Poll::Ready(None);
        }

        match Pin::new(&mut self.upstream).poll_frame(context) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Some(Ok(frame))) => Poll::Ready(Some(Ok(frame))),
            Poll::Ready(None) => {
                self.release();
                Poll::Ready(None)
            }
            Poll::Ready(Some(Err(error))) => {
                let model = self.lease.as_ref().map(|lease| lease.model.clone());
                tracing::warn!(model = model.as_deref().unwrap_or(""), error = %error, "upstream response broke off");
                self.release();
                match self.failure_style {
                    FailureStyle::Abort => Poll::Ready(Some(Err(error))),
                    FailureStyle::ServerSentEvent => {
                        Poll::Ready(Some(Ok(Frame::data(error_event(model.as_deref().unwrap_or(""), &error)))))
                    }
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.finished
    }

    fn size_hint(&self) -> SizeHint {
        self.upstream.size_hint()
    }
}

fn error_event(model: &str, error: &hyper::Error) -> Bytes {
    let message = format!("model '{model}' stopped responding in the middle of the stream: {error}");
    let payload = serde_json::json!({
        "error": {"message": message, "type": "server_error", "code": "upstream_disconnected"}
    });
    Bytes::from(format!("data: {payload}\n\n"))
}
