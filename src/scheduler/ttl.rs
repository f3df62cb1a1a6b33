use tokio::time::Instant;

use super::model_entry::ModelEntry;
use super::{Action, ModelState, Scheduler, StopReason};

impl ModelEntry {
    /// Returns when an idle time to live stops this model. Only a Ready model with nothing in
    /// flight, nothing queued and no stop pending has one. An expiry past the range of `Instant`
    /// means never.
    pub(super) fn idle_deadline(&self) -> Option<Instant> {
        let idle_ready =
            self.state == ModelState::Ready && self.is_idle() && self.pending_stop.is_none();
        if !idle_ready {
            return None;
        }

        self.last_used.checked_add(self.ttl?)
    }
}

impl Scheduler {
    /// Stops every model whose idle time to live has run out by `now`.
    pub(super) fn stop_expired(&mut self, now: Instant, actions: &mut Vec<Action>) {
        for (model, entry) in &mut self.models {
            let expired = entry
                .idle_deadline()
                .is_some_and(|deadline| deadline <= now);
            if !expired {
                continue;
            }

            entry.state = ModelState::Stopping;
            actions.push(Action::StopProcess {
                model: model.clone(),
                reason: StopReason::Ttl,
            });
        }
    }
}
