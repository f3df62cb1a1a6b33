use std::time::Duration;

use tokio::time::Instant;

use super::{Admission, BreakerConfig, BreakerState, FailureKind, Permit, Rejection, Transition};

/// Maximum transitions kept for [`CircuitBreaker::drain_transitions`]. The oldest is dropped
/// first, so a caller that never drains does not grow memory without bound.
const MAX_PENDING_TRANSITIONS: usize = 64;

/// Retry hint while HALF_OPEN has every probe slot taken, because the probes decide what comes
/// next.
const HALF_OPEN_RETRY_AFTER: Duration = Duration::from_secs(1);

/// The last failure that the breaker counted.
#[derive(Debug, Clone)]
pub(super) struct LastFailure {
    pub(super) kind: FailureKind,
    pub(super) reason: String,
    pub(super) at: Instant,
}

impl LastFailure {
    /// Returns the kind and the caller's reason, such as `"upstream status 503: bad gateway"`.
    pub(super) fn describe(&self) -> String {
        format!("{}: {}", self.kind, self.reason)
    }
}

/// Counters since the breaker was created, which [`CircuitBreaker::reset`] keeps.
#[derive(Debug, Clone, Default)]
pub(super) struct Totals {
    /// Calls admitted, probes included.
    pub(super) calls: u64,
    pub(super) successes: u64,
    /// Failures counted, which excludes upstream statuses outside 5xx.
    pub(super) failures: u64,
    pub(super) rejected: u64,
    pub(super) transitions: u64,
}

/// Circuit breaker of one model: a state machine that the caller drives with the current time.
///
/// It never reads the clock, so tests pass chosen instants or run under paused tokio time.
/// OPEN turns into HALF_OPEN lazily, when [`try_acquire`](Self::try_acquire) or
/// [`state`](Self::state) runs at or after the end of the recovery timeout.
///
/// Outcomes carry no permit, so the breaker cannot tell which call an outcome belongs to. In
/// OPEN, outcomes of calls admitted earlier change only the totals, the consecutive-failure
/// count and the last failure. In HALF_OPEN, every outcome counts as a probe outcome.
// NOTE: a long stream admitted while CLOSED that ends during HALF_OPEN is therefore counted as a
// probe and frees a probe slot that a real probe still holds.
#[derive(Debug, Clone)]
pub struct CircuitBreaker {
    pub(super) config: BreakerConfig,
    pub(super) state: BreakerState,
    /// Start of the current state, or `None` until the first transition.
    pub(super) state_since: Option<Instant>,
    /// While OPEN, the instant it turns HALF_OPEN. `None` while OPEN means the recovery timeout
    /// does not fit in an `Instant`, so only a reset closes the breaker.
    pub(super) half_open_at: Option<Instant>,
    pub(super) consecutive_failures: u32,
    /// Probe successes since the breaker last turned HALF_OPEN.
    half_open_successes: u32,
    /// Probe permits handed out in HALF_OPEN and not yet reported.
    probes_in_flight: u32,
    pub(super) totals: Totals,
    pub(super) last_failure: Option<LastFailure>,
    pending_transitions: Vec<Transition>,
}

impl CircuitBreaker {
    pub fn new(config: BreakerConfig) -> Self {
        CircuitBreaker {
            config,
            state: BreakerState::Closed,
            state_since: None,
            half_open_at: None,
            consecutive_failures: 0,
            half_open_successes: 0,
            probes_in_flight: 0,
            totals: Totals::default(),
            last_failure: None,
            pending_transitions: Vec::new(),
        }
    }

    pub fn config(&self) -> &BreakerConfig {
        &self.config
    }

    /// Replaces the settings. Disabling the breaker closes it. Other changes apply from the next
    /// call or outcome, and an OPEN breaker keeps the recovery deadline it had.
    pub fn set_config(&mut self, now: Instant, config: BreakerConfig) {
        self.config = config;
        if !self.config.enabled {
            self.close(now, "breaker disabled by configuration".to_owned());
        }
    }

    /// Admits or rejects one call. Admitted calls count in `total_calls` and rejected ones in
    /// `total_rejected`. In HALF_OPEN at most `halfOpenMaxCalls` probes are out at once.
    pub fn try_acquire(&mut self, now: Instant) -> Admission {
        if !self.config.enabled {
            self.totals.calls += 1;
            return Admission::Allowed(Permit::Call);
        }

        self.advance(now);
        match self.state {
            BreakerState::Closed => {
                self.totals.calls += 1;
                Admission::Allowed(Permit::Call)
            }
            BreakerState::HalfOpen if self.probes_in_flight < self.max_probes() => {
                self.probes_in_flight += 1;
                self.totals.calls += 1;
                Admission::Allowed(Permit::Probe)
            }
            BreakerState::HalfOpen => self.reject(HALF_OPEN_RETRY_AFTER),
            BreakerState::Open => {
                let retry_after = match self.half_open_at {
                    Some(at) => at.saturating_duration_since(now),
                    None => self.config.recovery_timeout(),
                };
                self.reject(retry_after)
            }
        }
    }

    /// Records a successful call. A success ends any run of consecutive failures, and in
    /// HALF_OPEN the `successThreshold`-th probe success closes the breaker.
    pub fn record_success(&mut self, now: Instant) {
        self.totals.successes += 1;
        self.consecutive_failures = 0;
        if !self.config.enabled || self.state != BreakerState::HalfOpen {
            return;
        }

        self.probes_in_flight = self.probes_in_flight.saturating_sub(1);
        self.half_open_successes = self.half_open_successes.saturating_add(1);
        if self.half_open_successes >= self.success_threshold() {
            let reason = format!("{} probe successes in half-open", self.half_open_successes);
            self.close(now, reason);
        }
    }

    /// Records a failed call. `failureThreshold` consecutive failures open a CLOSED breaker, and
    /// any failure reopens a HALF_OPEN one with a fresh recovery timeout.
    ///
    /// An [`FailureKind::UpstreamStatus`] outside 5xx is not a failure and is handled like
    /// [`release_without_outcome`](Self::release_without_outcome). Callers never report a client
    /// that disconnected or a model that is still loading.
    pub fn record_failure(&mut self, now: Instant, kind: FailureKind, reason: String) {
        if !kind.counts() {
            self.release_without_outcome(now);
            return;
        }

        self.totals.failures += 1;
        self.consecutive_failures = self.consecutive_failures.saturating_add(1);
        let last_failure = LastFailure {
            kind,
            reason,
            at: now,
        };
        let description = last_failure.describe();
        self.last_failure = Some(last_failure);
        if !self.config.enabled {
            return;
        }

        match self.state {
            BreakerState::Closed if self.consecutive_failures >= self.failure_threshold() => {
                let reason = format!(
                    "{} consecutive failures, last: {description}",
                    self.consecutive_failures
                );
                self.open(now, reason);
            }
            BreakerState::HalfOpen => {
                self.open(now, format!("probe failed: {description}"));
            }
            BreakerState::Closed | BreakerState::Open => {}
        }
    }

    /// Ends an admitted call that has neither succeeded nor failed, such as one whose client
    /// disconnected. It frees a HALF_OPEN probe slot and counts nothing.
    pub fn release_without_outcome(&mut self, _now: Instant) {
        if self.state == BreakerState::HalfOpen {
            self.probes_in_flight = self.probes_in_flight.saturating_sub(1);
        }
    }

    /// Returns the state at `now`, turning OPEN into HALF_OPEN once the recovery timeout ends.
    pub fn state(&mut self, now: Instant) -> BreakerState {
        self.advance(now);
        self.state
    }

    /// Closes the breaker on a management request and clears the consecutive-failure and probe
    /// counts. The totals stay. A transition is recorded unless the breaker was already CLOSED.
    pub fn reset(&mut self, now: Instant) {
        self.close(now, "reset by management request".to_owned());
    }

    /// Returns the transitions since the last call, oldest first.
    pub fn drain_transitions(&mut self) -> Vec<Transition> {
        std::mem::take(&mut self.pending_transitions)
    }

    /// Returns the instant OPEN turns HALF_OPEN if that instant is at or before `now`.
    pub(super) fn half_open_due(&self, now: Instant) -> Option<Instant> {
        if self.state != BreakerState::Open {
            return None;
        }
        self.half_open_at.filter(|at| *at <= now)
    }

    fn advance(&mut self, now: Instant) {
        if let Some(at) = self.half_open_due(now) {
            let reason = format!(
                "recovery timeout of {} s elapsed",
                self.config.recovery_timeout_seconds
            );
            self.enter(BreakerState::HalfOpen, at, reason);
            self.half_open_at = None;
        }
    }

    fn reject(&mut self, retry_after: Duration) -> Admission {
        self.totals.rejected += 1;
        Admission::Rejected(Rejection {
            state: self.state,
            retry_after,
            last_failure: self.last_failure.as_ref().map(LastFailure::describe),
        })
    }

    fn open(&mut self, now: Instant, reason: String) {
        self.enter(BreakerState::Open, now, reason);
        self.half_open_at = now.checked_add(self.config.recovery_timeout());
    }

    fn close(&mut self, now: Instant, reason: String) {
        self.consecutive_failures = 0;
        self.half_open_at = None;
        self.enter(BreakerState::Closed, now, reason);
    }

    /// Moves to `to`, records the transition and clears the probe counts. Staying in the same
    /// state records no transition.
    fn enter(&mut self, to: BreakerState, at: Instant, reason: String) {
        self.half_open_successes = 0;
        self.probes_in_flight = 0;
        if self.state == to {
            return;
        }

        if self.pending_transitions.len() >= MAX_PENDING_TRANSITIONS {
            self.pending_transitions.remove(0);
        }
        self.pending_transitions.push(Transition {
            from: self.state,
            to,
            at,
            reason,
        });
        self.totals.transitions += 1;
        self.state = to;
        self.state_since = Some(at);
    }

    // A count of 0 in an unvalidated config is treated as 1, so the breaker cannot stall.

    fn failure_threshold(&self) -> u32 {
        self.config.failure_threshold.max(1)
    }

    fn max_probes(&self) -> u32 {
        self.config.half_open_max_calls.max(1)
    }

    fn success_threshold(&self) -> u32 {
        self.config.success_threshold.max(1)
    }
}
