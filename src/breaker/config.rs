use std::time::Duration;

use serde::{Deserialize, Serialize};

const DEFAULT_FAILURE_THRESHOLD: u32 = 5;
const DEFAULT_RECOVERY_TIMEOUT_SECONDS: u64 = 30;
const DEFAULT_HALF_OPEN_MAX_CALLS: u32 = 1;
const DEFAULT_SUCCESS_THRESHOLD: u32 = 2;

/// Settings of one model's circuit breaker. Every key is optional, and unknown keys are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[derive(schemars::JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct BreakerConfig {
    /// Whether the breaker acts. A disabled breaker admits every call and stays CLOSED.
    pub enabled: bool,
    /// Consecutive qualifying failures in CLOSED that open the breaker.
    pub failure_threshold: u32,
    /// Seconds the breaker stays OPEN before it admits probes.
    pub recovery_timeout_seconds: u64,
    /// Probe calls admitted at once in HALF_OPEN.
    pub half_open_max_calls: u32,
    /// Probe successes in HALF_OPEN that close the breaker.
    pub success_threshold: u32,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        BreakerConfig {
            enabled: true,
            failure_threshold: DEFAULT_FAILURE_THRESHOLD,
            recovery_timeout_seconds: DEFAULT_RECOVERY_TIMEOUT_SECONDS,
            half_open_max_calls: DEFAULT_HALF_OPEN_MAX_CALLS,
            success_threshold: DEFAULT_SUCCESS_THRESHOLD,
        }
    }
}

/// Per-model changes to the default [`BreakerConfig`]. A `None` field keeps the default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[derive(schemars::JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct BreakerOverride {
    pub enabled: Option<bool>,
    pub failure_threshold: Option<u32>,
    pub recovery_timeout_seconds: Option<u64>,
    pub half_open_max_calls: Option<u32>,
    pub success_threshold: Option<u32>,
}

/// Invalid circuit breaker setting.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BreakerConfigError {
    #[error("invalid circuit breaker setting '{key}': expected at least 1, got 0")]
    Zero { key: &'static str },
}

impl BreakerConfig {
    /// Returns this config with every field that `changes` sets replaced.
    pub fn with_override(&self, changes: &BreakerOverride) -> BreakerConfig {
        BreakerConfig {
            enabled: changes.enabled.unwrap_or(self.enabled),
            failure_threshold: changes.failure_threshold.unwrap_or(self.failure_threshold),
            recovery_timeout_seconds: changes
                .recovery_timeout_seconds
                .unwrap_or(self.recovery_timeout_seconds),
            half_open_max_calls: changes
                .half_open_max_calls
                .unwrap_or(self.half_open_max_calls),
            success_threshold: changes.success_threshold.unwrap_or(self.success_threshold),
        }
    }

    /// Checks that every count is at least 1. A recovery timeout of 0 is valid, and then the
    /// breaker admits a probe on the next call after it opens.
    ///
    /// The breaker itself treats a count of 0 as 1, so an unvalidated config still works.
    pub fn validate(&self) -> Result<(), BreakerConfigError> {
        let counts = [
            ("failureThreshold", self.failure_threshold),
            ("halfOpenMaxCalls", self.half_open_max_calls),
            ("successThreshold", self.success_threshold),
        ];
        for (key, value) in counts {
            if value == 0 {
                return Err(BreakerConfigError::Zero { key });
            }
        }
        Ok(())
    }

    pub fn recovery_timeout(&self) -> Duration {
        Duration::from_secs(self.recovery_timeout_seconds)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{BreakerConfig, BreakerConfigError, BreakerOverride};

    #[test]
    fn empty_object_gives_defaults() {
        let config: BreakerConfig = serde_json::from_str("{}").expect("empty object parses");

        assert!(config.enabled);
        assert_eq!(config.failure_threshold, 5);
        assert_eq!(config.recovery_timeout(), Duration::from_secs(30));
        assert_eq!(config.half_open_max_calls, 1);
        assert_eq!(config.success_threshold, 2);
    }

    #[test]
    fn camel_case_keys_parse() {
        let json = r#"{
            "enabled": false,
            "failureThreshold": 3,
            "recoveryTimeoutSeconds": 10,
            "halfOpenMaxCalls": 2,
            "successThreshold": 4,
            "someFutureKey": true
        }"#;
        let config: BreakerConfig = serde_json::from_str(json).expect("config parses");

        assert!(!config.enabled);
        assert_eq!(config.failure_threshold, 3);
        assert_eq!(config.recovery_timeout_seconds, 10);
        assert_eq!(config.half_open_max_calls, 2);
        assert_eq!(config.success_threshold, 4);
    }

    #[test]
    fn override_replaces_only_set_fields() {
        let changes: BreakerOverride =
            serde_json::from_str(r#"{"failureThreshold": 1}"#).expect("override parses");

        let merged = BreakerConfig::default().with_override(&changes);

        assert_eq!(merged.failure_threshold, 1);
        assert_eq!(
            merged,
            BreakerConfig {
                failure_threshold: 1,
                ..BreakerConfig::default()
            }
        );
    }

    #[test]
    fn override_can_disable() {
        let changes = BreakerOverride {
            enabled: Some(false),
            recovery_timeout_seconds: Some(5),
            ..BreakerOverride::default()
        };

        let merged = BreakerConfig::default().with_override(&changes);

        assert!(!merged.enabled);
        assert_eq!(merged.recovery_timeout_seconds, 5);
        assert_eq!(merged.success_threshold, 2);
    }

    #[test]
    fn validate_rejects_zero_counts() {
        assert_eq!(BreakerConfig::default().validate(), Ok(()));

        let zero_probes = BreakerConfig {
            half_open_max_calls: 0,
            ..BreakerConfig::default()
        };
        assert_eq!(
            zero_probes.validate(),
            Err(BreakerConfigError::Zero {
                key: "halfOpenMaxCalls"
            })
        );

        let zero_timeout = BreakerConfig {
            recovery_timeout_seconds: 0,
            ..BreakerConfig::default()
        };
        assert_eq!(zero_timeout.validate(), Ok(()));
    }
}
