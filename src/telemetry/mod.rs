//! Metrics and alerts: system samples, per-request and per-model figures, their history,
//! alert rules, the Prometheus exposition and the live feed of the WebSocket.
//!
//! Requests are recorded by [`crate::proxy::forward`] through a [`RequestRecorder`], which
//! finds the client request's labels in the [`RequestScope`] that [`scope_requests`] sets
//! around each API router.

pub mod alerts;
mod config;
mod exposition;
mod feed;
mod history;
mod messages;
mod model_info;
mod observations;
pub mod prometheus;
mod recorder;
mod request_log;
mod request_record;
mod request_scope;
mod sampler;
pub mod system;
mod timings;

#[cfg(test)]
mod request_tests;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::time::Instant;

pub use alerts::{AlertsSnapshot, UnknownRule};
pub use config::{AlertRuleOverride, AlertsConfig, MetricsConfig};
pub use feed::{Feed, FeedItem, FeedReceiver};
pub use history::HistorySnapshot;
pub use messages::{ClientMessage, ConfigSummary, ServerMessage};
pub use model_info::{ModelDirectory, ModelInfo};
pub use recorder::{RequestRecorder, record_rejected_request};
pub use request_log::{ModelRequestStats, RECENT_REQUESTS};
pub use request_record::RequestRecord;
pub use request_scope::{ApiPort, Dialect, RequestScope, scope_requests};
pub use sampler::start_sampling;
pub use timings::{Timings, TimingsScanner, TokenFigures};

use alerts::AlertBoard;
use history::History;
use prometheus::PrometheusMetrics;
use request_log::RequestLog;

/// The shared telemetry state, cheap to clone.
#[derive(Clone)]
pub struct Telemetry {
    inner: Arc<Shared>,
}

struct Shared {
    config: MetricsConfig,
    requests: Mutex<RequestLog>,
    history: Mutex<History>,
    alerts: Mutex<AlertBoard>,
    prometheus: PrometheusMetrics,
    feed: Feed,
}

impl Telemetry {
    /// Creates the state for `metrics` and `alerts`; fails on an unknown alert rule name.
    pub fn new(metrics: &MetricsConfig, alerts: &AlertsConfig) -> Result<Self, UnknownRule> {
        let rules = alerts::configured_rules(alerts)?;
        Ok(Self {
            inner: Arc::new(Shared {
                config: metrics.clone(),
                requests: Mutex::new(RequestLog::default()),
                history: Mutex::new(History::new(metrics.history_points)),
                alerts: Mutex::new(AlertBoard::new(rules, alerts.history_size)),
                prometheus: PrometheusMetrics::new(),
                feed: Feed::default(),
            }),
        })
    }

    /// Telemetry that records nothing, for tests and for `metrics.enabled: false`.
    pub fn disabled() -> Self {
        let metrics = MetricsConfig {
            enabled: false,
            ..MetricsConfig::default()
        };
        let alerts = AlertsConfig {
            enabled: false,
            ..AlertsConfig::default()
        };
        Self::new(&metrics, &alerts).unwrap_or_else(|_| unreachable!("no rule is overridden"))
    }

    pub fn is_enabled(&self) -> bool {
        self.inner.config.enabled
    }

    pub fn config(&self) -> &MetricsConfig {
        &self.inner.config
    }

    /// Numbers and keeps a finished request, counts it and sends it to live clients.
    pub fn record_request(&self, record: RequestRecord) {
        let record = lock(&self.inner.requests).add(record, Instant::now());
        tracing::trace!(
            request = record.id,
            model = %record.model,
            route = %record.route,
            status = record.status,
            duration_ms = record.duration_ms,
            cancelled = record.cancelled,
            "request finished"
        );
        self.inner.prometheus.record(&record);
        self.inner.feed.publish_event(&ServerMessage::Request { request: record });
    }

    /// Returns the kept requests, oldest first.
    pub fn requests(&self) -> Vec<RequestRecord> {
        lock(&self.inner.requests).recent()
    }

    pub fn model_requests(&self, model: &str) -> ModelRequestStats {
        lock(&self.inner.requests).model(model)
    }

    pub fn history(&self) -> HistorySnapshot {
        lock(&self.inner.history).snapshot()
    }

    pub fn latest_sample(&self) -> Option<system::SystemSample> {
        lock(&self.inner.history).latest().cloned()
    }

    pub fn alerts(&self) -> AlertsSnapshot {
        lock(&self.inner.alerts).snapshot()
    }

    pub fn prometheus(&self) -> &PrometheusMetrics {
        &self.inner.prometheus
    }

    pub fn feed(&self) -> &Feed {
        &self.inner.feed
    }

    fn history_mut(&self) -> MutexGuard<'_, History> {
        lock(&self.inner.history)
    }

    fn alerts_mut(&self) -> MutexGuard<'_, AlertBoard> {
        lock(&self.inner.alerts)
    }

    fn request_log(&self) -> MutexGuard<'_, RequestLog> {
        lock(&self.inner.requests)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Returns the current time in milliseconds since the Unix epoch.
pub(crate) fn unix_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis() as u64)
}
