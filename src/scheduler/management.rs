use super::{Action, ModelId, ModelState, SHUTDOWN_REASON, Scheduler, StopReason};

impl Scheduler {
    /// Marks the model to stop once idle. `settle` sends the stop, at once for an idle model.
    pub(super) fn on_unload(&mut self, model: &ModelId) {
        let Some(entry) = self.models.get_mut(model) else {
            return;
        };

        match entry.state {
            ModelState::Stopped | ModelState::Stopping => {}
            ModelState::Starting => entry.pending_stop = Some(StopReason::Unload),
            ModelState::Ready | ModelState::Draining => {
                entry.state = ModelState::Draining;
                entry.pending_stop = Some(StopReason::Unload);
            }
        }
    }

    /// Rejects all queued requests and stops every process that is not already stopping.
    /// In-flight requests are not waited for.
    pub(super) fn on_shutdown(&mut self, actions: &mut Vec<Action>) {
        self.shutting_down = true;

        let models: Vec<ModelId> = self.models.keys().cloned().collect();
        for model in &models {
            self.reject_queued(model, SHUTDOWN_REASON, actions);
        }
        self.waiting.clear();

        for (model, entry) in &mut self.models {
            let stoppable = matches!(
                entry.state,
                ModelState::Starting | ModelState::Ready | ModelState::Draining
            );
            if !stoppable {
                continue;
            }

            entry.state = ModelState::Stopping;
            entry.pending_stop = None;
            actions.push(Action::StopProcess {
                model: model.clone(),
                reason: StopReason::Shutdown,
            });
        }
    }
}
