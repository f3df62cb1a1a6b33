//! The JSON messages of the WebSocket at `GET /ws`, each with a `type` field.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::alerts::{Alert, AlertChange, AlertsSnapshot};
use super::history::HistorySnapshot;
use super::model_info::ModelInfo;
use super::request_record::RequestRecord;
use super::system::{ModelSample, SystemSample};
use crate::config::Settings;

/// A message from the server.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// The first message after connecting, and again after the client fell behind on events.
    Snapshot {
        models: Vec<ModelInfo>,
        history: HistorySnapshot,
        alerts: AlertsSnapshot,
        /// Newest last.
        requests: Vec<RequestRecord>,
        config: ConfigSummary,
    },
    Sample {
        system: SystemSample,
        models: BTreeMap<Arc<str>, ModelSample>,
    },
    ModelState {
        model: ModelInfo,
    },
    Request {
        request: RequestRecord,
    },
    Alert {
        event: AlertChange,
        alert: Alert,
    },
    Breaker {
        model: Arc<str>,
        from: &'static str,
        to: &'static str,
        reason: String,
    },
    Log {
        model: Arc<str>,
        lines: Vec<String>,
    },
}

/// A message from the client.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    /// Starts `log` messages for the model, beginning with its last 100 lines.
    SubscribeLogs { model: String },
    UnsubscribeLogs { model: String },
}

/// The settings a dashboard shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfigSummary {
    pub version: &'static str,
    pub ports: Ports,
    pub concurrent_runners: usize,
    pub interval_seconds: u64,
    pub history_points: usize,
    pub api_key_required: bool,
}

/// The listening ports; a disabled listener is absent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ports {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub openai: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ollama: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dashboard: Option<u16>,
}

impl ConfigSummary {
    pub fn of(settings: &Settings, api_key_required: bool) -> Self {
        let enabled = |on: bool, port: u16| on.then_some(port);
        Self {
            version: env!("CARGO_PKG_VERSION"),
            ports: Ports {
                openai: enabled(settings.proxies.lmstudio.enabled, settings.proxies.lmstudio_port()),
                ollama: enabled(settings.proxies.ollama.enabled, settings.proxies.ollama_port()),
                dashboard: enabled(settings.dashboard.enabled, settings.dashboard.port),
            },
            concurrent_runners: settings.concurrent_runners,
            interval_seconds: settings.metrics.interval_seconds,
            history_points: settings.metrics.history_points,
            api_key_required,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_messages_parse_by_type() {
        let message: ClientMessage = serde_json::from_str(r#"{"type":"subscribe_logs","model":"org/m1"}"#).unwrap();
        assert_eq!(message, ClientMessage::SubscribeLogs { model: "org/m1".to_owned() });
        assert!(serde_json::from_str::<ClientMessage>(r#"{"type":"shout"}"#).is_err());
    }

    #[test]
    fn server_messages_carry_their_type() {
        let message = ServerMessage::Log {
            model: Arc::from("m1"),
            lines: vec!["loaded".to_owned()],
        };
        let json = serde_json::to_value(&message).unwrap();
        assert_eq!(json["type"], "log");
        assert_eq!(json["lines"][0], "loaded");
    }
}
