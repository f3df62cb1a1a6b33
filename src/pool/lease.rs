use std::sync::Arc;

use tokio::sync::mpsc;

use super::message::Message;
use crate::scheduler::RequestId;

/// Permission to forward one request to a ready model process. The model is not stopped for a
/// swap or by idle time while a lease exists; dropping the lease finishes the request.
#[derive(Debug)]
pub struct Lease {
    pub(crate) request: RequestId,
    pub model: Arc<str>,
    pub port: u16,
    pub(crate) messages: mpsc::UnboundedSender<Message>,
}

impl Drop for Lease {
    fn drop(&mut self) {
        // The driver is gone only when llama-runner is exiting; nothing is left to release then.
        let _ = self.messages.send(Message::Finish { request: self.request });
    }
}
