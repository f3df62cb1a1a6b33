//! Everything known about one model, gathered from the pool, its breaker and its requests.

use std::sync::Arc;

use serde::Serialize;
use tokio::time::Instant;

use super::Telemetry;
use crate::config::Settings;
use crate::pool::ModelPool;

/// Output lines shown with a failed model.
const FAILED_LOG_LINES: usize = 20;

/// A model as the management API and the WebSocket show it; absent values are omitted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelInfo {
    pub id: Arc<str>,
    /// The model's key in the config file.
    pub name: String,
    /// `stopped`, `starting`, `ready`, `draining`, `stopping` or `failed`.
    pub state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
    /// Seconds since the running process became ready.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uptime_seconds: Option<f64>,
    /// Time the last healthy process took from launch to its first passed health check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_load_ms: Option<u64>,
    pub loads: u64,
    pub crashes: u64,
    pub requests: u64,
    pub errors: u64,
    pub in_flight: usize,
    pub queued: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_generation_tokens_per_second: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub average_generation_tokens_per_second: Option<f64>,
    pub breaker: BreakerSummary,
    /// Reason the last start failed or the process last crashed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// The last output lines of a failed model's process.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_log_lines: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BreakerSummary {
    /// `closed`, `open` or `half_open`.
    pub state: &'static str,
}

/// Builds [`ModelInfo`]s from the live state of the pool.
#[derive(Clone)]
pub struct ModelDirectory {
    pub pool: ModelPool,
    pub settings: Arc<Settings>,
    pub telemetry: Telemetry,
}

impl ModelDirectory {
    /// Returns every configured model, by id.
    pub fn all(&self) -> Vec<ModelInfo> {
        self.settings.models.keys().map(|id| self.info(id)).collect()
    }

    /// Returns the model `id`, or `None` when no model has that id.
    pub fn get(&self, id: &str) -> Option<ModelInfo> {
        self.settings.model(id).map(|spec| self.info(&spec.id))
    }

    fn info(&self, id: &Arc<str>) -> ModelInfo {
        let status = self.pool.status().get(id);
        let figures = self.pool.figures().get(id);
        let activity = self.pool.activity().get(id);
        let requests = self.telemetry.model_requests(id);
        let breaker = self.pool.breakers().with(id, |breaker| breaker.stats(Instant::now()).state);
        let failed = status.state == "failed";

        ModelInfo {
            id: id.clone(),
            name: self
                .settings
                .model(id)
                .map_or_else(|| id.to_string(), |spec| spec.display_name.clone()),
            state: status.state,
            port: status.port,
            pid: status.pid,
            uptime_seconds: figures.ready_since.map(|since| since.elapsed().as_secs_f64()),
            last_load_ms: figures.last_load.map(|load| load.as_millis() as u64),
            loads: figures.loads,
            crashes: figures.crashes,
            requests: requests.requests,
            errors: requests.errors,
            in_flight: activity.in_flight(),
            queued: activity.queued(),
            last_generation_tokens_per_second: requests.last_generation_tokens_per_second,
            average_generation_tokens_per_second: requests.average_generation_tokens_per_second(),
            breaker: BreakerSummary { state: breaker.as_str() },
            last_error: status.last_error,
            last_log_lines: failed
                .then(|| figures.logs.map(|logs| logs.tail(FAILED_LOG_LINES)))
                .flatten(),
        }
    }
}
