use std::collections::BTreeSet;

use super::{ModelId, ModelState, Scheduler, StopReason};
use crate::placement::{Footprint, MemoryBudget};

/// Free process slots and, per budgeted device, used bytes, once every stop already under way
/// completes. Models drained only for a swap count as remaining, because a plan may keep them.
struct Room<'a> {
    slots: usize,
    used: Footprint,
    budget: Option<&'a MemoryBudget>,
}

impl Room<'_> {
    fn fits(&self, footprint: &Footprint) -> bool {
        self.slots >= 1 && self.budget.is_none_or(|budget| budget.fits_beside(&self.used, footprint))
    }

    /// Returns whether evicting a model with `footprint` brings `needed` closer to fitting.
    /// While memory is short it must free bytes on a short device, which also frees a slot.
    /// Otherwise any model frees the missing slot.
    fn helps(&self, needed: &Footprint, footprint: &Footprint) -> bool {
        let mut after = self.used.clone();
        after.add_all(needed);
        let short = self.budget.map(|budget| budget.shortfall(&after)).unwrap_or_default();
        if !short.is_empty() {
            return short.iter().any(|(device, _)| footprint.bytes(device) > 0);
        }
        self.slots == 0
    }
}

impl Scheduler {
    /// Chooses the models to stop so that the waiting models, in FIFO order, can start.
    ///
    /// Victims come from models drained for a swap first, then idle Ready models, then busy
    /// ones, least recently used first in each group. Busy victims drain and are never cut. A
    /// victim must help: free a missing slot or bytes on a device that is short. Planning stops
    /// at the first waiting model that cannot be made to fit yet, so a large model is not
    /// overtaken by smaller ones that arrived after it.
    pub(super) fn plan_evictions(&self) -> BTreeSet<ModelId> {
        let remaining: Vec<(&ModelId, &super::model_entry::ModelEntry)> = self
            .models
            .iter()
            .filter(|(_, entry)| match entry.state {
                ModelState::Ready => true,
                ModelState::Starting => entry.pending_stop.is_none(),
                ModelState::Draining => entry.pending_stop == Some(StopReason::Swap),
                ModelState::Stopped | ModelState::Stopping => false,
            })
            .collect();

        let mut room = Room {
            slots: self.max_running.saturating_sub(remaining.len()),
            used: Footprint::new(),
            budget: self.budget.as_ref(),
        };
        for (_, entry) in &remaining {
            room.used.add_all(&entry.running_footprint);
        }

        let mut candidates: Vec<(&ModelId, &super::model_entry::ModelEntry)> = remaining
            .into_iter()
            .filter(|(_, entry)| entry.state != ModelState::Starting)
            .collect();
        candidates.sort_by_key(|(model, entry)| {
            let group = match entry.state {
                ModelState::Draining => 0,
                _ if entry.in_flight == 0 => 1,
                _ => 2,
            };
            (group, entry.last_used, (*model).clone())
        });

        let mut victims = BTreeSet::new();
        for model in &self.waiting {
            let Some(entry) = self.models.get(model) else {
                continue;
            };
            if entry.state != ModelState::Stopped || entry.queue.is_empty() {
                continue;
            }
            let needed = entry.footprint.clone().unwrap_or_default();

            while !room.fits(&needed) {
                let victim = candidates
                    .iter()
                    .find(|(candidate, footprint)| !victims.contains(*candidate) && room.helps(&needed, &footprint.running_footprint));
                let Some((victim, victim_entry)) = victim else {
                    return victims;
                };
                victims.insert((*victim).clone());
                room.slots += 1;
                room.used.subtract_all(&victim_entry.running_footprint);
            }

            room.slots -= 1;
            room.used.add_all(&needed);
        }
        victims
    }
}
