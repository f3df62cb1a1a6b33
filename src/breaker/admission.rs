use std::time::Duration;

use super::BreakerState;

/// Outcome of [`crate::breaker::CircuitBreaker::try_acquire`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a rejected call must not reach the model"]
pub enum Admission {
    /// The call may go ahead. The caller then reports exactly one of `record_success`,
    /// `record_failure` or `release_without_outcome`.
    Allowed(Permit),
    /// The breaker is OPEN, or HALF_OPEN with every probe slot taken.
    Rejected(Rejection),
}

/// Kind of call that the breaker admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permit {
    /// An ordinary call while the breaker is CLOSED, or any call while it is disabled.
    Call,
    /// One of the `halfOpenMaxCalls` probes admitted while the breaker is HALF_OPEN.
    Probe,
}

/// Details of a rejected call, for the error the client receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub state: BreakerState,
    /// Time until the breaker turns HALF_OPEN. In HALF_OPEN, with every probe slot taken, it is
    /// one second, because the probes' outcome decides what happens next.
    pub retry_after: Duration,
    /// Kind and reason of the last counted failure, such as
    /// `"connection refused: connect to 127.0.0.1:8081 failed"`.
    pub last_failure: Option<String>,
}

impl Rejection {
    /// Returns `retry_after` rounded up to whole seconds and at least 1, for a `Retry-After`
    /// header.
    pub fn retry_after_seconds(&self) -> u64 {
        round_up_seconds(self.retry_after).max(1)
    }
}

/// Returns `duration` in whole seconds, rounded up.
pub(super) fn round_up_seconds(duration: Duration) -> u64 {
    let whole = duration.as_secs();
    if duration.subsec_nanos() > 0 {
        whole.saturating_add(1)
    } else {
        whole
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{BreakerState, Rejection};

    fn rejection(retry_after: Duration) -> Rejection {
        Rejection {
            state: BreakerState::Open,
            retry_after,
            last_failure: None,
        }
    }

    #[test]
    fn retry_after_rounds_up() {
        assert_eq!(rejection(Duration::from_millis(1)).retry_after_seconds(), 1);
        assert_eq!(
            rejection(Duration::from_millis(29_001)).retry_after_seconds(),
            30
        );
        assert_eq!(rejection(Duration::from_secs(30)).retry_after_seconds(), 30);
    }

    #[test]
    fn retry_after_is_at_least_one() {
        assert_eq!(rejection(Duration::ZERO).retry_after_seconds(), 1);
    }
}
