use std::collections::VecDeque;
use std::time::Duration;

use tokio::time::Instant;

use super::{ModelState, RequestId, StopReason};
use crate::placement::Footprint;

/// Everything the scheduler tracks for one model, created on the first input that names it.
#[derive(Debug)]
pub(super) struct ModelEntry {
    pub(super) state: ModelState,
    /// Requests waiting for this model, oldest first.
    pub(super) queue: VecDeque<RequestId>,
    /// Admitted requests served by the current process.
    pub(super) in_flight: usize,
    pub(super) ttl: Option<Duration>,
    /// Time of the last admit, finish or ready event. It orders swap victims and starts the idle
    /// time to live.
    pub(super) last_used: Instant,
    /// Stop to send once the model is idle: set while Draining, or by `Unload` while Starting.
    pub(super) pending_stop: Option<StopReason>,
    /// Counts processes, so that a finish reported for a request served by an earlier process
    /// does not change `in_flight` of the current one.
    pub(super) generation: u64,
    /// Estimated memory of the next process, from `SetFootprint`.
    pub(super) footprint: Option<Footprint>,
    /// Memory the current process counts against the budget: the footprint at its start,
    /// empty while no process exists.
    pub(super) running_footprint: Footprint,
}

impl ModelEntry {
    pub(super) fn new(now: Instant) -> Self {
        ModelEntry {
            state: ModelState::Stopped,
            queue: VecDeque::new(),
            in_flight: 0,
            ttl: None,
            last_used: now,
            pending_stop: None,
            generation: 0,
            footprint: None,
            running_footprint: Footprint::new(),
        }
    }

    pub(super) fn is_idle(&self) -> bool {
        self.in_flight == 0 && self.queue.is_empty()
    }

    /// Marks the process as gone. Requests it was serving no longer count as in flight.
    pub(super) fn mark_stopped(&mut self, now: Instant) {
        self.state = ModelState::Stopped;
        self.in_flight = 0;
        self.pending_stop = None;
        self.generation = self.generation.wrapping_add(1);
        self.last_used = now;
        self.running_footprint = Footprint::new();
    }
}
