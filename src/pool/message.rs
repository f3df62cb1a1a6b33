use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;

use super::breaker_permit::BreakerPermit;
use super::lease::Lease;
use super::handle::AcquireError;
use crate::config::ModelSpec;
use crate::placement::Footprint;
use crate::scheduler::{ModelId, RequestId};
use crate::supervisor::{ModelProcess, ProcessExit, StartError};

/// What the pool's driver task receives: calls from request handlers and reports from the tasks
/// it spawned.
pub(crate) enum Message {
    Acquire {
        request: RequestId,
        spec: Arc<ModelSpec>,
        /// Estimated memory of `spec`'s process; `None` without a budget or an estimate.
        footprint: Option<Footprint>,
        permit: BreakerPermit,
        reply: oneshot::Sender<Result<Lease, AcquireError>>,
    },
    /// The caller stopped waiting before its request was admitted.
    Cancel { request: RequestId },
    /// An admitted request finished: its lease was dropped.
    Finish { request: RequestId },
    Unload { model: ModelId },
    /// Idle time before unloading, set by a request (Ollama's `keep_alive`); `None` keeps it.
    SetTtl { model: ModelId, ttl: Option<Duration> },
    Started {
        model: ModelId,
        result: Result<ModelProcess, StartError>,
    },
    Stopped { model: ModelId },
    Exited {
        model: ModelId,
        pid: u32,
        exit: ProcessExit,
    },
    Shutdown { done: oneshot::Sender<()> },
}
