use serde::Serialize;
use tokio::time::Instant;

use super::admission::round_up_seconds;
use super::circuit_breaker::LastFailure;
use super::{BreakerState, CircuitBreaker};

/// Read-only view of one breaker, for the management API and the dashboard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BreakerStats {
    pub enabled: bool,
    pub state: BreakerState,
    /// Seconds since the current state began; `None` while the breaker has never changed state.
    pub state_since_seconds_ago: Option<f64>,
    pub consecutive_failures: u32,
    /// Calls admitted, probes included.
    pub total_calls: u64,
    pub total_successes: u64,
    pub total_failures: u64,
    pub total_rejected: u64,
    /// State changes since the breaker was created.
    pub transitions: u64,
    /// Label of the last counted failure's kind, such as `"connection_refused"`.
    pub last_failure_kind: Option<&'static str>,
    /// Kind and reason of the last counted failure, such as `"crashed: exit code 139"`.
    pub last_failure_reason: Option<String>,
    pub last_failure_seconds_ago: Option<f64>,
    /// Whole seconds, rounded up, until an OPEN breaker admits a probe. `None` unless OPEN.
    pub retry_after_seconds: Option<u64>,
}

impl CircuitBreaker {
    /// Returns the counters and state at `now`.
    ///
    /// An OPEN breaker whose recovery timeout has ended is shown as HALF_OPEN, with that
    /// transition counted, even though the stored state changes only on the next
    /// [`try_acquire`](Self::try_acquire) or [`state`](Self::state).
    pub fn stats(&self, now: Instant) -> BreakerStats {
        let due = self.half_open_due(now);
        let (state, state_since, transitions) = match due {
            Some(at) => (
                BreakerState::HalfOpen,
                Some(at),
                self.totals.transitions + 1,
            ),
            None => (self.state, self.state_since, self.totals.transitions),
        };

        let retry_after_seconds = match state {
            BreakerState::Open => Some(match self.half_open_at {
                Some(at) => round_up_seconds(at.saturating_duration_since(now)),
                None => self.config.recovery_timeout_seconds,
            }),
            BreakerState::Closed | BreakerState::HalfOpen => None,
        };

        let last_failure = self.last_failure.as_ref();
        BreakerStats {
            enabled: self.config.enabled,
            state,
            state_since_seconds_ago: state_since.map(|since| seconds_between(since, now)),
            consecutive_failures: self.consecutive_failures,
            total_calls: self.totals.calls,
            total_successes: self.totals.successes,
            total_failures: self.totals.failures,
            total_rejected: self.totals.rejected,
            transitions,
            last_failure_kind: last_failure.map(|failure| failure.kind.as_str()),
            last_failure_reason: last_failure.map(LastFailure::describe),
            last_failure_seconds_ago: last_failure.map(|failure| seconds_between(failure.at, now)),
            retry_after_seconds,
        }
    }
}

/// Returns the seconds from `earlier` to `now`, or 0 when `earlier` is later.
fn seconds_between(earlier: Instant, now: Instant) -> f64 {
    now.saturating_duration_since(earlier).as_secs_f64()
}
