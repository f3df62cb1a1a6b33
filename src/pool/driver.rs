use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::breaker_permit::BreakerPermit;
use super::handle::{AcquireError, Boards, PoolTimings};
use super::restart_backoff::RestartBackoff;
use super::lease::Lease;
use super::message::Message;
use super::slot::Slot;
use super::status::{ModelStatus, StatusBoard};
use crate::breaker::{BreakerRegistry, FailureKind};
use crate::config::ModelSpec;
use crate::placement::MemoryBudget;
use crate::scheduler::{Action, Input, ModelId, RequestId, SHUTDOWN_REASON, Scheduler, StopReason};
use crate::supervisor::{LogBuffer, ModelProcess, StartError, pick_free_port};

/// A request that waits for its model to become ready.
struct Waiting {
    permit: BreakerPermit,
    reply: oneshot::Sender<Result<Lease, AcquireError>>,
}

/// Owns the scheduler and every model process; the only place either changes.
pub(crate) struct Driver {
    scheduler: Scheduler,
    timings: PoolTimings,
    messages: mpsc::UnboundedSender<Message>,
    status: StatusBoard,
    boards: Boards,
    specs: HashMap<ModelId, Arc<ModelSpec>>,
    /// The spec each existing process was started from, to notice when a request needs another.
    launched_specs: HashMap<ModelId, Arc<ModelSpec>>,
    waiting: HashMap<RequestId, Waiting>,
    slots: HashMap<ModelId, Slot>,
    stop_reasons: HashMap<ModelId, StopReason>,
    last_errors: HashMap<ModelId, String>,
    shutdown_waiters: Vec<oneshot::Sender<()>>,
    breakers: BreakerRegistry,
    restart_backoff: RestartBackoff,
}

impl Driver {
    pub(crate) fn new(
        max_running: usize,
        budget: Option<MemoryBudget>,
        timings: PoolTimings,
        messages: mpsc::UnboundedSender<Message>,
        boards: Boards,
        breakers: BreakerRegistry,
    ) -> Self {
        Self {
            scheduler: Scheduler::with_memory_budget(max_running, budget),
            timings,
            messages,
            status: boards.status.clone(),
            boards,
            specs: HashMap::new(),
            launched_specs: HashMap::new(),
            waiting: HashMap::new(),
            slots: HashMap::new(),
            stop_reasons: HashMap::new(),
            last_errors: HashMap::new(),
            shutdown_waiters: Vec::new(),
            breakers,
            restart_backoff: RestartBackoff::default(),
        }
    }

    pub(crate) async fn run(mut self, mut inbox: mpsc::UnboundedReceiver<Message>) {
        loop {
            let deadline = self.scheduler.next_deadline();
            let message = tokio::select! {
                message = inbox.recv() => message,
                _ = sleep_until_deadline(deadline) => {
                    self.feed(Input::Tick);
                    continue;
                }
            };
            match message {
                Some(message) => self.receive(message),
                None => return,
            }
        }
    }

    fn receive(&mut self, message: Message) {
        match message {
            Message::Acquire { request, spec, footprint, permit, reply } => {
                let model = spec.id.clone();
                self.remember_spec(spec);
                if footprint.is_some() && footprint.as_ref() != self.scheduler.footprint(&model) {
                    self.feed(Input::SetFootprint { model: model.clone(), footprint });
                }
                self.waiting.insert(request, Waiting { permit, reply });
                self.feed(Input::RequestArrived { request, model });
            }
            Message::Cancel { request } => {
                if self.waiting.remove(&request).is_some() {
                    self.feed(Input::RequestCancelled { request });
                }
            }
            Message::Finish { request } => self.feed(Input::RequestFinished { request }),
            Message::Unload { model } => self.feed(Input::Unload { model }),
            Message::SetTtl { model, ttl } => self.feed(Input::SetTtl { model, ttl }),
            Message::Started { model, result } => self.on_started(model, result),
            Message::Stopped { model } => {
                self.slots.remove(&model);
                self.launched_specs.remove(&model);
                let reason = self.stop_reasons.remove(&model).map_or("unknown", |reason| reason.as_str());
                tracing::info!(model = %model, reason, "model stopped");
                self.boards.figures.record_stop(&model, reason);
                self.restart_backoff.forget(&model);
                self.feed(Input::ProcessStopped { model });
            }
            Message::Exited { model, pid, exit } => self.on_exited(model, pid, exit.status),
            Message::Shutdown { done } => {
                self.shutdown_waiters.push(done);
                self.feed(Input::Shutdown);
            }
        }
        self.notify_shutdown_waiters();
    }

    /// Records the spec a request was made with. A process started from a different launch
    /// configuration (another context size, say) is restarted once its requests in flight finish.
    fn remember_spec(&mut self, spec: Arc<ModelSpec>) {
        let ttl_changed = self.specs.get(&spec.id).is_none_or(|known| known.ttl != spec.ttl);
        let relaunch = self
            .launched_specs
            .get(&spec.id)
            .is_some_and(|launched| !launched.same_launch(&spec));
        let model = spec.id.clone();
        let ttl = spec.ttl;
        self.specs.insert(model.clone(), spec);

        if ttl_changed {
            self.feed(Input::SetTtl { model: model.clone(), ttl });
        }
        if relaunch {
            tracing::info!(model = %model, "launch parameters changed: restarting the model when idle");
            self.feed(Input::Unload { model });
        }
    }

    fn on_started(&mut self, model: ModelId, result: Result<ModelProcess, StartError>) {
        match result {
            Ok(process) if self.start_was_cancelled(&model) => {
                // The stop came after the process turned healthy but before this report.
                let process = Arc::new(process);
                self.slots.insert(model.clone(), Slot::Running(process));
                let reason = self.stop_reasons.get(&model).copied().unwrap_or(StopReason::Shutdown);
                self.stop(model, reason);
            }
            Ok(process) => {
                let load = process.started_at.elapsed();
                let load_ms = load.as_millis() as u64;
                tracing::info!(model = %model, pid = process.pid, port = process.port, load_ms, "model ready");
                self.boards.figures.record_ready(&model, load, Instant::now());
                let process = Arc::new(process);
                self.watch_exit(process.clone());
                self.slots.insert(model.clone(), Slot::Running(process));
                self.last_errors.remove(&model);
                self.feed(Input::ProcessReady { model });
            }
            Err(StartError::Cancelled) => {
                self.slots.remove(&model);
                self.launched_specs.remove(&model);
                tracing::info!(model = %model, "model start cancelled");
                let reason = self.stop_reasons.remove(&model).map_or("cancelled", |reason| reason.as_str());
                self.boards.figures.record_stop(&model, reason);
                self.feed(Input::ProcessStopped { model });
            }
            Err(error) => {
                self.slots.remove(&model);
                self.launched_specs.remove(&model);
                let reason = error.to_string();
                tracing::warn!(model = %model, error = %reason, "model failed to start");
                self.last_errors.insert(model.clone(), reason.clone());
                self.boards.figures.record_failed_start(&model);
                self.restart_backoff.record_failure(&model);
                if let Some(kind) = failure_kind(&error) {
                    self.breakers
                        .with(&model, |breaker| breaker.record_failure(Instant::now(), kind, reason.clone()));
                }
                self.feed(Input::ProcessStartFailed { model, reason });
            }
        }
    }

    fn start_was_cancelled(&self, model: &ModelId) -> bool {
        matches!(self.slots.get(model), Some(Slot::Starting { cancel }) if cancel.is_cancelled())
    }

    fn on_exited(&mut self, model: ModelId, pid: u32, status: String) {
        let crashed = matches!(self.slots.get(&model), Some(Slot::Running(process)) if process.pid == pid);
        if !crashed {
            return;
        }

        let process = match self.slots.remove(&model) {
            Some(Slot::Running(process)) => process,
            _ => return,
        };
        self.launched_specs.remove(&model);
        let reason = format!("llama-server exited unexpectedly ({status}); last output:\n{}", process.last_lines());
        tracing::error!(model = %model, pid, status = %status, last_output = %process.last_lines(), "model process crashed");
        self.last_errors.insert(model.clone(), reason.clone());
        self.boards.figures.record_crash(&model, Instant::now());
        self.restart_backoff.record_crash(&model, process.started_at, Instant::now());
        self.breakers.with(&model, |breaker| {
            breaker.record_failure(Instant::now(), FailureKind::Crashed, reason.clone())
        });
        self.feed(Input::ProcessExited { model, reason });
    }

    fn feed(&mut self, input: Input) {
        let touched = touched_model(&input);
        let actions = self.scheduler.handle(input, Instant::now());
        let mut models: Vec<ModelId> = touched.into_iter().collect();

        for action in actions {
            match &action {
                Action::StartProcess { model }
                | Action::StopProcess { model, .. }
                | Action::Admit { model, .. }
                | Action::Reject { model, .. } => models.push(model.clone()),
            }
            self.perform(action);
        }

        for model in models {
            self.publish_status(&model);
        }
    }

    fn perform(&mut self, action: Action) {
        match action {
            Action::StartProcess { model } => self.start(model),
            Action::StopProcess { model, reason } => self.stop(model, reason),
            Action::Admit { request, model } => self.admit(request, model),
            Action::Reject { request, model, reason } => {
                // Dropping the permit settles nothing: a failed start was recorded once, above.
                if let Some(Waiting { reply, .. }) = self.waiting.remove(&request) {
                    let error = if reason == SHUTDOWN_REASON {
                        AcquireError::ShuttingDown
                    } else if self.scheduler.budget_rejection(&model).as_deref() == Some(reason.as_str()) {
                        AcquireError::ExceedsMemoryBudget {
                            model: model.to_string(),
                            reason,
                        }
                    } else {
                        AcquireError::StartFailed {
                            model: model.to_string(),
                            reason,
                        }
                    };
                    let _ = reply.send(Err(error));
                }
            }
        }
    }

    fn start(&mut self, model: ModelId) {
        let Some(spec) = self.specs.get(&model).cloned() else {
            let reason = "no configuration for this model".to_owned();
            let _ = self.messages.send(Message::Started {
                model,
                result: Err(StartError::Spawn { program: String::new(), message: reason }),
            });
            return;
        };

        let cancel = CancellationToken::new();
        let logs = Arc::new(LogBuffer::new(LogBuffer::DEFAULT_CAPACITY));
        self.boards.figures.record_start(&model, logs.clone());
        self.slots.insert(model.clone(), Slot::Starting { cancel: cancel.clone() });
        self.launched_specs.insert(model.clone(), spec.clone());
        tracing::info!(model = %model, "model starting");

        let timings = self.timings;
        let messages = self.messages.clone();
        let delay = self.restart_backoff.delay(&model);
        if !delay.is_zero() {
            tracing::info!(model = %model, delay_ms = delay.as_millis() as u64, "delaying the restart of a failing model");
        }
        tokio::spawn(async move {
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                _ = cancel.cancelled() => {
                    let _ = messages.send(Message::Started { model, result: Err(StartError::Cancelled) });
                    return;
                }
            }
            let result = match spec.pinned_port.map_or_else(pick_free_port, Ok) {
                Ok(port) => {
                    ModelProcess::start_with_logs(&spec, port, timings.health_check_timeout, timings.stop_grace, cancel, logs)
                        .await
                }
                Err(error) => Err(StartError::NoFreePort { message: error.to_string() }),
            };
            let _ = messages.send(Message::Started { model, result });
        });
    }

    fn stop(&mut self, model: ModelId, reason: StopReason) {
        tracing::info!(model = %model, reason = reason.as_str(), "model stopping");
        self.stop_reasons.insert(model.clone(), reason);

        match self.slots.remove(&model) {
            Some(Slot::Starting { cancel }) => {
                cancel.cancel();
                self.slots.insert(model, Slot::Starting { cancel });
            }
            Some(Slot::Running(process)) => {
                self.slots.insert(model.clone(), Slot::Stopping { pid: Some(process.pid) });
                let grace = self.timings.stop_grace;
                let messages = self.messages.clone();
                tokio::spawn(async move {
                    process.stop(grace).await;
                    let _ = messages.send(Message::Stopped { model });
                });
            }
            Some(stopping @ Slot::Stopping { .. }) => {
                self.slots.insert(model, stopping);
            }
            None => {
                let _ = self.messages.send(Message::Stopped { model });
            }
        }
    }

    fn admit(&mut self, request: RequestId, model: ModelId) {
        let port = match self.slots.get(&model) {
            Some(Slot::Running(process)) => Some(process.port),
            _ => None,
        };
        let Some(Waiting { permit, reply }) = self.waiting.remove(&request) else {
            // The caller left between admission and now: the request is already over.
            self.feed(Input::RequestFinished { request });
            return;
        };
        let Some(port) = port else {
            tracing::error!(model = %model, request, "scheduler admitted a request to a model without a running process");
            let _ = reply.send(Err(AcquireError::StartFailed {
                model: model.to_string(),
                reason: "the model process is not running".to_owned(),
            }));
            self.feed(Input::RequestFinished { request });
            return;
        };

        let timeouts = self.specs.get(&model).map(|spec| spec.timeouts).unwrap_or_default();
        let in_flight = self.boards.activity.serve(&model);
        let lease = Lease {
            request,
            model,
            port,
            timeouts,
            permit: Some(permit),
            messages: self.messages.clone(),
            _in_flight: Some(in_flight),
        };
        // A failed send drops the lease, whose Drop reports the request finished.
        let _ = reply.send(Ok(lease));
    }

    fn watch_exit(&self, process: Arc<ModelProcess>) {
        let messages = self.messages.clone();
        tokio::spawn(async move {
            let exit = process.exited().await;
            let _ = messages.send(Message::Exited {
                model: process.model.clone(),
                pid: process.pid,
                exit,
            });
        });
    }

    fn publish_status(&self, model: &ModelId) {
        let (pid, port) = match self.slots.get(model) {
            Some(Slot::Running(process)) => (Some(process.pid), Some(process.port)),
            Some(Slot::Stopping { pid }) => (*pid, None),
            _ => (None, None),
        };
        let state = self.scheduler.model_state(model).as_str();
        // A stopped model whose last start failed or whose process crashed shows as failed
        // until it runs again.
        let failed = state == "stopped" && self.last_errors.contains_key(model);
        let status = ModelStatus {
            state: if failed { "failed" } else { state },
            pid,
            port,
            last_error: self.last_errors.get(model).cloned(),
        };
        self.status.set(model.clone(), status);
    }

    fn notify_shutdown_waiters(&mut self) {
        if !self.shutdown_waiters.is_empty() && self.slots.is_empty() {
            for waiter in self.shutdown_waiters.drain(..) {
                let _ = waiter.send(());
            }
        }
    }
}

/// The breaker failure a start error counts as; a cancelled start is no failure.
fn failure_kind(error: &StartError) -> Option<FailureKind> {
    match error {
        StartError::ExecutableNotFound { .. } | StartError::Spawn { .. } | StartError::NoFreePort { .. } => {
            Some(FailureKind::SpawnFailed)
        }
        StartError::ExitedWhileLoading { .. } => Some(FailureKind::ExitedWhileLoading),
        StartError::HealthTimeout { .. } => Some(FailureKind::HealthTimeout),
        StartError::Cancelled => None,
    }
}

fn touched_model(input: &Input) -> Option<ModelId> {
    match input {
        Input::RequestArrived { model, .. }
        | Input::ProcessReady { model }
        | Input::ProcessStartFailed { model, .. }
        | Input::ProcessStopped { model }
        | Input::ProcessExited { model, .. }
        | Input::SetTtl { model, .. }
        | Input::Unload { model } => Some(model.clone()),
        _ => None,
    }
}

async fn sleep_until_deadline(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}
