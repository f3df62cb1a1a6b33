//! Figures of one forwarded request, gathered while its response streams and recorded once when
//! it ends, however it ends.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tokio::time::Instant;

use super::request_record::{CLIENT_CLOSED_REQUEST, RequestRecord, route_label};
use super::request_scope::RequestScope;
use super::timings::TimingsScanner;
use super::unix_millis;

/// Follows one request from the moment it is forwarded. Dropping it before
/// [`complete`](Self::complete) or [`fail`](Self::fail) records the request as cancelled: the
/// client left.
pub struct RequestRecorder {
    scope: RequestScope,
    model: Arc<str>,
    forwarded_at: Instant,
    status: Option<u16>,
    streamed: bool,
    first_byte_at: Option<Instant>,
    scanner: TimingsScanner,
    recorded: bool,
}

impl RequestRecorder {
    /// Starts following a request to `model`; `None` outside a [`RequestScope`] or while
    /// metrics are switched off.
    pub fn begin(model: &Arc<str>) -> Option<Self> {
        let scope = RequestScope::current()?;
        if !scope.telemetry.is_enabled() {
            return None;
        }
        Some(Self {
            scope,
            model: model.clone(),
            forwarded_at: Instant::now(),
            status: None,
            streamed: false,
            first_byte_at: None,
            scanner: TimingsScanner::default(),
            recorded: false,
        })
    }

    /// Notes the upstream's status line.
    pub fn response_started(&mut self, status: u16, streamed: bool) {
        self.status = Some(status);
        self.streamed = streamed;
    }

    /// Notes a body chunk on its way to the client; only a handle to it is kept.
    pub fn chunk(&mut self, data: &Bytes) {
        if self.first_byte_at.is_none() && !data.is_empty() {
            self.first_byte_at = Some(Instant::now());
        }
        self.scanner.push(data);
    }

    /// Records the response as complete, with the token figures from its `timings`.
    pub fn complete(mut self) {
        self.record(false, None);
    }

    /// Records a failed exchange. `status` is the status sent to the client, recorded when no
    /// upstream status arrived.
    pub fn fail(mut self, status: u16, reason: String) {
        if self.status.is_none() {
            self.status = Some(status);
        }
        self.record(false, Some(reason));
    }

    fn record(&mut self, cancelled: bool, error: Option<String>) {
        if std::mem::replace(&mut self.recorded, true) {
            return;
        }
        let now = Instant::now();
        let arrived = self.scope.arrived;
        let mut record = RequestRecord {
            id: 0,
            ts: unix_millis(),
            model: self.model.clone(),
            route: Arc::from(route_label(&self.scope.path, &self.model)),
            dialect: self.scope.dialect,
            status: self.status.unwrap_or(CLIENT_CLOSED_REQUEST),
            duration_ms: millis(now - arrived),
            ttfb_ms: self.first_byte_at.map(|at| millis(at - arrived)),
            wait_ms: Some(millis(self.forwarded_at.saturating_duration_since(arrived))),
            streamed: self.streamed,
            prompt_tokens: None,
            cached_tokens: None,
            generated_tokens: None,
            prompt_tokens_per_second: None,
            generation_tokens_per_second: None,
            cancelled,
            error,
        };
        if !cancelled && let Some(figures) = self.scanner.figures() {
            record.set_figures(figures);
        }
        self.scope.telemetry.record_request(record);
    }
}

impl Drop for RequestRecorder {
    fn drop(&mut self) {
        self.record(true, None);
    }
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// Records a request that never reached the upstream because the model could not take it:
/// an open circuit breaker, a failed start, or shutdown. Does nothing outside a request scope.
pub fn record_rejected_request(model: &Arc<str>, error: &dyn std::fmt::Display) {
    if let Some(recorder) = RequestRecorder::begin(model) {
        recorder.fail(503, error.to_string());
    }
}
