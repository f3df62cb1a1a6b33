use tokio::time::Instant;

use super::request_entry::{RequestEntry, RequestPhase};
use super::{Action, ModelId, ModelState, RequestId, SHUTDOWN_REASON, Scheduler};

impl Scheduler {
    pub(super) fn on_request_arrived(
        &mut self,
        request: RequestId,
        model: ModelId,
        now: Instant,
        actions: &mut Vec<Action>,
    ) {
        if self.shutting_down {
            actions.push(Action::Reject {
                request,
                model,
                reason: SHUTDOWN_REASON.to_owned(),
            });
            return;
        }

        // A second arrival with a tracked id would get a second Admit or Reject, so it is dropped.
        if let Some(tracked) = self.requests.get(&request) {
            tracing::warn!(
                request,
                model = %model,
                tracked_model = %tracked.model,
                "ignored a request whose id is already tracked"
            );
            return;
        }

        let entry = self.entry_mut(&model, now);
        match entry.state {
            ModelState::Ready => {
                entry.in_flight = entry.in_flight.saturating_add(1);
                entry.last_used = now;
                let generation = entry.generation;

                self.requests.insert(
                    request,
                    RequestEntry {
                        model: model.clone(),
                        phase: RequestPhase::Admitted { generation },
                    },
                );
                actions.push(Action::Admit { request, model });
            }
            ModelState::Stopped => {
                entry.queue.push_back(request);
                self.track_queued(request, &model);
                self.enqueue_waiting(&model);
            }
            ModelState::Starting | ModelState::Draining | ModelState::Stopping => {
                entry.queue.push_back(request);
                self.track_queued(request, &model);
            }
        }
    }

    /// Handles both cancel and finish. A queued request leaves its queue, and an admitted one
    /// stops counting as in flight. Unknown ids are ignored.
    pub(super) fn on_request_released(&mut self, request: RequestId, now: Instant) {
        let Some(released) = self.requests.remove(&request) else {
            return;
        };
        let Some(entry) = self.models.get_mut(&released.model) else {
            return;
        };

        match released.phase {
            RequestPhase::Queued => {
                entry.queue.retain(|&queued| queued != request);

                // The model no longer needs a slot, so any victim drained for it can be kept.
                if entry.queue.is_empty() {
                    self.waiting.retain(|waiting| *waiting != released.model);
                }
            }
            RequestPhase::Admitted { generation } => {
                if generation == entry.generation {
                    entry.in_flight = entry.in_flight.saturating_sub(1);
                    entry.last_used = now;
                }
            }
        }
    }

    /// Admits every queued request of `model` in order. The caller has made the model Ready.
    pub(super) fn admit_queued(
        &mut self,
        model: &ModelId,
        now: Instant,
        actions: &mut Vec<Action>,
    ) {
        let Some(entry) = self.models.get_mut(model) else {
            return;
        };
        let generation = entry.generation;

        while let Some(request) = entry.queue.pop_front() {
            entry.in_flight = entry.in_flight.saturating_add(1);
            entry.last_used = now;

            if let Some(tracked) = self.requests.get_mut(&request) {
                tracked.phase = RequestPhase::Admitted { generation };
            }
            actions.push(Action::Admit {
                request,
                model: model.clone(),
            });
        }
    }

    fn track_queued(&mut self, request: RequestId, model: &ModelId) {
        self.requests.insert(
            request,
            RequestEntry {
                model: model.clone(),
                phase: RequestPhase::Queued,
            },
        );
    }
}
