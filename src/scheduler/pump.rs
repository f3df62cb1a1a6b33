use std::cmp::Reverse;

use tokio::time::Instant;

use super::{Action, ModelId, ModelState, Scheduler, StopReason};

impl Scheduler {
    /// Brings the state in line with the rules after any input, in this order: expire idle
    /// models, start waiting models in free slots, pick or release swap victims, and stop
    /// draining models that have become idle.
    pub(super) fn settle(&mut self, now: Instant, actions: &mut Vec<Action>) {
        self.stop_expired(now, actions);

        if !self.shutting_down {
            self.start_waiting(actions);
            self.balance_victims(now, actions);
        }

        self.stop_drained(actions);
    }

    /// Starts waiting models, oldest first, while fewer than `max_running` processes exist.
    fn start_waiting(&mut self, actions: &mut Vec<Action>) {
        while self.running_count() < self.max_running {
            let Some(model) = self.waiting.pop_front() else {
                return;
            };
            let Some(entry) = self.models.get_mut(&model) else {
                continue;
            };

            // Only Stopped models with queued requests can start, so any other entry is skipped.
            if entry.state != ModelState::Stopped || entry.queue.is_empty() {
                continue;
            }

            entry.state = ModelState::Starting;
            actions.push(Action::StartProcess { model });
        }
    }

    /// Matches the slots about to free up to the models waiting for one.
    ///
    /// Every Stopping or Draining process, and every Starting one with an unload pending, will
    /// free its slot. When fewer slots will free than models wait, the least recently used Ready
    /// models start draining, idle ones first. When more will free, models drained for a swap
    /// return to Ready, because no waiting model needs their slot any more.
    fn balance_victims(&mut self, now: Instant, actions: &mut Vec<Action>) {
        let free = self.max_running.saturating_sub(self.running_count());
        let freeing = self
            .models
            .values()
            .filter(|entry| match entry.state {
                ModelState::Stopping | ModelState::Draining => true,
                ModelState::Starting => entry.pending_stop.is_some(),
                ModelState::Stopped | ModelState::Ready => false,
            })
            .count();
        let supply = free + freeing;
        let demand = self.waiting.len();

        for _ in supply..demand {
            let Some(victim) = self.pick_victim() else {
                break;
            };
            if let Some(entry) = self.models.get_mut(&victim) {
                entry.state = ModelState::Draining;
                entry.pending_stop = Some(StopReason::Swap);
            }
        }

        for _ in demand..supply {
            let Some(model) = self.pick_undrain() else {
                break;
            };
            if let Some(entry) = self.models.get_mut(&model) {
                entry.state = ModelState::Ready;
                entry.pending_stop = None;
            }
            self.admit_queued(&model, now, actions);
        }
    }

    /// Returns the Ready model to evict: idle before busy, then least recently used.
    fn pick_victim(&self) -> Option<ModelId> {
        self.models
            .iter()
            .filter(|(_, entry)| entry.state == ModelState::Ready)
            .min_by_key(|(model, entry)| (entry.in_flight > 0, entry.last_used, (*model).clone()))
            .map(|(model, _)| model.clone())
    }

    /// Returns the most recently used model that drains only to make room for a swap.
    fn pick_undrain(&self) -> Option<ModelId> {
        self.models
            .iter()
            .filter(|(_, entry)| {
                entry.state == ModelState::Draining && entry.pending_stop == Some(StopReason::Swap)
            })
            .min_by_key(|(model, entry)| (Reverse(entry.last_used), (*model).clone()))
            .map(|(model, _)| model.clone())
    }

    /// Sends the pending stop for every draining model with nothing left in flight.
    fn stop_drained(&mut self, actions: &mut Vec<Action>) {
        for (model, entry) in &mut self.models {
            if entry.state != ModelState::Draining || entry.in_flight > 0 {
                continue;
            }

            let reason = entry.pending_stop.take().unwrap_or(StopReason::Swap);
            entry.state = ModelState::Stopping;
            actions.push(Action::StopProcess {
                model: model.clone(),
                reason,
            });
        }
    }
}
