use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::scheduler::ModelId;

/// Requests of one model that wait for it and that it is serving.
#[derive(Debug, Default)]
pub struct ModelActivity {
    queued: AtomicUsize,
    in_flight: AtomicUsize,
}

impl ModelActivity {
    /// Requests waiting for the model to start, to be swapped in, or for a free slot.
    pub fn queued(&self) -> usize {
        self.queued.load(Ordering::Relaxed)
    }

    /// Requests holding a lease: forwarded, or about to be.
    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::Relaxed)
    }
}

/// [`ModelActivity`] of every model, counted by guards that the pool hands out.
#[derive(Debug, Clone, Default)]
pub struct ActivityBoard {
    models: Arc<Mutex<BTreeMap<ModelId, Arc<ModelActivity>>>>,
}

impl ActivityBoard {
    /// Returns the activity of `model`, creating it at zero.
    pub fn get(&self, model: &ModelId) -> Arc<ModelActivity> {
        let mut models = self.models.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        models.entry(model.clone()).or_default().clone()
    }

    pub(crate) fn queue(&self, model: &ModelId) -> ActivityGuard {
        ActivityGuard::new(self.get(model), Counter::Queued)
    }

    pub(crate) fn serve(&self, model: &ModelId) -> ActivityGuard {
        ActivityGuard::new(self.get(model), Counter::InFlight)
    }
}

#[derive(Debug, Clone, Copy)]
enum Counter {
    Queued,
    InFlight,
}

/// One queued or in-flight request; dropping it takes the request off the count.
#[derive(Debug)]
pub(crate) struct ActivityGuard {
    activity: Arc<ModelActivity>,
    counter: Counter,
}

impl ActivityGuard {
    fn new(activity: Arc<ModelActivity>, counter: Counter) -> Self {
        let guard = Self { activity, counter };
        guard.count().fetch_add(1, Ordering::Relaxed);
        guard
    }

    fn count(&self) -> &AtomicUsize {
        match self.counter {
            Counter::Queued => &self.activity.queued,
            Counter::InFlight => &self.activity.in_flight,
        }
    }
}

impl Drop for ActivityGuard {
    fn drop(&mut self) {
        self.count().fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guards_count_while_alive() {
        let board = ActivityBoard::default();
        let model: ModelId = Arc::from("m1");

        let queued = board.queue(&model);
        let first = board.serve(&model);
        let second = board.serve(&model);
        assert_eq!(board.get(&model).queued(), 1);
        assert_eq!(board.get(&model).in_flight(), 2);

        drop((queued, first));
        assert_eq!(board.get(&model).queued(), 0);
        assert_eq!(board.get(&model).in_flight(), 1);
        drop(second);
        assert_eq!(board.get(&model).in_flight(), 0);
    }
}
