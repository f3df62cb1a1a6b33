//! Alerts on system and model figures, with warning and critical thresholds, a duration and
//! hysteresis per rule.

mod alert;
mod board;
mod engine;
mod rule;

#[cfg(test)]
mod tests;

pub use alert::{Alert, AlertChange, AlertEvent, AlertLevel};
pub use board::{AlertBoard, AlertsSnapshot};
pub use engine::{AlertEngine, Observation};
pub use rule::{AlertRule, RuleKind, UnknownRule, configured_rules};
