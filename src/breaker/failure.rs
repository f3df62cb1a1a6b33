use std::fmt;

/// Returns true when an upstream HTTP status counts as a breaker failure: 500 to 599.
///
/// A 4xx status is the client's fault (bad request, unknown route, rate limit), and the server
/// that sent it is working, so it never counts. 1xx, 2xx and 3xx do not count either.
pub fn qualifies(status: u16) -> bool {
    (500..=599).contains(&status)
}

/// Cause of a failed call, passed to [`crate::breaker::CircuitBreaker::record_failure`].
///
/// Callers report only faults of the model's server. A client that disconnects, or a request
/// rejected because the model is still loading, is never reported as a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// The `llama-server` process could not be started.
    SpawnFailed,
    /// The process exited before it reported ready.
    ExitedWhileLoading,
    /// The process did not pass its health check within the configured time.
    HealthTimeout,
    /// The upstream port refused the connection.
    ConnectionRefused,
    /// HTTP status that the upstream returned. Only a status for which [`qualifies`] is true
    /// counts, and the breaker ignores any other.
    UpstreamStatus(u16),
    /// The connection broke while the response body was streaming.
    ResetMidStream,
    /// A deadline passed. The text names the phase, such as `"first byte"`.
    Timeout(&'static str),
    /// The process crashed while it served requests.
    Crashed,
}

impl FailureKind {
    /// Returns the kind as a fixed snake_case label, suitable for a metric label.
    pub fn as_str(&self) -> &'static str {
        match self {
            FailureKind::SpawnFailed => "spawn_failed",
            FailureKind::ExitedWhileLoading => "exited_while_loading",
            FailureKind::HealthTimeout => "health_timeout",
            FailureKind::ConnectionRefused => "connection_refused",
            FailureKind::UpstreamStatus(_) => "upstream_status",
            FailureKind::ResetMidStream => "reset_mid_stream",
            FailureKind::Timeout(_) => "timeout",
            FailureKind::Crashed => "crashed",
        }
    }

    /// Returns false for an upstream status outside 5xx, which the breaker must not count.
    pub fn counts(&self) -> bool {
        match self {
            FailureKind::UpstreamStatus(status) => qualifies(*status),
            _ => true,
        }
    }
}

impl fmt::Display for FailureKind {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FailureKind::SpawnFailed => formatter.write_str("spawn failed"),
            FailureKind::ExitedWhileLoading => formatter.write_str("exited while loading"),
            FailureKind::HealthTimeout => formatter.write_str("health check timed out"),
            FailureKind::ConnectionRefused => formatter.write_str("connection refused"),
            FailureKind::UpstreamStatus(status) => write!(formatter, "upstream status {status}"),
            FailureKind::ResetMidStream => formatter.write_str("connection reset mid-stream"),
            FailureKind::Timeout(phase) => write!(formatter, "timed out ({phase})"),
            FailureKind::Crashed => formatter.write_str("crashed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{FailureKind, qualifies};

    #[test]
    fn qualifies_only_5xx() {
        assert!(!qualifies(200));
        assert!(!qualifies(302));
        assert!(!qualifies(400));
        assert!(!qualifies(404));
        assert!(!qualifies(429));
        assert!(!qualifies(499));
        assert!(qualifies(500));
        assert!(qualifies(503));
        assert!(qualifies(599));
        assert!(!qualifies(600));
    }

    #[test]
    fn upstream_4xx_does_not_count() {
        assert!(!FailureKind::UpstreamStatus(404).counts());
        assert!(FailureKind::UpstreamStatus(502).counts());
        assert!(FailureKind::Timeout("first byte").counts());
    }

    #[test]
    fn kind_display_names_details() {
        assert_eq!(
            FailureKind::UpstreamStatus(503).to_string(),
            "upstream status 503"
        );
        assert_eq!(
            FailureKind::Timeout("first byte").to_string(),
            "timed out (first byte)"
        );
        assert_eq!(
            FailureKind::ConnectionRefused.as_str(),
            "connection_refused"
        );
    }
}
