//! `GET /metrics`: the Prometheus text exposition (format 0.0.4), every name prefixed with
//! `llama_runner_`.
//!
//! Request figures are counted as requests finish. Model, breaker and system figures are read
//! at scrape time from a [`ScrapeData`] that the management handler refreshes first.

mod scrape;
mod system_gauges;
mod text_format;

use std::sync::{Arc, Mutex};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

pub use scrape::{BreakerRow, ModelRow, ScrapeData};
pub use text_format::PROMETHEUS_TEXT_CONTENT_TYPE;

use super::request_record::RequestRecord;

/// Most distinct route labels; the routes of further paths are counted as `other`, so that
/// clients probing random paths cannot grow the exposition without bound.
const MAX_ROUTES: usize = 64;

/// Bucket bounds of the duration histograms, in seconds: 5 ms to about 10 min.
const DURATION_BUCKETS: [f64; 14] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 120.0, 600.0];

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    model: String,
    route: String,
    status: String,
    stream: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    model: String,
    route: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TokenLabels {
    model: String,
    kind: String,
}

fn duration_histogram() -> Histogram {
    Histogram::new(DURATION_BUCKETS)
}

/// The registry and the request families recorded into it.
#[derive(Debug)]
pub struct PrometheusMetrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    cancelled: Family<RouteLabels, Counter>,
    errors: Family<RouteLabels, Counter>,
    tokens: Family<TokenLabels, Counter>,
    duration: Family<RouteLabels, Histogram, fn() -> Histogram>,
    first_byte: Family<RouteLabels, Histogram, fn() -> Histogram>,
    routes: Mutex<Vec<String>>,
    scrape: Arc<Mutex<ScrapeData>>,
}

impl Default for PrometheusMetrics {
    fn default() -> Self {
        Self::new()
    }
}

impl PrometheusMetrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("llama_runner");
        let requests = Family::<RequestLabels, Counter>::default();
        let cancelled = Family::<RouteLabels, Counter>::default();
        let errors = Family::<RouteLabels, Counter>::default();
        let tokens = Family::<TokenLabels, Counter>::default();
        let duration: Family<RouteLabels, Histogram, fn() -> Histogram> = Family::new_with_constructor(duration_histogram);
        let first_byte: Family<RouteLabels, Histogram, fn() -> Histogram> = Family::new_with_constructor(duration_histogram);

        registry.register(
            "requests",
            "Requests that reached a model or were turned away by it, by status class (status) and whether the upstream streamed (stream)",
            requests.clone(),
        );
        registry.register("requests_cancelled", "Requests whose client left before the end of the answer", cancelled.clone());
        registry.register(
            "request_errors",
            "Requests that failed because of the model or its server: 5xx, a refused connection, a timeout or a broken stream",
            errors.clone(),
        );
        registry.register(
            "tokens",
            "Tokens from llama-server's timings, by kind: prompt (evaluated), cached (reused from the cache) and generated",
            tokens.clone(),
        );
        registry.register(
            "request_duration_seconds",
            "Time from a request's arrival to the end of its answer, model loading included",
            duration.clone(),
        );
        registry.register(
            "request_time_to_first_byte_seconds",
            "Time from a request's arrival to the first byte of the upstream's answer, model loading included",
            first_byte.clone(),
        );

        let scrape = Arc::new(Mutex::new(ScrapeData::default()));
        registry.register_collector(Box::new(scrape::ScrapeCollector::new(scrape.clone())));

        Self {
            registry,
            requests,
            cancelled,
            errors,
            tokens,
            duration,
            first_byte,
            routes: Mutex::new(Vec::new()),
            scrape,
        }
    }

    /// Counts a finished request.
    pub fn record(&self, record: &RequestRecord) {
        let model = record.model.to_string();
        let route = self.route_label(&record.route);
        let labels = RouteLabels {
            model: model.clone(),
            route: route.clone(),
        };

        self.requests
            .get_or_create(&RequestLabels {
                model: model.clone(),
                route,
                status: record.status_class().to_owned(),
                stream: record.streamed.to_string(),
            })
            .inc();
        if record.cancelled {
            self.cancelled.get_or_create(&labels).inc();
        }
        if record.is_error() {
            self.errors.get_or_create(&labels).inc();
        }

        for (kind, count) in [
            ("prompt", record.prompt_tokens),
            ("cached", record.cached_tokens),
            ("generated", record.generated_tokens),
        ] {
            if let Some(count) = count {
                let labels = TokenLabels {
                    model: model.clone(),
                    kind: kind.to_owned(),
                };
                self.tokens.get_or_create(&labels).inc_by(count);
            }
        }

        self.duration.get_or_create(&labels).observe(record.duration_ms / 1000.0);
        if let Some(ttfb_ms) = record.ttfb_ms {
            self.first_byte.get_or_create(&labels).observe(ttfb_ms / 1000.0);
        }
    }

    /// Replaces the figures read at scrape time.
    pub fn set_scrape_data(&self, update: impl FnOnce(&mut ScrapeData)) {
        let mut data = self.scrape.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        update(&mut data);
    }

    /// Returns the exposition in the Prometheus text format 0.0.4.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        if let Err(error) = prometheus_client::encoding::text::encode(&mut text, &self.registry) {
            tracing::error!(error = %error, "cannot encode the Prometheus metrics");
        }
        text_format::to_prometheus_text(&text)
    }

    fn route_label(&self, route: &str) -> String {
        let mut routes = self.routes.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if routes.iter().any(|known| known == route) {
            return route.to_owned();
        }
        if routes.len() < MAX_ROUTES {
            routes.push(route.to_owned());
            return route.to_owned();
        }
        "other".to_owned()
    }
}
