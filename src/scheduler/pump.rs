use tokio::time::Instant;

use super::{Action, ModelId, ModelState, Scheduler, StopReason};

impl Scheduler {
    /// Brings the state in line with the rules after any input. In order, it expires idle
    /// models and rejects waiting models that can never fit the memory budget. Then it starts
    /// waiting models that fit, picks or releases swap victims, and stops idle draining models.
    pub(super) fn settle(&mut self, now: Instant, actions: &mut Vec<Action>) {
        self.stop_expired(now, actions);

        if !self.shutting_down {
            self.reject_oversized(actions);
            self.start_waiting(actions);
            self.balance_victims(now, actions);
        }

        self.stop_drained(actions);
    }

    /// Starts waiting models, oldest first, while fewer than `max_running` processes exist and
    /// the oldest fits the memory budget beside every existing process. A model that does not
    /// fit yet blocks the ones behind it.
    fn start_waiting(&mut self, actions: &mut Vec<Action>) {
        while self.running_count() < self.max_running {
            let Some(model) = self.waiting.front().cloned() else {
                return;
            };
            let Some(entry) = self.models.get(&model) else {
                self.waiting.pop_front();
                continue;
            };

            // Only Stopped models with queued requests can start, so any other entry is skipped.
            if entry.state != ModelState::Stopped || entry.queue.is_empty() {
                self.waiting.pop_front();
                continue;
            }
            let footprint = entry.footprint.clone().unwrap_or_default();
            if !self.fits_now(&footprint) {
                return;
            }

            self.waiting.pop_front();
            if let Some(entry) = self.models.get_mut(&model) {
                entry.state = ModelState::Starting;
                entry.running_footprint = footprint;
            }
            actions.push(Action::StartProcess { model });
        }
    }

    /// Drains the victims that [`plan_evictions`](Scheduler::plan_evictions) picks for the
    /// waiting models, and returns to Ready the models drained for a swap that the plan no
    /// longer needs, admitting their queued requests.
    fn balance_victims(&mut self, now: Instant, actions: &mut Vec<Action>) {
        let victims = self.plan_evictions();

        let released: Vec<ModelId> = self
            .models
            .iter()
            .filter(|(model, entry)| {
                entry.state == ModelState::Draining
                    && entry.pending_stop == Some(StopReason::Swap)
                    && !victims.contains(*model)
            })
            .map(|(model, _)| model.clone())
            .collect();

        for victim in &victims {
            if let Some(entry) = self.models.get_mut(victim)
                && entry.state == ModelState::Ready
            {
                entry.state = ModelState::Draining;
                entry.pending_stop = Some(StopReason::Swap);
            }
        }

        for model in released {
            if let Some(entry) = self.models.get_mut(&model) {
                entry.state = ModelState::Ready;
                entry.pending_stop = None;
            }
            self.admit_queued(&model, now, actions);
        }
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
