//! The counts and nanosecond durations of Ollama's last reply object, taken from llama-server's
//! `timings` and never estimated from wall-clock time, except the two durations llama-runner
//! measures itself.

use std::time::Duration;

use serde_json::{Map, Value, json};

/// llama-server's `timings` object; times are in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Timings {
    /// Prompt tokens evaluated for this request.
    pub prompt_n: u64,
    pub prompt_ms: f64,
    pub predicted_n: u64,
    pub predicted_ms: f64,
    /// Prompt tokens reused from the cache.
    pub cache_n: u64,
}

impl Timings {
    /// Reads the `timings` field of a llama-server reply or stream chunk.
    pub(crate) fn of(reply: &Value) -> Option<Timings> {
        let timings = reply.get("timings")?.as_object()?;
        let count = |name: &str| timings.get(name).and_then(Value::as_u64).unwrap_or(0);
        let millis = |name: &str| timings.get(name).and_then(Value::as_f64).unwrap_or(0.0);
        Some(Timings {
            prompt_n: count("prompt_n"),
            prompt_ms: millis("prompt_ms"),
            predicted_n: count("predicted_n"),
            predicted_ms: millis("predicted_ms"),
            cache_n: count("cache_n"),
        })
    }
}

/// Token counts of an OpenAI `usage` object, used only when a reply has no `timings`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Usage {
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
}

impl Usage {
    pub(crate) fn of(reply: &Value) -> Option<Usage> {
        let usage = reply.get("usage")?.as_object()?;
        let count = |name: &str| usage.get(name).and_then(Value::as_u64).unwrap_or(0);
        Some(Usage {
            prompt_tokens: count("prompt_tokens"),
            completion_tokens: count("completion_tokens"),
        })
    }
}

/// Builds the metrics fields of a final reply object. `total` and `load` are measured by
/// llama-runner. The rest come from `timings`, else only the counts come from `usage`, else they
/// are left out.
pub(crate) fn final_metrics(timings: Option<Timings>, usage: Option<Usage>, total: Duration, load: Duration) -> Map<String, Value> {
    let mut metrics = Map::new();
    metrics.insert("total_duration".to_owned(), json!(nanos(total)));
    metrics.insert("load_duration".to_owned(), json!(nanos(load)));

    if let Some(timings) = timings {
        metrics.insert("prompt_eval_count".to_owned(), json!(timings.prompt_n + timings.cache_n));
        metrics.insert("prompt_eval_duration".to_owned(), json!(millis_to_nanos(timings.prompt_ms)));
        metrics.insert("eval_count".to_owned(), json!(timings.predicted_n));
        metrics.insert("eval_duration".to_owned(), json!(millis_to_nanos(timings.predicted_ms)));
    } else if let Some(usage) = usage {
        metrics.insert("prompt_eval_count".to_owned(), json!(usage.prompt_tokens));
        metrics.insert("eval_count".to_owned(), json!(usage.completion_tokens));
    }
    metrics
}

pub(crate) fn nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}

fn millis_to_nanos(millis: f64) -> u64 {
    if millis.is_finite() && millis > 0.0 {
        (millis * 1_000_000.0).round() as u64
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timings_become_nanosecond_durations() {
        let reply = json!({"timings": {"cache_n": 20, "prompt_n": 50, "prompt_ms": 100.0, "predicted_n": 200, "predicted_ms": 2000.5}});

        let metrics = final_metrics(Timings::of(&reply), None, Duration::from_millis(2500), Duration::from_millis(300));

        assert_eq!(
            Value::Object(metrics),
            json!({
                "total_duration": 2_500_000_000u64,
                "load_duration": 300_000_000u64,
                "prompt_eval_count": 70,
                "prompt_eval_duration": 100_000_000u64,
                "eval_count": 200,
                "eval_duration": 2_000_500_000u64,
            })
        );
    }

    #[test]
    fn without_timings_only_counts_from_usage_are_given() {
        let reply = json!({"usage": {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15}});

        let metrics = final_metrics(Timings::of(&reply), Usage::of(&reply), Duration::from_secs(1), Duration::ZERO);

        assert_eq!(metrics["prompt_eval_count"], 12);
        assert_eq!(metrics["eval_count"], 3);
        assert!(!metrics.contains_key("eval_duration"));
        assert!(!metrics.contains_key("prompt_eval_duration"));
    }

    #[test]
    fn without_timings_or_usage_only_measured_durations_are_given() {
        let metrics = final_metrics(None, None, Duration::from_nanos(5), Duration::from_nanos(1));
        assert_eq!(Value::Object(metrics), json!({"total_duration": 5, "load_duration": 1}));
    }
}
