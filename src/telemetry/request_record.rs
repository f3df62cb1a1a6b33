use std::sync::Arc;

use serde::Serialize;

use super::request_scope::Dialect;
use super::timings::TokenFigures;

/// Status recorded for a request whose client left before the upstream responded, as nginx
/// logs it ("client closed request").
pub const CLIENT_CLOSED_REQUEST: u16 = 499;

/// One finished request that reached a model, or was turned away because the model could not
/// take it. Token figures come from llama-server's `timings` and are absent when it sent none.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestRecord {
    /// Sequence number since llama-runner started, from 1.
    pub id: u64,
    /// When the request finished, in milliseconds since the Unix epoch.
    pub ts: u64,
    pub model: Arc<str>,
    /// The client's path, with the model id replaced by `{model}` where it appears.
    pub route: Arc<str>,
    pub dialect: Dialect,
    /// The upstream's status. It is 499 when the client left before the upstream responded, and
    /// the status of the error response when the request never reached the upstream.
    pub status: u16,
    /// From arrival at llama-runner to the last byte or the end of the exchange.
    pub duration_ms: f64,
    /// From arrival to the first body byte of the upstream's response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttfb_ms: Option<f64>,
    /// Time spent waiting for the model: starting it, swapping, or queueing behind others.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wait_ms: Option<f64>,
    /// The upstream responded with an event stream.
    pub streamed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt_tokens: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cached_tokens: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generated_tokens: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt_tokens_per_second: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generation_tokens_per_second: Option<f64>,
    /// The client left before the end of the response.
    pub cancelled: bool,
    /// Why the exchange failed: a refused connection, a timeout, a stream cut short, a model
    /// that could not start. Absent for complete responses, whatever their status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl RequestRecord {
    /// True for a failure of the model or its server: a 5xx status or an exchange that broke.
    /// Client errors (4xx) and cancelled requests are no errors.
    pub fn is_error(&self) -> bool {
        !self.cancelled && (self.status >= 500 || self.error.is_some())
    }

    /// Returns the status class used as a metric label: `2xx`, `4xx`, `5xx`, ….
    pub fn status_class(&self) -> &'static str {
        match self.status {
            100..=199 => "1xx",
            200..=299 => "2xx",
            300..=399 => "3xx",
            400..=499 => "4xx",
            _ => "5xx",
        }
    }

    pub(crate) fn set_figures(&mut self, figures: TokenFigures) {
        self.prompt_tokens = figures.prompt_tokens;
        self.cached_tokens = figures.cached_tokens;
        self.generated_tokens = figures.generated_tokens;
        self.prompt_tokens_per_second = figures.prompt_tokens_per_second;
        self.generation_tokens_per_second = figures.generation_tokens_per_second;
    }
}

/// Replaces the model id in an `/upstream/{model}/…` path with `{model}`, plain or
/// percent-encoded, so that a route label does not grow with the number of models. Other
/// routes name the model in the body or the query, so their path is the label.
pub(crate) fn route_label(path: &str, model: &str) -> String {
    let Some(rest) = path.strip_prefix("/upstream/") else {
        return path.to_owned();
    };
    let encoded = model.replace('%', "%25").replace('/', "%2F");

    for candidate in [model, encoded.as_str()] {
        let Some(head) = rest.get(..candidate.len()) else {
            continue;
        };
        let tail = &rest[candidate.len()..];
        if !candidate.is_empty() && head.eq_ignore_ascii_case(candidate) && (tail.is_empty() || tail.starts_with('/')) {
            return format!("/upstream/{{model}}{tail}");
        }
    }
    path.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_label_hides_the_model_id() {
        assert_eq!(route_label("/v1/chat/completions", "m1"), "/v1/chat/completions");
        assert_eq!(route_label("/upstream/m1/props", "m1"), "/upstream/{model}/props");
        assert_eq!(route_label("/upstream/org%2FModel/props", "org/Model"), "/upstream/{model}/props");
        assert_eq!(route_label("/upstream/org/Model/props", "org/Model"), "/upstream/{model}/props");
        assert_eq!(route_label("/v1/chat/completions", "chat"), "/v1/chat/completions");
        assert_eq!(route_label("/upstream/m10/props", "m1"), "/upstream/m10/props", "only the whole id matches");
    }
}
