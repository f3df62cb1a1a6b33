use std::collections::{BTreeMap, HashMap, VecDeque};

use tokio::time::Instant;

use super::model_entry::ModelEntry;
use super::process_events::ProcessEnd;
use super::request_entry::RequestEntry;
use super::{Action, Input, ModelId, ModelState, RequestId};
use crate::placement::{Footprint, MemoryBudget};

/// State machine that decides which model processes run: at most `max_running` at once and,
/// with a memory budget, no more than the budget on any device.
///
/// Each [`handle`](Scheduler::handle) call applies one input and then settles the whole state.
/// It stops drained and expired models and rejects waiting models that could never fit the
/// budget. It starts waiting models in FIFO order while they fit, and picks swap victims for the
/// models still waiting.
#[derive(Debug)]
pub struct Scheduler {
    pub(super) max_running: usize,
    /// A `BTreeMap` keeps the order of returned actions deterministic.
    pub(super) models: BTreeMap<ModelId, ModelEntry>,
    pub(super) requests: HashMap<RequestId, RequestEntry>,
    /// Stopped models with queued requests, in the order they began waiting for a slot.
    pub(super) waiting: VecDeque<ModelId>,
    pub(super) shutting_down: bool,
    /// Memory the processes may use together; `None` limits by count alone.
    pub(super) budget: Option<MemoryBudget>,
}

impl Scheduler {
    /// Creates a scheduler that runs at most `max_running` processes. 0 is raised to 1.
    pub fn new(max_running: usize) -> Self {
        Scheduler::with_memory_budget(max_running, None)
    }

    /// Creates a scheduler that also keeps the footprints of its processes within `budget`.
    pub fn with_memory_budget(max_running: usize, budget: Option<MemoryBudget>) -> Self {
        Scheduler {
            max_running: max_running.max(1),
            models: BTreeMap::new(),
            requests: HashMap::new(),
            waiting: VecDeque::new(),
            shutting_down: false,
            budget,
        }
    }

    /// Applies `input` observed at `now` and returns the actions for the driver, in order.
    pub fn handle(&mut self, input: Input, now: Instant) -> Vec<Action> {
        let mut actions = Vec::new();

        match input {
            Input::RequestArrived { request, model } => {
                self.on_request_arrived(request, model, now, &mut actions)
            }
            Input::RequestCancelled { request } | Input::RequestFinished { request } => {
                self.on_request_released(request, now)
            }
            Input::ProcessReady { model } => self.on_process_ready(&model, now, &mut actions),
            Input::ProcessStartFailed { model, reason } => {
                self.on_process_ended(&model, ProcessEnd::Failed(reason), now, &mut actions)
            }
            Input::ProcessStopped { model } => {
                self.on_process_ended(&model, ProcessEnd::Stopped, now, &mut actions)
            }
            Input::ProcessExited { model, reason } => {
                self.on_process_ended(&model, ProcessEnd::Failed(reason), now, &mut actions)
            }
            Input::SetTtl { model, ttl } => self.entry_mut(&model, now).ttl = ttl,
            Input::SetFootprint { model, footprint } => self.entry_mut(&model, now).footprint = footprint,
            Input::Unload { model } => self.on_unload(&model),
            Input::Shutdown => self.on_shutdown(&mut actions),
            Input::Tick => {}
        }

        self.settle(now, &mut actions);
        actions
    }

    /// Returns the earliest idle time-to-live expiry, the instant at which the driver should send
    /// `Tick`.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.models
            .values()
            .filter_map(|entry| entry.idle_deadline())
            .min()
    }

    pub fn model_state(&self, model: &str) -> ModelState {
        self.models
            .get(model)
            .map_or(ModelState::Stopped, |entry| entry.state)
    }

    pub fn in_flight(&self, model: &str) -> usize {
        self.models.get(model).map_or(0, |entry| entry.in_flight)
    }

    pub fn queued(&self, model: &str) -> usize {
        self.models.get(model).map_or(0, |entry| entry.queue.len())
    }

    /// Returns the models whose process exists: Starting, Ready, Draining or Stopping.
    pub fn running_models(&self) -> Vec<ModelId> {
        self.models
            .iter()
            .filter(|(_, entry)| entry.state.has_process())
            .map(|(model, _)| model.clone())
            .collect()
    }

    pub fn max_running(&self) -> usize {
        self.max_running
    }

    pub fn is_shutting_down(&self) -> bool {
        self.shutting_down
    }

    pub fn memory_budget(&self) -> Option<&MemoryBudget> {
        self.budget.as_ref()
    }

    /// Returns the footprint set for the model's next process.
    pub fn footprint(&self, model: &str) -> Option<&Footprint> {
        self.models.get(model).and_then(|entry| entry.footprint.as_ref())
    }

    pub(super) fn entry_mut(&mut self, model: &ModelId, now: Instant) -> &mut ModelEntry {
        self.models
            .entry(model.clone())
            .or_insert_with(|| ModelEntry::new(now))
    }

    pub(super) fn running_count(&self) -> usize {
        self.models
            .values()
            .filter(|entry| entry.state.has_process())
            .count()
    }

    /// Adds `model` to the back of the waiting list unless it is already there.
    pub(super) fn enqueue_waiting(&mut self, model: &ModelId) {
        if !self.waiting.contains(model) {
            self.waiting.push_back(model.clone());
        }
    }
}
