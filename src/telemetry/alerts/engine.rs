//! The alert state machine: a pure function of the observed values and the time it is given.

use std::collections::BTreeMap;

use tokio::time::Instant;

use super::alert::{Alert, AlertChange, AlertEvent, AlertLevel};
use super::rule::{AlertRule, RuleKind};

/// One value of one rule for one subject at the time of an evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    pub rule: RuleKind,
    /// A mount point, a GPU index or a model id; empty for machine-wide rules.
    pub subject: String,
    pub value: f64,
}

impl Observation {
    pub fn new(rule: RuleKind, subject: impl Into<String>, value: f64) -> Self {
        Self {
            rule,
            subject: subject.into(),
            value,
        }
    }
}

/// The state of one rule and subject between evaluations.
#[derive(Debug, Default)]
struct Track {
    /// Since when the value has stayed at or above the warning and the critical threshold.
    warning_since: Option<Instant>,
    critical_since: Option<Instant>,
    active: Option<Alert>,
}

/// Turns observations into fired and resolved alerts.
///
/// A level fires once its threshold has been reached in every evaluation for the rule's
/// `for_seconds`. An active level stays until the value falls below its threshold less the
/// rule's hysteresis, and an alert resolves when no level stays. A subject that is no longer
/// observed, such as an unmounted disk, counts as below every threshold.
#[derive(Debug)]
pub struct AlertEngine {
    rules: BTreeMap<RuleKind, AlertRule>,
    tracks: BTreeMap<(RuleKind, String), Track>,
    next_id: u64,
}

impl AlertEngine {
    pub fn new(rules: Vec<AlertRule>) -> Self {
        Self {
            rules: rules.into_iter().map(|rule| (rule.rule, rule)).collect(),
            tracks: BTreeMap::new(),
            next_id: 0,
        }
    }

    pub fn rules(&self) -> Vec<AlertRule> {
        self.rules.values().cloned().collect()
    }

    /// Evaluates every rule at `now`; `wall_ms` is the same instant in milliseconds since the
    /// Unix epoch, for the alerts' timestamps. Returns the changes, fired ones first per subject.
    pub fn evaluate(&mut self, observations: &[Observation], now: Instant, wall_ms: u64) -> Vec<AlertEvent> {
        let mut values: BTreeMap<(RuleKind, String), f64> = BTreeMap::new();
        for observation in observations {
            if self.rules.contains_key(&observation.rule) {
                values.insert((observation.rule, observation.subject.clone()), observation.value);
            }
        }
        for key in values.keys() {
            self.tracks.entry(key.clone()).or_default();
        }

        let mut events = Vec::new();
        for (key, track) in self.tracks.iter_mut() {
            let rule = &self.rules[&key.0];
            let value = values.get(key).copied();
            if let Some(event) = step(rule, &key.1, track, value, now, wall_ms, &mut self.next_id) {
                events.push(event);
            }
        }
        self.tracks
            .retain(|key, track| track.active.is_some() || track.warning_since.is_some() || track.critical_since.is_some() || values.contains_key(key));
        events
    }

    /// Returns the active alerts, by rule and subject.
    pub fn active(&self) -> Vec<Alert> {
        self.tracks.values().filter_map(|track| track.active.clone()).collect()
    }
}

fn step(rule: &AlertRule, subject: &str, track: &mut Track, value: Option<f64>, now: Instant, wall_ms: u64, next_id: &mut u64) -> Option<AlertEvent> {
    let active_level = track.active.as_ref().map(|alert| alert.level);
    let holds = |threshold: Option<f64>, level: AlertLevel| match (value, threshold) {
        (Some(value), Some(threshold)) if active_level >= Some(level) => value >= threshold - rule.hysteresis,
        (Some(value), Some(threshold)) => value >= threshold,
        _ => false,
    };

    track.warning_since = holds(rule.warning, AlertLevel::Warning).then(|| track.warning_since.unwrap_or(now));
    track.critical_since = holds(rule.critical, AlertLevel::Critical).then(|| track.critical_since.unwrap_or(now));

    let reached = |since: Option<Instant>, level: AlertLevel| {
        since.is_some_and(|since| active_level >= Some(level) || now.saturating_duration_since(since) >= rule.duration())
    };
    let level = if reached(track.critical_since, AlertLevel::Critical) {
        Some(AlertLevel::Critical)
    } else if reached(track.warning_since, AlertLevel::Warning) {
        Some(AlertLevel::Warning)
    } else {
        None
    };

    match (track.active.as_mut(), level) {
        (None, None) => None,
        (None, Some(level)) => {
            *next_id += 1;
            let value = value.unwrap_or_default();
            let alert = Alert {
                id: *next_id,
                rule: rule.rule,
                level,
                subject: subject.to_owned(),
                value,
                threshold: threshold_of(rule, level),
                since: wall_ms,
                resolved_at: None,
                message: message(rule, subject, value, level),
            };
            track.active = Some(alert.clone());
            Some(AlertEvent { event: AlertChange::Fired, alert })
        }
        (Some(alert), Some(level)) => {
            let value = value.unwrap_or(alert.value);
            alert.value = value;
            if alert.level == level {
                return None;
            }
            alert.level = level;
            alert.threshold = threshold_of(rule, level);
            alert.message = message(rule, subject, value, level);
            Some(AlertEvent {
                event: AlertChange::Fired,
                alert: alert.clone(),
            })
        }
        (Some(_), None) => {
            let mut alert = track.active.take()?;
            if let Some(value) = value {
                alert.value = value;
            }
            alert.resolved_at = Some(wall_ms);
            alert.message = format!("resolved: {}", rule.rule.describe(subject, alert.value));
            Some(AlertEvent {
                event: AlertChange::Resolved,
                alert,
            })
        }
    }
}

fn threshold_of(rule: &AlertRule, level: AlertLevel) -> f64 {
    let threshold = match level {
        AlertLevel::Warning => rule.warning,
        AlertLevel::Critical => rule.critical,
    };
    threshold.unwrap_or_default()
}

fn message(rule: &AlertRule, subject: &str, value: f64, level: AlertLevel) -> String {
    format!(
        "{} ({} threshold {})",
        rule.rule.describe(subject, value),
        level.as_str(),
        threshold_of(rule, level)
    )
}
