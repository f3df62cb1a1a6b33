use std::time::Duration;

use super::{ModelId, RequestId};
use crate::placement::Footprint;

/// An event the driver reports to the scheduler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A client sent a request for `model`. The caller has already checked that the model exists.
    RequestArrived { request: RequestId, model: ModelId },
    /// The client left while its request was queued. For an admitted request this counts as
    /// `RequestFinished`.
    RequestCancelled { request: RequestId },
    /// An admitted request is done: its last byte was sent or its response was dropped. For a
    /// queued request this counts as `RequestCancelled`.
    RequestFinished { request: RequestId },
    /// The model's process passed its health check.
    ProcessReady { model: ModelId },
    /// The model's process failed to start or failed its health check.
    ProcessStartFailed { model: ModelId, reason: String },
    /// A stop that the scheduler asked for has completed.
    ProcessStopped { model: ModelId },
    /// The model's process exited on its own, for example by crashing.
    ProcessExited { model: ModelId, reason: String },
    /// Sets the idle time after which the model is stopped. `None` keeps it loaded while idle.
    SetTtl {
        model: ModelId,
        ttl: Option<Duration>,
    },
    /// Sets the memory the model's next process is estimated to use. `None`, the default,
    /// counts as no memory, so such a model is limited by the process count alone. A running
    /// process keeps the footprint it was started with.
    SetFootprint {
        model: ModelId,
        footprint: Option<Footprint>,
    },
    /// Management request to stop the model once its in-flight requests finish.
    Unload { model: ModelId },
    /// Service shutdown: queued and later requests are rejected, and every process stops without
    /// waiting for in-flight requests.
    Shutdown,
    /// The clock moved, so idle times to live are checked.
    Tick,
}
