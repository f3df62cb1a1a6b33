use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::time::Instant;

use crate::scheduler::ModelId;
use crate::supervisor::LogBuffer;

/// Crash times kept per model for rate questions such as "crashes in the last ten minutes".
const RECENT_CRASHES_KEPT: usize = 32;

/// Lifetime counters of one model's processes since llama-runner started.
#[derive(Debug, Clone, Default)]
pub struct ModelFigures {
    /// Processes launched, including ones that failed to load.
    pub starts: u64,
    /// Processes that became healthy.
    pub loads: u64,
    pub failed_starts: u64,
    /// Processes that exited while ready, without being asked to stop.
    pub crashes: u64,
    /// Time from launching the last healthy process until its health check passed.
    pub last_load: Option<Duration>,
    /// When the running process became healthy; `None` while no process is ready.
    pub ready_since: Option<Instant>,
    /// Stopped processes by reason: `ttl`, `swap`, `unload`, `shutdown`, `crash`,
    /// `start_failed`, `cancelled` or `unknown`.
    pub stops: BTreeMap<&'static str, u64>,
    /// Times of the latest crashes, oldest first, at most 32.
    pub recent_crashes: VecDeque<Instant>,
    /// Output of the latest process, kept after it stops so that a failure can be read.
    pub logs: Option<Arc<LogBuffer>>,
}

/// [`ModelFigures`] of every model the pool has started, shared with the HTTP handlers.
#[derive(Debug, Clone, Default)]
pub struct FiguresBoard {
    models: Arc<Mutex<BTreeMap<ModelId, ModelFigures>>>,
}

impl FiguresBoard {
    /// Returns the figures of `model`; a model never started has all counters at zero.
    pub fn get(&self, model: &str) -> ModelFigures {
        self.lock().get(model).cloned().unwrap_or_default()
    }

    pub fn all(&self) -> BTreeMap<ModelId, ModelFigures> {
        self.lock().clone()
    }

    pub(crate) fn record_start(&self, model: &ModelId, logs: Arc<LogBuffer>) {
        self.update(model, |figures| {
            figures.starts += 1;
            figures.ready_since = None;
            figures.logs = Some(logs);
        });
    }

    pub(crate) fn record_ready(&self, model: &ModelId, load: Duration, now: Instant) {
        self.update(model, |figures| {
            figures.loads += 1;
            figures.last_load = Some(load);
            figures.ready_since = Some(now);
        });
    }

    pub(crate) fn record_failed_start(&self, model: &ModelId) {
        self.update(model, |figures| figures.failed_starts += 1);
        self.record_stop(model, "start_failed");
    }

    pub(crate) fn record_crash(&self, model: &ModelId, now: Instant) {
        self.update(model, |figures| {
            figures.crashes += 1;
            if figures.recent_crashes.len() == RECENT_CRASHES_KEPT {
                figures.recent_crashes.pop_front();
            }
            figures.recent_crashes.push_back(now);
        });
        self.record_stop(model, "crash");
    }

    pub(crate) fn record_stop(&self, model: &ModelId, reason: &'static str) {
        self.update(model, |figures| {
            figures.ready_since = None;
            *figures.stops.entry(reason).or_default() += 1;
        });
    }

    fn update(&self, model: &ModelId, change: impl FnOnce(&mut ModelFigures)) {
        change(self.lock().entry(model.clone()).or_default());
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<ModelId, ModelFigures>> {
        self.models.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_count_loads_crashes_and_stops() {
        let board = FiguresBoard::default();
        let model: ModelId = Arc::from("m1");
        let now = Instant::now();

        board.record_start(&model, Arc::new(LogBuffer::new(4)));
        board.record_ready(&model, Duration::from_millis(1500), now);
        board.record_crash(&model, now);
        board.record_start(&model, Arc::new(LogBuffer::new(4)));
        board.record_failed_start(&model);

        let figures = board.get("m1");
        assert_eq!(figures.starts, 2);
        assert_eq!(figures.loads, 1);
        assert_eq!(figures.crashes, 1);
        assert_eq!(figures.failed_starts, 1);
        assert_eq!(figures.last_load, Some(Duration::from_millis(1500)));
        assert_eq!(figures.ready_since, None);
        assert_eq!(figures.stops.get("crash"), Some(&1));
        assert_eq!(figures.stops.get("start_failed"), Some(&1));
    }

    #[test]
    fn unknown_model_has_zero_figures() {
        let figures = FiguresBoard::default().get("nobody");
        assert_eq!(figures.starts, 0);
        assert!(figures.logs.is_none());
    }
}
