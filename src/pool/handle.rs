use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use super::activity::ActivityBoard;
use super::breaker_permit::BreakerPermit;
use super::driver::Driver;
use super::lease::Lease;
use super::message::Message;
use super::figures::FiguresBoard;
use super::status::StatusBoard;
use crate::breaker::{Admission, BreakerRegistry};
use crate::config::ModelSpec;
use crate::placement::{Footprint, MemoryPlacement};
use crate::scheduler::RequestId;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AcquireError {
    #[error("model '{model}' failed to start: {reason}")]
    StartFailed { model: String, reason: String },
    #[error(
        "model '{model}' is unavailable: its circuit breaker is {state} after repeated failures (last failure: {}); retry in {retry_after_seconds} s",
        last_failure.as_deref().unwrap_or("none recorded")
    )]
    BreakerOpen {
        model: String,
        state: &'static str,
        retry_after_seconds: u64,
        last_failure: Option<String>,
    },
    #[error("llama-runner is shutting down")]
    ShuttingDown,
    /// The model's estimated memory exceeds `memoryBudget` even with no other model loaded.
    #[error("model '{model}' cannot be loaded: {reason}")]
    ExceedsMemoryBudget { model: String, reason: String },
}

/// Limits the pool applies to every model process.
#[derive(Debug, Clone, Copy)]
pub struct PoolTimings {
    pub health_check_timeout: Duration,
    pub stop_grace: Duration,
}

/// A cheap handle to the pool's driver task.
#[derive(Debug, Clone)]
pub struct ModelPool {
    messages: mpsc::UnboundedSender<Message>,
    next_request: Arc<AtomicU64>,
    status: StatusBoard,
    figures: FiguresBoard,
    activity: ActivityBoard,
    breakers: BreakerRegistry,
    placement: Arc<MemoryPlacement>,
}

impl ModelPool {
    /// Starts the driver task on the current tokio runtime.
    pub fn spawn(max_running: usize, timings: PoolTimings, breakers: BreakerRegistry) -> Self {
        Self::spawn_with_placement(max_running, timings, breakers, Arc::new(MemoryPlacement::unlimited()))
    }

    /// Starts the driver task, which keeps the running models within `placement`'s memory
    /// budget as well as within `max_running` processes.
    pub fn spawn_with_placement(
        max_running: usize,
        timings: PoolTimings,
        breakers: BreakerRegistry,
        placement: Arc<MemoryPlacement>,
    ) -> Self {
        let (messages, inbox) = mpsc::unbounded_channel();
        let status = StatusBoard::default();
        let figures = FiguresBoard::default();
        let activity = ActivityBoard::default();
        let boards = Boards {
            status: status.clone(),
            figures: figures.clone(),
            activity: activity.clone(),
        };
        let budget = placement.budget().cloned();
        let driver = Driver::new(max_running, budget, timings, messages.clone(), boards, breakers.clone());
        tokio::spawn(driver.run(inbox));

        Self {
            messages,
            next_request: Arc::new(AtomicU64::new(1)),
            status,
            figures,
            activity,
            breakers,
            placement,
        }
    }

    /// Waits until `spec`'s model is ready and may take this request, starting or swapping
    /// processes as needed. Dropping the returned future gives up the place in the queue.
    ///
    /// A model whose circuit breaker is open is rejected at once, without starting a process or
    /// contacting the upstream.
    pub async fn acquire(&self, spec: Arc<ModelSpec>) -> Result<Lease, AcquireError> {
        let model = spec.id.clone();
        // NOTE: a client that leaves while it waits here is not recorded as a request, because
        // this future is dropped before any outcome.
        let result = self.acquire_counted(spec).await;
        if let Err(error) = &result {
            crate::telemetry::record_rejected_request(&model, error);
        }
        result
    }

    async fn acquire_counted(&self, spec: Arc<ModelSpec>) -> Result<Lease, AcquireError> {
        let admission = self.breakers.with(&spec.id, |breaker| breaker.try_acquire(Instant::now()));
        if let Admission::Rejected(rejection) = admission {
            return Err(AcquireError::BreakerOpen {
                model: spec.id.to_string(),
                state: rejection.state.as_str(),
                retry_after_seconds: rejection.retry_after_seconds(),
                last_failure: rejection.last_failure,
            });
        }
        let permit = BreakerPermit::new(spec.id.clone(), self.breakers.clone());
        let _queued = self.activity.queue(&spec.id);

        let footprint = self.footprint_for(&spec).await;
        let request: RequestId = self.next_request.fetch_add(1, Ordering::Relaxed);
        let (reply, answer) = oneshot::channel();
        let mut waiting = CancelOnDrop {
            request,
            messages: &self.messages,
            armed: true,
        };

        self.messages
            .send(Message::Acquire { request, spec, footprint, permit, reply })
            .map_err(|_| AcquireError::ShuttingDown)?;
        let result = answer.await.unwrap_or(Err(AcquireError::ShuttingDown));
        waiting.armed = false;
        result
    }

    /// Estimates the memory of `spec` when a budget is set. Without an estimate the model is
    /// placed by the process count alone.
    async fn footprint_for(&self, spec: &Arc<ModelSpec>) -> Option<Footprint> {
        self.placement.budget()?;
        match self.placement.estimate_async(spec.clone()).await {
            Ok(estimate) => Some(estimate.total.clone()),
            Err(error) => {
                tracing::warn!(model = %spec.id, error = %error, "no memory estimate: the model is placed by count alone");
                None
            }
        }
    }

    /// Asks for the model to be stopped once its requests in flight have finished.
    pub fn unload(&self, model: Arc<str>) {
        let _ = self.messages.send(Message::Unload { model });
    }

    /// Sets the model's idle time before unloading until a later call changes it; `None` keeps
    /// the model loaded and `Some(Duration::ZERO)` unloads it right after its last request.
    pub fn set_idle_ttl(&self, model: Arc<str>, ttl: Option<Duration>) {
        let _ = self.messages.send(Message::SetTtl { model, ttl });
    }

    /// Rejects queued requests, stops every model process and waits until all are gone.
    pub async fn shutdown(&self) {
        let (done, finished) = oneshot::channel();
        if self.messages.send(Message::Shutdown { done }).is_ok() {
            let _ = finished.await;
        }
    }

    pub fn status(&self) -> &StatusBoard {
        &self.status
    }

    pub fn breakers(&self) -> &BreakerRegistry {
        &self.breakers
    }

    pub fn figures(&self) -> &FiguresBoard {
        &self.figures
    }

    pub fn activity(&self) -> &ActivityBoard {
        &self.activity
    }

    /// Returns the memory budget and the estimates of the models.
    pub fn placement(&self) -> &Arc<MemoryPlacement> {
        &self.placement
    }
}

/// The shared boards the driver writes and the handlers read.
pub(crate) struct Boards {
    pub(crate) status: StatusBoard,
    pub(crate) figures: FiguresBoard,
    pub(crate) activity: ActivityBoard,
}

struct CancelOnDrop<'a> {
    request: RequestId,
    messages: &'a mpsc::UnboundedSender<Message>,
    armed: bool,
}

impl Drop for CancelOnDrop<'_> {
    fn drop(&mut self) {
        if self.armed {
            let _ = self.messages.send(Message::Cancel { request: self.request });
        }
    }
}
