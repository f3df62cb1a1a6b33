use tokio::time::Instant;

use super::BreakerState;

/// One change of a breaker's state, kept until [`crate::breaker::CircuitBreaker::drain_transitions`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub from: BreakerState,
    pub to: BreakerState,
    /// When the state changed. For OPEN to HALF_OPEN this is the end of the recovery timeout,
    /// which can be earlier than the call that noticed it.
    pub at: Instant,
    /// Why the state changed, such as `"5 consecutive failures, last: crashed: exit code 1"`.
    pub reason: String,
}
