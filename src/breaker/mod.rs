//! Per-model circuit breakers. After repeated failures of a model's server, calls are rejected
//! at once for a recovery timeout instead of reaching a broken process. Then a few probe calls
//! decide whether the model works again.
//!
//! [`CircuitBreaker`] is a pure state machine driven with the current time, like the
//! scheduler. [`BreakerRegistry`] keeps one breaker per model and logs their transitions.

mod admission;
mod circuit_breaker;
mod config;
mod failure;
mod registry;
mod state;
mod stats;
mod transition;

#[cfg(test)]
mod tests;

pub use admission::{Admission, Permit, Rejection};
pub use circuit_breaker::CircuitBreaker;
pub use config::{BreakerConfig, BreakerConfigError, BreakerOverride};
pub use failure::{FailureKind, qualifies};
pub use registry::BreakerRegistry;
pub use state::BreakerState;
pub use stats::BreakerStats;
pub use transition::Transition;
