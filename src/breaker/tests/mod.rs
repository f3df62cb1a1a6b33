//! Circuit breaker tests. Times are a fixed base instant plus whole seconds or milliseconds, so
//! nothing sleeps except the paused-time tests, which advance tokio's clock.

mod closed;
mod half_open;
mod open;
mod paused_time;
mod registry;
mod stats_and_reset;

use std::time::Duration;

use tokio::time::Instant;

use super::{
    Admission, BreakerConfig, BreakerState, CircuitBreaker, FailureKind, Permit, Rejection,
};

/// A breaker plus the instant that test times count from.
struct Harness {
    breaker: CircuitBreaker,
    start: Instant,
}

impl Harness {
    fn new() -> Self {
        Harness::with_config(BreakerConfig::default())
    }

    fn with_config(config: BreakerConfig) -> Self {
        Harness {
            breaker: CircuitBreaker::new(config),
            start: Instant::now(),
        }
    }

    fn at(&self, seconds: u64) -> Instant {
        self.start + Duration::from_secs(seconds)
    }

    fn at_millis(&self, millis: u64) -> Instant {
        self.start + Duration::from_millis(millis)
    }

    fn acquire(&mut self, seconds: u64) -> Admission {
        let now = self.at(seconds);
        self.breaker.try_acquire(now)
    }

    fn state(&mut self, seconds: u64) -> BreakerState {
        let now = self.at(seconds);
        self.breaker.state(now)
    }

    /// Admits one call at `seconds` and reports it as a connection refusal.
    fn fail(&mut self, seconds: u64) {
        assert_eq!(self.acquire(seconds), Admission::Allowed(Permit::Call));
        let now = self.at(seconds);
        self.breaker.record_failure(
            now,
            FailureKind::ConnectionRefused,
            "connect to 127.0.0.1:8081 failed".to_owned(),
        );
    }

    /// Admits one call at `seconds` and reports it as a success.
    fn succeed(&mut self, seconds: u64) {
        assert_eq!(self.acquire(seconds), Admission::Allowed(Permit::Call));
        let now = self.at(seconds);
        self.breaker.record_success(now);
    }

    /// Fails the default threshold of five calls at `seconds`, which opens the breaker.
    fn trip(&mut self, seconds: u64) {
        for _ in 0..5 {
            self.fail(seconds);
        }
        assert_eq!(self.state(seconds), BreakerState::Open);
    }

    /// Opens the breaker at `seconds` and lets the 30 s recovery timeout pass.
    fn trip_and_recover(&mut self, seconds: u64) -> u64 {
        self.trip(seconds);
        let half_open_at = seconds + 30;
        assert_eq!(self.state(half_open_at), BreakerState::HalfOpen);
        half_open_at
    }

    fn transitions(&mut self) -> Vec<(BreakerState, BreakerState)> {
        self.breaker
            .drain_transitions()
            .into_iter()
            .map(|transition| (transition.from, transition.to))
            .collect()
    }
}

/// Returns the rejection inside `admission`, failing the test when the call was allowed.
fn rejection(admission: Admission) -> Rejection {
    match admission {
        Admission::Rejected(rejection) => rejection,
        Admission::Allowed(permit) => panic!("expected a rejection, got Allowed({permit:?})"),
    }
}
