//! The alert rules: what each watches, its thresholds and their defaults.

use std::time::Duration;

use serde::Serialize;

use crate::telemetry::config::AlertsConfig;

/// The figure an alert rule watches. Every value grows worse upwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// Busy share of all CPU cores, in percent.
    CpuPercent,
    /// Memory in use, in percent of the total.
    MemoryPercent,
    /// Space in use on one mount, in percent; the subject is the mount point.
    DiskPercent,
    /// Memory in use on one GPU, in percent; the subject is the GPU index.
    GpuMemoryPercent,
    /// Temperature of one GPU in degrees Celsius; the subject is the GPU index.
    GpuTemperature,
    /// Share of one model's requests in the last minute that failed, in percent; watched only
    /// once the model had 5 requests in that minute.
    ModelErrorRate,
    /// 1 while a model's circuit breaker is open, else 0.
    BreakerOpen,
    /// Crashes of a model's process in the last 10 minutes.
    ModelCrash,
}

impl RuleKind {
    pub const ALL: [RuleKind; 8] = [
        RuleKind::CpuPercent,
        RuleKind::MemoryPercent,
        RuleKind::DiskPercent,
        RuleKind::GpuMemoryPercent,
        RuleKind::GpuTemperature,
        RuleKind::ModelErrorRate,
        RuleKind::BreakerOpen,
        RuleKind::ModelCrash,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            RuleKind::CpuPercent => "cpu_percent",
            RuleKind::MemoryPercent => "memory_percent",
            RuleKind::DiskPercent => "disk_percent",
            RuleKind::GpuMemoryPercent => "gpu_memory_percent",
            RuleKind::GpuTemperature => "gpu_temperature",
            RuleKind::ModelErrorRate => "model_error_rate",
            RuleKind::BreakerOpen => "breaker_open",
            RuleKind::ModelCrash => "model_crash",
        }
    }

    /// Describes a value of this rule for `subject`, for an alert's message.
    pub fn describe(&self, subject: &str, value: f64) -> String {
        match self {
            RuleKind::CpuPercent => format!("CPU use is {value:.1} %"),
            RuleKind::MemoryPercent => format!("memory use is {value:.1} %"),
            RuleKind::DiskPercent => format!("disk use on {subject} is {value:.1} %"),
            RuleKind::GpuMemoryPercent => format!("memory use on GPU {subject} is {value:.1} %"),
            RuleKind::GpuTemperature => format!("GPU {subject} is at {value:.0} °C"),
            RuleKind::ModelErrorRate => format!("{value:.0} % of the requests to model '{subject}' in the last minute failed"),
            RuleKind::BreakerOpen => format!("the circuit breaker of model '{subject}' is open"),
            RuleKind::ModelCrash => format!("model '{subject}' crashed {value:.0} times in the last 10 minutes"),
        }
    }
}

/// One rule with its thresholds. A missing threshold means that level never fires.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertRule {
    pub rule: RuleKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub critical: Option<f64>,
    /// Seconds a threshold must stay reached before the alert fires at that level.
    pub for_seconds: u64,
    /// How far below its threshold a value must fall for an active level to end.
    pub hysteresis: f64,
}

impl AlertRule {
    fn new(rule: RuleKind, warning: Option<f64>, critical: Option<f64>, for_seconds: u64, hysteresis: f64) -> Self {
        Self {
            rule,
            warning,
            critical,
            for_seconds,
            hysteresis,
        }
    }

    pub fn duration(&self) -> Duration {
        Duration::from_secs(self.for_seconds)
    }

    /// Returns the default rule of `kind`.
    pub fn default_for(kind: RuleKind) -> Self {
        match kind {
            RuleKind::CpuPercent => Self::new(kind, Some(90.0), Some(98.0), 60, 5.0),
            RuleKind::MemoryPercent => Self::new(kind, Some(90.0), Some(97.0), 30, 3.0),
            RuleKind::DiskPercent => Self::new(kind, Some(90.0), Some(97.0), 60, 1.0),
            RuleKind::GpuMemoryPercent => Self::new(kind, Some(95.0), Some(99.0), 30, 2.0),
            RuleKind::GpuTemperature => Self::new(kind, Some(85.0), Some(92.0), 30, 3.0),
            RuleKind::ModelErrorRate => Self::new(kind, Some(20.0), Some(50.0), 0, 5.0),
            RuleKind::BreakerOpen => Self::new(kind, None, Some(1.0), 0, 0.0),
            RuleKind::ModelCrash => Self::new(kind, Some(1.0), Some(3.0), 0, 0.0),
        }
    }
}

/// Unknown rule names under `alerts.rules`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown alert rule '{name}' under alerts.rules: expected one of {expected}")]
pub struct UnknownRule {
    pub name: String,
    pub expected: String,
}

/// Returns the default rules with the config's overrides applied, without disabled rules; no
/// rule at all when `alerts.enabled` is false.
pub fn configured_rules(config: &AlertsConfig) -> Result<Vec<AlertRule>, UnknownRule> {
    for name in config.rules.keys() {
        if !RuleKind::ALL.iter().any(|kind| kind.as_str() == name) {
            let expected: Vec<&str> = RuleKind::ALL.iter().map(RuleKind::as_str).collect();
            return Err(UnknownRule {
                name: name.clone(),
                expected: expected.join(", "),
            });
        }
    }
    if !config.enabled {
        return Ok(Vec::new());
    }

    let mut rules = Vec::new();
    for kind in RuleKind::ALL {
        let mut rule = AlertRule::default_for(kind);
        let Some(change) = config.rules.get(kind.as_str()) else {
            rules.push(rule);
            continue;
        };
        if change.enabled == Some(false) {
            continue;
        }
        rule.warning = change.warning.or(rule.warning);
        rule.critical = change.critical.or(rule.critical);
        rule.for_seconds = change.for_seconds.unwrap_or(rule.for_seconds);
        rule.hysteresis = change.hysteresis.unwrap_or(rule.hysteresis);
        rules.push(rule);
    }
    Ok(rules)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::telemetry::config::AlertRuleOverride;

    #[test]
    fn overrides_change_only_their_keys() {
        let mut config = AlertsConfig::default();
        config.rules.insert(
            "cpu_percent".to_owned(),
            AlertRuleOverride {
                warning: Some(70.0),
                ..AlertRuleOverride::default()
            },
        );
        config.rules.insert(
            "gpu_temperature".to_owned(),
            AlertRuleOverride {
                enabled: Some(false),
                ..AlertRuleOverride::default()
            },
        );

        let rules = configured_rules(&config).unwrap();

        let cpu = rules.iter().find(|rule| rule.rule == RuleKind::CpuPercent).unwrap();
        assert_eq!(cpu.warning, Some(70.0));
        assert_eq!(cpu.critical, Some(98.0));
        assert!(!rules.iter().any(|rule| rule.rule == RuleKind::GpuTemperature));
    }

    #[test]
    fn unknown_rule_name_is_rejected() {
        let mut config = AlertsConfig::default();
        config.rules.insert("cpu".to_owned(), AlertRuleOverride::default());
        let error = configured_rules(&config).unwrap_err();
        assert!(error.to_string().contains("unknown alert rule 'cpu'"), "{error}");
    }
}
