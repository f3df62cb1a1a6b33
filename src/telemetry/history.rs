//! Ring buffers of the latest samples, for charts that a client draws on connecting.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use serde::Serialize;

use super::system::{ModelSample, SystemSample};

/// The last `capacity` system samples and, per model, the last `capacity` model samples.
#[derive(Debug)]
pub struct History {
    capacity: usize,
    system: VecDeque<SystemSample>,
    models: BTreeMap<Arc<str>, VecDeque<ModelSample>>,
}

/// A copy of the history in the shape clients receive, oldest sample first.
#[derive(Debug, Clone, Default, Serialize)]
pub struct HistorySnapshot {
    pub system: Vec<SystemSample>,
    pub models: BTreeMap<Arc<str>, Vec<ModelSample>>,
}

impl History {
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            system: VecDeque::new(),
            models: BTreeMap::new(),
        }
    }

    /// Adds one sample of each series. A model missing from `models` gets no point, and its
    /// series is dropped once its last point is older than the window.
    pub fn push(&mut self, system: SystemSample, models: &BTreeMap<Arc<str>, ModelSample>) {
        push_bounded(&mut self.system, system, self.capacity);
        for (model, sample) in models {
            let series = self.models.entry(model.clone()).or_default();
            push_bounded(series, sample.clone(), self.capacity);
        }

        let oldest_kept = self.system.front().map_or(0, |sample| sample.ts);
        self.models
            .retain(|_, series| series.back().is_some_and(|newest| newest.ts >= oldest_kept));
    }

    pub fn latest(&self) -> Option<&SystemSample> {
        self.system.back()
    }

    pub fn snapshot(&self) -> HistorySnapshot {
        HistorySnapshot {
            system: self.system.iter().cloned().collect(),
            models: self
                .models
                .iter()
                .map(|(model, series)| (model.clone(), series.iter().cloned().collect()))
                .collect(),
        }
    }
}

fn push_bounded<T>(series: &mut VecDeque<T>, value: T, capacity: usize) {
    if series.len() == capacity {
        series.pop_front();
    }
    series.push_back(value);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn system(ts: u64) -> SystemSample {
        SystemSample { ts, ..SystemSample::default() }
    }

    fn model(ts: u64) -> ModelSample {
        ModelSample {
            ts,
            state: "ready",
            ..ModelSample::default()
        }
    }

    #[test]
    fn history_keeps_the_newest_points() {
        let mut history = History::new(3);
        for ts in 1..=5 {
            let models = BTreeMap::from([(Arc::from("m1"), model(ts))]);
            history.push(system(ts), &models);
        }

        let snapshot = history.snapshot();
        let system_ts: Vec<u64> = snapshot.system.iter().map(|sample| sample.ts).collect();
        assert_eq!(system_ts, [3, 4, 5]);
        assert_eq!(snapshot.models["m1"].len(), 3);
        assert_eq!(history.latest().map(|sample| sample.ts), Some(5));
    }

    #[test]
    fn series_of_a_removed_model_expires() {
        let mut history = History::new(2);
        history.push(system(1), &BTreeMap::from([(Arc::from("gone"), model(1))]));
        history.push(system(2), &BTreeMap::new());
        assert!(history.snapshot().models.contains_key("gone"), "still inside the window");

        history.push(system(3), &BTreeMap::new());
        assert!(!history.snapshot().models.contains_key("gone"));
    }
}
