use super::{Action, ModelId, Scheduler};
use crate::placement::{Footprint, fits_budget};

impl Scheduler {
    /// Sum of the footprints of every process that exists, whatever its state, because a
    /// stopping process keeps its memory until `ProcessStopped`.
    pub fn memory_in_use(&self) -> Footprint {
        let mut used = Footprint::new();
        for entry in self.models.values().filter(|entry| entry.state.has_process()) {
            used.add_all(&entry.running_footprint);
        }
        used
    }

    /// Returns why the model can never start within the budget, or `None` when it can or no
    /// budget is set. The reason names the estimate and the budget.
    pub fn budget_rejection(&self, model: &str) -> Option<String> {
        let budget = self.budget.as_ref()?;
        let footprint = self.models.get(model)?.footprint.as_ref()?;
        fits_budget(footprint, budget).err()
    }

    /// Returns whether `footprint` fits beside the processes that exist now.
    pub(super) fn fits_now(&self, footprint: &Footprint) -> bool {
        self.budget
            .as_ref()
            .is_none_or(|budget| budget.fits_beside(&self.memory_in_use(), footprint))
    }

    /// Rejects the queued requests of every waiting model whose footprint exceeds the budget
    /// even with nothing else loaded: waiting could never help them.
    pub(super) fn reject_oversized(&mut self, actions: &mut Vec<Action>) {
        let oversized: Vec<(ModelId, String)> = self
            .waiting
            .iter()
            .filter_map(|model| self.budget_rejection(model).map(|reason| (model.clone(), reason)))
            .collect();

        for (model, reason) in oversized {
            tracing::warn!(model = %model, reason = %reason, "rejected a model that does not fit the memory budget");
            self.reject_queued(&model, &reason, actions);
        }
    }
}
