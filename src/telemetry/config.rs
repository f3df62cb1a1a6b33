//! The `metrics` and `alerts` sections of the config file.

use serde::{Deserialize, Deserializer, Serialize};

/// Largest `metrics.historyPoints`: enough for a day at one sample a second.
pub const MAX_HISTORY_POINTS: usize = 86_400;

/// Largest `metrics.intervalSeconds`.
pub const MAX_INTERVAL_SECONDS: u64 = 3_600;

/// What is collected and how much of it is kept.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
pub struct MetricsConfig {
    /// Collects system samples and per-request figures; `false` leaves only `/health` and the
    /// management routes that read the model pool.
    #[serde(default = "enabled")]
    pub enabled: bool,
    /// Seconds between two system samples, from 1 to 3600.
    #[serde(rename = "intervalSeconds", default = "interval_seconds", deserialize_with = "interval_in_range")]
    pub interval_seconds: u64,
    /// Samples kept per series, from 1 to 86400.
    #[serde(rename = "historyPoints", default = "history_points", deserialize_with = "history_in_range")]
    pub history_points: usize,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            interval_seconds: interval_seconds(),
            history_points: history_points(),
        }
    }
}

/// Alert rules and how many resolved alerts are kept.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
pub struct AlertsConfig {
    #[serde(default = "enabled")]
    pub enabled: bool,
    /// Resolved alerts kept for `GET /api/alerts`; the oldest is dropped first.
    #[serde(rename = "historySize", default = "alert_history_size")]
    pub history_size: usize,
    /// Overrides of the default rules, by rule name such as `cpu_percent`.
    #[serde(default)]
    pub rules: std::collections::BTreeMap<String, AlertRuleOverride>,
}

impl Default for AlertsConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            history_size: alert_history_size(),
            rules: std::collections::BTreeMap::new(),
        }
    }
}

/// Changes to one default alert rule; a missing key keeps the default.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
pub struct AlertRuleOverride {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warning: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub critical: Option<f64>,
    /// Seconds a threshold must stay crossed before the alert fires.
    #[serde(rename = "forSeconds", default, skip_serializing_if = "Option::is_none")]
    pub for_seconds: Option<u64>,
    /// How far below a threshold the value must fall before the alert resolves, in the rule's unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hysteresis: Option<f64>,
}

fn enabled() -> bool {
    true
}

fn interval_seconds() -> u64 {
    1
}

fn history_points() -> usize {
    100
}

fn alert_history_size() -> usize {
    100
}

fn interval_in_range<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    let value = u64::deserialize(deserializer)?;
    if !(1..=MAX_INTERVAL_SECONDS).contains(&value) {
        return Err(serde::de::Error::custom(format!(
            "invalid metrics.intervalSeconds {value}: expected 1 to {MAX_INTERVAL_SECONDS}"
        )));
    }
    Ok(value)
}

fn history_in_range<'de, D: Deserializer<'de>>(deserializer: D) -> Result<usize, D::Error> {
    let value = usize::deserialize(deserializer)?;
    if !(1..=MAX_HISTORY_POINTS).contains(&value) {
        return Err(serde::de::Error::custom(format!(
            "invalid metrics.historyPoints {value}: expected 1 to {MAX_HISTORY_POINTS}"
        )));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_sections_take_defaults() {
        let metrics: MetricsConfig = serde_json::from_str("{}").unwrap();
        assert_eq!(metrics, MetricsConfig::default());
        assert_eq!(metrics.interval_seconds, 1);
        assert_eq!(metrics.history_points, 100);

        let alerts: AlertsConfig = serde_json::from_str("{}").unwrap();
        assert_eq!(alerts, AlertsConfig::default());
        assert!(alerts.enabled);
        assert_eq!(alerts.history_size, 100);
    }

    #[test]
    fn interval_out_of_range_is_rejected() {
        let error = serde_json::from_str::<MetricsConfig>(r#"{"intervalSeconds": 0}"#).unwrap_err();
        assert!(error.to_string().contains("metrics.intervalSeconds 0"), "{error}");
        assert!(serde_json::from_str::<MetricsConfig>(r#"{"historyPoints": 0}"#).is_err());
    }

    #[test]
    fn rule_override_keeps_missing_keys_empty() {
        let alerts: AlertsConfig = serde_json::from_str(r#"{"rules": {"cpu_percent": {"warning": 70}}}"#).unwrap();
        let rule = &alerts.rules["cpu_percent"];
        assert_eq!(rule.warning, Some(70.0));
        assert_eq!(rule.critical, None);
    }
}
