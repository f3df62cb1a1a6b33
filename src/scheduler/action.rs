use std::fmt;

use super::{ModelId, RequestId};

/// Reason for a `StopProcess` action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// The model stayed idle for its time to live.
    Ttl,
    /// The process makes room for another model.
    Swap,
    /// A management request unloaded the model.
    Unload,
    /// The service is shutting down.
    Shutdown,
}

impl StopReason {
    pub fn as_str(&self) -> &'static str {
        match self {
            StopReason::Ttl => "ttl",
            StopReason::Swap => "swap",
            StopReason::Unload => "unload",
            StopReason::Shutdown => "shutdown",
        }
    }
}

impl fmt::Display for StopReason {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// An effect the driver carries out after [`Scheduler::handle`](super::Scheduler::handle).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Spawn the model's process. The driver reports `ProcessReady` or `ProcessStartFailed`.
    StartProcess { model: ModelId },
    /// Stop the model's process. The driver reports `ProcessStopped` once it is gone.
    StopProcess { model: ModelId, reason: StopReason },
    /// Forward the request now, because its model is ready.
    Admit { request: RequestId, model: ModelId },
    /// Fail the request with an error that contains `reason`.
    Reject {
        request: RequestId,
        model: ModelId,
        reason: String,
    },
}
