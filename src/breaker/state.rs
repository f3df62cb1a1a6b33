use std::fmt;

use serde::Serialize;

/// State of one model's circuit breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakerState {
    /// Calls flow, and consecutive qualifying failures are counted.
    Closed,
    /// Calls are rejected until the recovery timeout has elapsed.
    Open,
    /// A limited number of probe calls test whether the model works again.
    HalfOpen,
}

impl BreakerState {
    pub fn as_str(&self) -> &'static str {
        match self {
            BreakerState::Closed => "closed",
            BreakerState::Open => "open",
            BreakerState::HalfOpen => "half_open",
        }
    }
}

impl fmt::Display for BreakerState {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::BreakerState;

    #[test]
    fn state_serializes_as_snake_case() {
        for state in [
            BreakerState::Closed,
            BreakerState::Open,
            BreakerState::HalfOpen,
        ] {
            let json = serde_json::to_string(&state).expect("state serializes");
            assert_eq!(json, format!("\"{}\"", state.as_str()));
        }
        assert_eq!(BreakerState::HalfOpen.as_str(), "half_open");
    }
}
