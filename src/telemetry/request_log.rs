//! The latest requests and per-model request figures.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use super::request_record::RequestRecord;

/// Requests kept for `GET /api/requests` and the WebSocket snapshot.
pub const RECENT_REQUESTS: usize = 200;

/// Window of the error rate that the `model_error_rate` alert watches.
pub const ERROR_RATE_WINDOW: Duration = Duration::from_secs(60);

/// Outcomes kept per model for the error rate; beyond this many requests a minute the rate is
/// taken over the newest ones.
const WINDOW_OUTCOMES_KEPT: usize = 10_000;

/// Request figures of one model since llama-runner started.
#[derive(Debug, Clone, Default)]
pub struct ModelRequestStats {
    pub requests: u64,
    /// Requests that failed because of the model or its server; see [`RequestRecord::is_error`].
    pub errors: u64,
    pub last_generation_tokens_per_second: Option<f64>,
    generated_tokens: f64,
    generation_seconds: f64,
    /// Finish time and error flag of recent requests, oldest first.
    recent_outcomes: VecDeque<(Instant, bool)>,
}

impl ModelRequestStats {
    /// Generation speed over every request that reported one: all generated tokens over the
    /// time spent generating them, so long responses weigh more than short ones.
    pub fn average_generation_tokens_per_second(&self) -> Option<f64> {
        (self.generation_seconds > 0.0).then(|| self.generated_tokens / self.generation_seconds)
    }

    /// Requests and errors that finished within [`ERROR_RATE_WINDOW`] before `now`.
    pub fn recent_counts(&self, now: Instant) -> (u64, u64) {
        let mut requests = 0;
        let mut errors = 0;
        for (at, error) in self.recent_outcomes.iter().rev() {
            if now.saturating_duration_since(*at) > ERROR_RATE_WINDOW {
                break;
            }
            requests += 1;
            errors += u64::from(*error);
        }
        (requests, errors)
    }

    fn add(&mut self, record: &RequestRecord, now: Instant) {
        self.requests += 1;
        let error = record.is_error();
        self.errors += u64::from(error);

        if let (Some(speed), Some(tokens)) = (record.generation_tokens_per_second, record.generated_tokens) {
            self.last_generation_tokens_per_second = Some(speed);
            self.generated_tokens += tokens as f64;
            self.generation_seconds += tokens as f64 / speed;
        }

        while let Some((at, _)) = self.recent_outcomes.front() {
            let expired = now.saturating_duration_since(*at) > ERROR_RATE_WINDOW;
            if !expired && self.recent_outcomes.len() < WINDOW_OUTCOMES_KEPT {
                break;
            }
            self.recent_outcomes.pop_front();
        }
        self.recent_outcomes.push_back((now, error));
    }
}

/// The last [`RECENT_REQUESTS`] requests and the figures of every model that had one.
#[derive(Debug, Default)]
pub struct RequestLog {
    next_id: u64,
    recent: VecDeque<RequestRecord>,
    models: BTreeMap<Arc<str>, ModelRequestStats>,
}

impl RequestLog {
    /// Numbers the record, adds it, and returns it numbered.
    pub fn add(&mut self, mut record: RequestRecord, now: Instant) -> RequestRecord {
        self.next_id += 1;
        record.id = self.next_id;
        self.models.entry(record.model.clone()).or_default().add(&record, now);

        if self.recent.len() == RECENT_REQUESTS {
            self.recent.pop_front();
        }
        self.recent.push_back(record.clone());
        record
    }

    /// Returns the kept requests, oldest first.
    pub fn recent(&self) -> Vec<RequestRecord> {
        self.recent.iter().cloned().collect()
    }

    pub fn model(&self, model: &str) -> ModelRequestStats {
        self.models.get(model).cloned().unwrap_or_default()
    }

    pub fn models(&self) -> &BTreeMap<Arc<str>, ModelRequestStats> {
        &self.models
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::telemetry::request_scope::Dialect;

    fn record(model: &str, status: u16, generated: Option<(u64, f64)>) -> RequestRecord {
        RequestRecord {
            id: 0,
            ts: 0,
            model: Arc::from(model),
            route: Arc::from("/v1/chat/completions"),
            dialect: Dialect::Openai,
            status,
            duration_ms: 1.0,
            ttfb_ms: None,
            wait_ms: None,
            streamed: false,
            prompt_tokens: None,
            cached_tokens: None,
            generated_tokens: generated.map(|(tokens, _)| tokens),
            prompt_tokens_per_second: None,
            generation_tokens_per_second: generated.map(|(_, speed)| speed),
            cancelled: false,
            error: None,
        }
    }

    #[test]
    fn average_speed_weighs_by_generation_time() {
        let mut log = RequestLog::default();
        let now = Instant::now();
        // 200 tokens at 100 tok/s take 2 s, 10 tokens at 10 tok/s take 1 s: 210 tokens in 3 s.
        log.add(record("m1", 200, Some((200, 100.0))), now);
        log.add(record("m1", 200, Some((10, 10.0))), now);
        log.add(record("m1", 200, None), now);

        let stats = log.model("m1");
        assert_eq!(stats.requests, 3);
        assert_eq!(stats.last_generation_tokens_per_second, Some(10.0));
        assert_eq!(stats.average_generation_tokens_per_second(), Some(70.0));
    }

    #[test]
    fn errors_count_server_faults_only() {
        let mut log = RequestLog::default();
        let now = Instant::now();
        log.add(record("m1", 500, None), now);
        log.add(record("m1", 400, None), now);
        let mut cancelled = record("m1", 499, None);
        cancelled.cancelled = true;
        log.add(cancelled, now);

        assert_eq!(log.model("m1").errors, 1);
        assert_eq!(log.model("m1").recent_counts(now), (3, 1));
    }

    #[test]
    fn error_window_forgets_old_requests() {
        let mut log = RequestLog::default();
        let start = Instant::now();
        log.add(record("m1", 500, None), start);
        let later = start + ERROR_RATE_WINDOW + Duration::from_secs(1);
        log.add(record("m1", 200, None), later);

        assert_eq!(log.model("m1").recent_counts(later), (1, 0));
        assert_eq!(log.model("m1").errors, 1, "lifetime counts keep the old error");
    }

    #[test]
    fn recent_requests_are_bounded_and_numbered() {
        let mut log = RequestLog::default();
        let now = Instant::now();
        for _ in 0..RECENT_REQUESTS + 5 {
            log.add(record("m1", 200, None), now);
        }
        let recent = log.recent();
        assert_eq!(recent.len(), RECENT_REQUESTS);
        assert_eq!(recent.first().map(|record| record.id), Some(6));
        assert_eq!(recent.last().map(|record| record.id), Some(RECENT_REQUESTS as u64 + 5));
    }
}
