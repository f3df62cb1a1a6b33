use tokio::sync::{mpsc, oneshot};

use super::outcome::ReloadOutcome;

/// A request to reload the config, with an optional reply for callers that wait for the result.
pub(crate) struct ReloadRequest {
    pub(crate) cause: &'static str,
    pub(crate) reply: Option<oneshot::Sender<ReloadOutcome>>,
}

/// Asks the reloader task for a reload; cheap to clone.
#[derive(Debug, Clone)]
pub struct ReloadTrigger {
    requests: mpsc::UnboundedSender<ReloadRequest>,
}

impl ReloadTrigger {
    pub(crate) fn new(requests: mpsc::UnboundedSender<ReloadRequest>) -> Self {
        Self { requests }
    }

    /// A trigger that is never answered, for states built without a config file (tests).
    pub fn detached() -> Self {
        let (requests, _) = mpsc::unbounded_channel();
        Self { requests }
    }

    /// Asks for a reload without waiting for it.
    pub fn request(&self, cause: &'static str) {
        let _ = self.requests.send(ReloadRequest { cause, reply: None });
    }

    /// Reloads and waits for the outcome; `None` when no reloader runs.
    pub async fn reload_now(&self, cause: &'static str) -> Option<ReloadOutcome> {
        let (reply, outcome) = oneshot::channel();
        self.requests.send(ReloadRequest { cause, reply: Some(reply) }).ok()?;
        outcome.await.ok()
    }
}
