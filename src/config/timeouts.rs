//! Proxy timeouts toward a model's llama-server.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Default seconds to open a connection to a model process on loopback.
const DEFAULT_CONNECT_SECONDS: u64 = 5;

/// The `timeouts` object, top-level or per model; every key is optional.
///
/// Only the connect timeout has a default. There is no first-byte timeout by default because a
/// long prompt can take minutes before the first token, and none for idle gaps or the total time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TimeoutSettings {
    #[serde(default)]
    pub connect_seconds: Option<u64>,
    #[serde(default)]
    pub first_byte_seconds: Option<u64>,
    #[serde(default)]
    pub idle_seconds: Option<u64>,
    #[serde(default)]
    pub total_seconds: Option<u64>,
}

/// Timeouts in force for one model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    pub connect: Duration,
    /// Until the response's first body byte.
    pub first_byte: Option<Duration>,
    /// Between two body frames of a response.
    pub idle: Option<Duration>,
    /// For the whole exchange, from forwarding the request to the last byte.
    pub total: Option<Duration>,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(DEFAULT_CONNECT_SECONDS),
            first_byte: None,
            idle: None,
            total: None,
        }
    }
}

impl Timeouts {
    /// Combines the top-level settings with a model's own, the model's winning key by key.
    pub fn resolve(top_level: &TimeoutSettings, model: Option<&TimeoutSettings>) -> Self {
        let pick = |select: fn(&TimeoutSettings) -> Option<u64>| {
            model.and_then(select).or_else(|| select(top_level))
        };
        let positive = |seconds: Option<u64>| seconds.filter(|seconds| *seconds > 0).map(Duration::from_secs);

        Self {
            connect: positive(pick(|settings| settings.connect_seconds))
                .unwrap_or(Duration::from_secs(DEFAULT_CONNECT_SECONDS)),
            first_byte: positive(pick(|settings| settings.first_byte_seconds)),
            idle: positive(pick(|settings| settings.idle_seconds)),
            total: positive(pick(|settings| settings.total_seconds)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_have_only_a_connect_timeout() {
        let timeouts = Timeouts::resolve(&TimeoutSettings::default(), None);
        assert_eq!(timeouts, Timeouts::default());
        assert_eq!(timeouts.connect, Duration::from_secs(5));
        assert_eq!(timeouts.first_byte, None);
    }

    #[test]
    fn model_settings_override_key_by_key() {
        let top_level = TimeoutSettings {
            first_byte_seconds: Some(30),
            idle_seconds: Some(10),
            ..TimeoutSettings::default()
        };
        let model = TimeoutSettings {
            idle_seconds: Some(0),
            total_seconds: Some(600),
            ..TimeoutSettings::default()
        };
        let timeouts = Timeouts::resolve(&top_level, Some(&model));
        assert_eq!(timeouts.first_byte, Some(Duration::from_secs(30)));
        assert_eq!(timeouts.idle, None, "0 switches a timeout off");
        assert_eq!(timeouts.total, Some(Duration::from_secs(600)));
    }
}
