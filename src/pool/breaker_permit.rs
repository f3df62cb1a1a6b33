use std::sync::Arc;

use tokio::time::Instant;

use crate::breaker::{BreakerRegistry, FailureKind};

/// A call admitted by a model's circuit breaker whose outcome is still open. Dropping it without
/// an outcome (the client left, the upstream answered 4xx) counts neither way.
#[derive(Debug)]
pub(crate) struct BreakerPermit {
    model: Arc<str>,
    breakers: BreakerRegistry,
    settled: bool,
}

impl BreakerPermit {
    pub(crate) fn new(model: Arc<str>, breakers: BreakerRegistry) -> Self {
        Self {
            model,
            breakers,
            settled: false,
        }
    }

    pub(crate) fn succeed(&mut self) {
        if !std::mem::replace(&mut self.settled, true) {
            self.breakers.with(&self.model, |breaker| breaker.record_success(Instant::now()));
        }
    }

    pub(crate) fn fail(&mut self, kind: FailureKind, reason: String) {
        if !std::mem::replace(&mut self.settled, true) {
            self.breakers
                .with(&self.model, |breaker| breaker.record_failure(Instant::now(), kind, reason));
        }
    }
}

impl Drop for BreakerPermit {
    fn drop(&mut self) {
        if !self.settled {
            self.breakers
                .with(&self.model, |breaker| breaker.release_without_outcome(Instant::now()));
        }
    }
}
