use std::sync::Arc;

use tokio::sync::mpsc;

use super::activity::ActivityGuard;
use super::breaker_permit::BreakerPermit;
use super::message::Message;
use crate::breaker::FailureKind;
use crate::config::Timeouts;
use crate::scheduler::RequestId;

/// Permission to forward one request to a ready model process. The model is not stopped for a
/// swap or by idle time while a lease exists; dropping the lease finishes the request.
///
/// The lease also carries the request's circuit breaker permit: the forwarding code reports
/// the upstream's outcome with [`Lease::succeed`] or [`Lease::fail`].
#[derive(Debug)]
pub struct Lease {
    pub(crate) request: RequestId,
    pub model: Arc<str>,
    pub port: u16,
    pub timeouts: Timeouts,
    pub(crate) permit: Option<BreakerPermit>,
    pub(crate) messages: mpsc::UnboundedSender<Message>,
    /// Counts the request as in flight until the lease is dropped.
    pub(crate) _in_flight: Option<ActivityGuard>,
}

impl Lease {
    /// Records a successful exchange with the model.
    pub fn succeed(&mut self) {
        if let Some(permit) = &mut self.permit {
            permit.succeed();
        }
    }

    /// Records an upstream fault (connection refused, 5xx, reset, timeout) against the model.
    pub fn fail(&mut self, kind: FailureKind, reason: String) {
        tracing::warn!(model = %self.model, request = self.request, failure = kind.as_str(), reason = %reason, "upstream failure");
        if let Some(permit) = &mut self.permit {
            permit.fail(kind, reason);
        }
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        // The driver is gone only when llama-runner is exiting; nothing is left to release then.
        let _ = self.messages.send(Message::Finish { request: self.request });
    }
}
