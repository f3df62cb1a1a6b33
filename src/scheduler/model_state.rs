use std::fmt;

/// Lifecycle state of one model's process in the scheduler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelState {
    /// No process exists.
    Stopped,
    /// `StartProcess` was sent and the process is not ready yet.
    Starting,
    /// The process serves requests, and new requests are admitted at once.
    Ready,
    /// The process serves its in-flight requests, new requests queue, and it stops once idle.
    Draining,
    /// `StopProcess` was sent. The process keeps its slot until `ProcessStopped`.
    Stopping,
}

impl ModelState {
    pub fn as_str(&self) -> &'static str {
        match self {
            ModelState::Stopped => "stopped",
            ModelState::Starting => "starting",
            ModelState::Ready => "ready",
            ModelState::Draining => "draining",
            ModelState::Stopping => "stopping",
        }
    }

    /// Returns true while a process exists and takes one of the `max_running` slots.
    pub fn has_process(&self) -> bool {
        !matches!(self, ModelState::Stopped)
    }
}

impl fmt::Display for ModelState {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}
