use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::time::Instant;

use super::{BreakerConfig, BreakerStats, CircuitBreaker, Transition};

/// Circuit breakers of every model, created on first use and shared by cheap clones.
///
/// Each method that runs a breaker drains its transitions and logs each one at info level
/// with the model id.
#[derive(Debug, Clone, Default)]
pub struct BreakerRegistry {
    inner: Arc<Mutex<Inner>>,
}

#[derive(Debug, Default)]
struct Inner {
    default_config: BreakerConfig,
    /// Merged configs of models that differ from the default.
    model_configs: BTreeMap<Arc<str>, BreakerConfig>,
    breakers: BTreeMap<Arc<str>, CircuitBreaker>,
}

impl Inner {
    /// Returns the breaker of `model` with its shared id, creating it on first use.
    fn breaker(&mut self, model: &str) -> (Arc<str>, &mut CircuitBreaker) {
        let id = match self.breakers.get_key_value(model) {
            Some((id, _)) => Arc::clone(id),
            None => Arc::from(model),
        };

        let model_configs = &self.model_configs;
        let default_config = &self.default_config;
        let breaker = self.breakers.entry(Arc::clone(&id)).or_insert_with(|| {
            let config = model_configs.get(model).unwrap_or(default_config);
            CircuitBreaker::new(config.clone())
        });
        (id, breaker)
    }
}

impl BreakerRegistry {
    /// Creates a registry whose models use `default_config` unless [`set_config`](Self::set_config)
    /// gives them their own.
    pub fn new(default_config: BreakerConfig) -> Self {
        BreakerRegistry {
            inner: Arc::new(Mutex::new(Inner {
                default_config,
                ..Inner::default()
            })),
        }
    }

    /// Runs `action` on the breaker of `model`, creating the breaker on first use.
    ///
    /// The registry lock is held while `action` runs, so it must not call back into the
    /// registry. Transitions that `action` drains itself are not logged.
    pub fn with<R>(&self, model: &str, action: impl FnOnce(&mut CircuitBreaker) -> R) -> R {
        let (id, result, transitions) = {
            let mut inner = self.lock();
            let (id, breaker) = inner.breaker(model);
            let result = action(breaker);
            (id, result, breaker.drain_transitions())
        };

        log_transitions(&id, &transitions);
        result
    }

    /// Returns the stats of every breaker created so far, sorted by model id. OPEN breakers whose
    /// recovery timeout has ended turn HALF_OPEN first.
    pub fn snapshot(&self, now: Instant) -> Vec<(Arc<str>, BreakerStats)> {
        let mut rows = Vec::new();
        let mut transitions = Vec::new();
        {
            let mut inner = self.lock();
            for (id, breaker) in inner.breakers.iter_mut() {
                breaker.state(now);
                transitions.push((Arc::clone(id), breaker.drain_transitions()));
                rows.push((Arc::clone(id), breaker.stats(now)));
            }
        }

        for (id, model_transitions) in &transitions {
            log_transitions(id, model_transitions);
        }
        rows
    }

    /// Closes the breaker of `model` on a management request. Returns false when the model has
    /// no breaker yet, which means it has had no call since the registry was created.
    pub fn reset(&self, model: &str, now: Instant) -> bool {
        let (id, transitions) = {
            let mut inner = self.lock();
            if !inner.breakers.contains_key(model) {
                return false;
            }
            let (id, breaker) = inner.breaker(model);
            breaker.reset(now);
            (id, breaker.drain_transitions())
        };

        log_transitions(&id, &transitions);
        true
    }

    /// Gives `model` its own settings, usually the default merged with a
    /// [`crate::breaker::BreakerOverride`]. An existing breaker keeps its counters and takes the
    /// new settings at once.
    pub fn set_config(&self, model: &str, config: BreakerConfig, now: Instant) {
        let (id, transitions) = {
            let mut inner = self.lock();
            inner.model_configs.insert(Arc::from(model), config.clone());
            let (id, breaker) = inner.breaker(model);
            breaker.set_config(now, config);
            (id, breaker.drain_transitions())
        };

        log_transitions(&id, &transitions);
    }

    /// Locks the map. A panic in another caller's `action` poisons the lock, but the breakers
    /// stay valid, because that panic can only happen between calls to breaker methods, none of
    /// which panics.
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn log_transitions(model: &str, transitions: &[Transition]) {
    for transition in transitions {
        tracing::info!(
            model = %model,
            from = %transition.from,
            to = %transition.to,
            reason = %transition.reason,
            "circuit breaker transition"
        );
    }
}
