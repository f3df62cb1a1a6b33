use serde::Serialize;

use super::rule::RuleKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertLevel {
    Warning,
    Critical,
}

impl AlertLevel {
    pub fn as_str(&self) -> &'static str {
        match self {
            AlertLevel::Warning => "warning",
            AlertLevel::Critical => "critical",
        }
    }
}

/// An alert, active or resolved. Times are milliseconds since the Unix epoch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    /// Sequence number since llama-runner started; a level change keeps the id.
    pub id: u64,
    pub rule: RuleKind,
    pub level: AlertLevel,
    /// A mount point, a GPU index or a model id; empty for machine-wide rules.
    pub subject: String,
    /// The latest value observed while the alert was active.
    pub value: f64,
    /// The threshold of the current level.
    pub threshold: f64,
    /// When the alert fired.
    pub since: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved_at: Option<u64>,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertChange {
    /// The alert fired, or an active alert changed level.
    Fired,
    Resolved,
}

/// A change to the active alerts, as the WebSocket sends it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertEvent {
    pub event: AlertChange,
    pub alert: Alert,
}
