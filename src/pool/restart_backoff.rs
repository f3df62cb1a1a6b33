use std::collections::HashMap;
use std::time::Duration;

use tokio::time::Instant;

use crate::scheduler::ModelId;

/// First delay before restarting a model that just failed; it doubles with each further failure.
const FIRST_DELAY: Duration = Duration::from_millis(500);
const MAX_DELAY: Duration = Duration::from_secs(30);

/// A process that ran this long before crashing counts as healthy, and its streak starts over.
const STABLE_UPTIME: Duration = Duration::from_secs(60);

/// Exponential delays between restarts of a model that keeps failing to start or crashing.
#[derive(Debug, Default)]
pub(crate) struct RestartBackoff {
    streaks: HashMap<ModelId, u32>,
}

impl RestartBackoff {
    pub(crate) fn record_failure(&mut self, model: &ModelId) {
        *self.streaks.entry(model.clone()).or_default() += 1;
    }

    pub(crate) fn record_crash(&mut self, model: &ModelId, started_at: Instant, now: Instant) {
        if now.saturating_duration_since(started_at) >= STABLE_UPTIME {
            self.streaks.insert(model.clone(), 1);
        } else {
            self.record_failure(model);
        }
    }

    /// A stop that llama-runner asked for ends the streak.
    pub(crate) fn forget(&mut self, model: &ModelId) {
        self.streaks.remove(model);
    }

    /// Time to wait before the next start of `model`: none before the first failure.
    pub(crate) fn delay(&self, model: &ModelId) -> Duration {
        match self.streaks.get(model) {
            None | Some(0) => Duration::ZERO,
            Some(streak) => {
                let doublings = (*streak - 1).min(16);
                FIRST_DELAY.saturating_mul(1 << doublings).min(MAX_DELAY)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_up_to_the_cap() {
        let model: ModelId = "m".into();
        let mut backoff = RestartBackoff::default();
        assert_eq!(backoff.delay(&model), Duration::ZERO);

        let mut delays = Vec::new();
        for _ in 0..10 {
            backoff.record_failure(&model);
            delays.push(backoff.delay(&model).as_millis());
        }
        assert_eq!(delays[..4], [500, 1000, 2000, 4000]);
        assert_eq!(*delays.last().unwrap(), 30_000);
    }

    #[test]
    fn crash_after_stable_uptime_restarts_the_streak() {
        let model: ModelId = "m".into();
        let mut backoff = RestartBackoff::default();
        let started = Instant::now();
        for _ in 0..4 {
            backoff.record_failure(&model);
        }
        backoff.record_crash(&model, started, started + STABLE_UPTIME);
        assert_eq!(backoff.delay(&model), FIRST_DELAY);
    }

    #[test]
    fn requested_stop_clears_the_streak() {
        let model: ModelId = "m".into();
        let mut backoff = RestartBackoff::default();
        backoff.record_failure(&model);
        backoff.forget(&model);
        assert_eq!(backoff.delay(&model), Duration::ZERO);
    }
}
