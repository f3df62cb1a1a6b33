//! Ollama's `keep_alive`: how long a model stays loaded after a request.

use std::time::Duration;

use serde_json::Value;

use super::error::OllamaError;

/// A parsed `keep_alive`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeepAlive {
    /// A negative value: the model stays loaded until something else unloads it.
    Forever,
    /// Idle time after the last request; zero unloads right after the reply.
    For(Duration),
}

impl KeepAlive {
    /// Returns the idle time to live for the pool; `None` keeps the model loaded.
    pub(crate) fn idle_ttl(self) -> Option<Duration> {
        match self {
            KeepAlive::Forever => None,
            KeepAlive::For(duration) => Some(duration),
        }
    }

    pub(crate) fn is_zero(self) -> bool {
        self == KeepAlive::For(Duration::ZERO)
    }
}

/// Reads `keep_alive` as Ollama's API does: a number of seconds, a numeric string, or a Go
/// duration string such as "5m", "1h30m" or "300ms". Negative values keep the model loaded.
/// `null` or an absent field gives `None`.
pub(crate) fn parse_keep_alive(value: Option<&Value>) -> Result<Option<KeepAlive>, OllamaError> {
    let keep_alive = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(number)) => number.as_f64().and_then(from_seconds),
        Some(Value::String(text)) => parse_text(text.trim()),
        Some(_) => None,
    };
    keep_alive.map(Some).ok_or_else(|| {
        let shown = value.map(Value::to_string).unwrap_or_default();
        OllamaError::invalid(format!(
            "invalid keep_alive {shown}: expected seconds as a number, or a duration such as \"5m\", \"1h\", \"300ms\" or \"-1\""
        ))
    })
}

fn parse_text(text: &str) -> Option<KeepAlive> {
    if let Ok(seconds) = text.parse::<f64>() {
        return from_seconds(seconds);
    }
    parse_go_duration(text)
}

fn from_seconds(seconds: f64) -> Option<KeepAlive> {
    if seconds.is_nan() {
        return None;
    }
    if seconds < 0.0 {
        return Some(KeepAlive::Forever);
    }
    Duration::try_from_secs_f64(seconds).ok().map(KeepAlive::For)
}

/// Parses Go's `time.ParseDuration` syntax: an optional sign, then one or more decimal numbers
/// each followed by a unit (ns, us, µs, ms, s, m, h).
fn parse_go_duration(text: &str) -> Option<KeepAlive> {
    let (negative, mut rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if rest.is_empty() {
        return None;
    }

    let mut total_seconds = 0.0_f64;
    while !rest.is_empty() {
        let number_end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let number: f64 = rest[..number_end].parse().ok()?;
        rest = &rest[number_end..];

        let unit_end = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let seconds_per_unit = match &rest[..unit_end] {
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        rest = &rest[unit_end..];
        total_seconds += number * seconds_per_unit;
    }

    if negative && total_seconds > 0.0 {
        return Some(KeepAlive::Forever);
    }
    from_seconds(total_seconds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parsed(value: Value) -> Option<KeepAlive> {
        parse_keep_alive(Some(&value)).unwrap()
    }

    #[test]
    fn numbers_are_seconds() {
        assert_eq!(parsed(json!(300)), Some(KeepAlive::For(Duration::from_secs(300))));
        assert_eq!(parsed(json!(0)), Some(KeepAlive::For(Duration::ZERO)));
        assert_eq!(parsed(json!(1.5)), Some(KeepAlive::For(Duration::from_millis(1500))));
    }

    #[test]
    fn negative_values_keep_the_model_loaded() {
        for value in [json!(-1), json!("-1"), json!("-1m"), json!(-0.5), json!("-5s")] {
            assert_eq!(parsed(value.clone()), Some(KeepAlive::Forever), "{value}");
        }
    }

    #[test]
    fn duration_strings_follow_go_syntax() {
        assert_eq!(parsed(json!("5m")), Some(KeepAlive::For(Duration::from_secs(300))));
        assert_eq!(parsed(json!("1h")), Some(KeepAlive::For(Duration::from_secs(3600))));
        assert_eq!(parsed(json!("300ms")), Some(KeepAlive::For(Duration::from_millis(300))));
        assert_eq!(parsed(json!("1h30m")), Some(KeepAlive::For(Duration::from_secs(5400))));
        assert_eq!(parsed(json!("1.5s")), Some(KeepAlive::For(Duration::from_millis(1500))));
        assert_eq!(parsed(json!("300")), Some(KeepAlive::For(Duration::from_secs(300))));
        assert_eq!(parsed(json!("0")), Some(KeepAlive::For(Duration::ZERO)));
        assert_eq!(parsed(json!("0s")), Some(KeepAlive::For(Duration::ZERO)));
    }

    #[test]
    fn absent_or_null_is_none() {
        assert_eq!(parse_keep_alive(None).unwrap(), None);
        assert_eq!(parse_keep_alive(Some(&Value::Null)).unwrap(), None);
    }

    #[test]
    fn invalid_values_are_rejected() {
        for value in [json!("abc"), json!(""), json!("1d"), json!("m5"), json!("5m3"), json!(true), json!({"s": 1})] {
            let error = parse_keep_alive(Some(&value)).unwrap_err();
            assert_eq!(error.status(), http::StatusCode::BAD_REQUEST, "{value}");
            assert!(error.to_string().contains("invalid keep_alive"), "{error}");
        }
    }

    #[test]
    fn zero_unloads() {
        assert!(KeepAlive::For(Duration::ZERO).is_zero());
        assert!(!KeepAlive::Forever.is_zero());
        assert_eq!(KeepAlive::Forever.idle_ttl(), None);
    }
}
