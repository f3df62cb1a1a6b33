use tokio::time::Instant;

use super::{Action, ModelId, ModelState, Scheduler};

/// The cause of a process end.
#[derive(Debug)]
pub(super) enum ProcessEnd {
    /// A stop that the scheduler asked for completed.
    Stopped,
    /// The process failed to start or exited on its own, for this reason.
    Failed(String),
}

impl Scheduler {
    /// Makes a Starting model Ready and admits its queue. Reports for models in any other state
    /// are stale, for example a ready report that raced with a shutdown stop, and are ignored.
    pub(super) fn on_process_ready(
        &mut self,
        model: &ModelId,
        now: Instant,
        actions: &mut Vec<Action>,
    ) {
        let Some(entry) = self.models.get_mut(model) else {
            return;
        };
        if entry.state != ModelState::Starting {
            tracing::debug!(model = %model, state = %entry.state, "ignored a stale ready report");
            return;
        }

        entry.state = ModelState::Ready;
        entry.last_used = now;
        self.admit_queued(model, now, actions);

        // An unload that came in during the start takes effect now: the admitted requests finish
        // first, and `settle` stops the model once it is idle.
        if let Some(entry) = self.models.get_mut(model)
            && entry.pending_stop.is_some()
        {
            entry.state = ModelState::Draining;
        }
    }

    /// Frees the slot of a process that is gone, whatever state the model was in.
    ///
    /// A failure during the start rejects the queued requests, because restarting at once would
    /// likely fail again. In every other case queued requests make the model wait for a slot.
    pub(super) fn on_process_ended(
        &mut self,
        model: &ModelId,
        end: ProcessEnd,
        now: Instant,
        actions: &mut Vec<Action>,
    ) {
        let Some(entry) = self.models.get_mut(model) else {
            return;
        };
        if entry.state == ModelState::Stopped {
            tracing::debug!(model = %model, "ignored an end report for a model without a process");
            return;
        }

        let was_starting = entry.state == ModelState::Starting;
        entry.mark_stopped(now);

        match end {
            ProcessEnd::Failed(reason) if was_starting => {
                self.reject_queued(model, &reason, actions);
            }
            ProcessEnd::Failed(_) | ProcessEnd::Stopped => {
                if !entry.queue.is_empty() {
                    self.enqueue_waiting(model);
                }
            }
        }
    }

    /// Rejects every queued request of `model` with `reason`.
    pub(super) fn reject_queued(
        &mut self,
        model: &ModelId,
        reason: &str,
        actions: &mut Vec<Action>,
    ) {
        let Some(entry) = self.models.get_mut(model) else {
            return;
        };

        for request in entry.queue.drain(..) {
            self.requests.remove(&request);
            actions.push(Action::Reject {
                request,
                model: model.clone(),
                reason: reason.to_owned(),
            });
        }
        self.waiting.retain(|waiting| waiting != model);
    }
}
