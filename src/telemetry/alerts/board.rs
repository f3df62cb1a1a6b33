//! The alert engine with the history of resolved alerts, and the log line of each change.

use std::collections::VecDeque;

use serde::Serialize;
use tokio::time::Instant;

use super::alert::{Alert, AlertChange, AlertEvent};
use super::engine::{AlertEngine, Observation};
use super::rule::AlertRule;

/// Active alerts, the latest resolved ones and the rules, as clients receive them.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AlertsSnapshot {
    pub active: Vec<Alert>,
    /// Resolved alerts, oldest first.
    pub history: Vec<Alert>,
    pub rules: Vec<AlertRule>,
}

#[derive(Debug)]
pub struct AlertBoard {
    engine: AlertEngine,
    history: VecDeque<Alert>,
    history_size: usize,
}

impl AlertBoard {
    pub fn new(rules: Vec<AlertRule>, history_size: usize) -> Self {
        Self {
            engine: AlertEngine::new(rules),
            history: VecDeque::new(),
            history_size,
        }
    }

    /// Evaluates the rules, logs each change (fired at warn level, resolved at info) and keeps
    /// resolved alerts in the bounded history.
    pub fn evaluate(&mut self, observations: &[Observation], now: Instant, wall_ms: u64) -> Vec<AlertEvent> {
        let events = self.engine.evaluate(observations, now, wall_ms);
        for event in &events {
            let alert = &event.alert;
            match event.event {
                AlertChange::Fired => tracing::warn!(
                    rule = alert.rule.as_str(),
                    level = alert.level.as_str(),
                    subject = %alert.subject,
                    value = alert.value,
                    threshold = alert.threshold,
                    "alert fired: {}",
                    alert.message
                ),
                AlertChange::Resolved => {
                    tracing::info!(rule = alert.rule.as_str(), subject = %alert.subject, value = alert.value, "alert resolved");
                    if self.history_size > 0 {
                        if self.history.len() >= self.history_size {
                            self.history.pop_front();
                        }
                        self.history.push_back(alert.clone());
                    }
                }
            }
        }
        events
    }

    pub fn active(&self) -> Vec<Alert> {
        self.engine.active()
    }

    pub fn snapshot(&self) -> AlertsSnapshot {
        AlertsSnapshot {
            active: self.engine.active(),
            history: self.history.iter().cloned().collect(),
            rules: self.engine.rules(),
        }
    }
}
