//! Token figures from the `timings` object that llama-server adds to its replies: at the top
//! level of a non-streamed reply, and in the last event of a stream.

use std::collections::VecDeque;

use bytes::Bytes;
use serde::Deserialize;

/// Bytes of the end of a reply kept for the search. The `timings` object is about 300 bytes
/// and llama-server writes it last, so a reply whose `timings` starts earlier than this before
/// the end has no figures.
const TAIL_BYTES: usize = 16 * 1024;

/// llama-server's `timings` object; times are milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize)]
pub struct Timings {
    pub prompt_n: Option<f64>,
    pub prompt_ms: Option<f64>,
    pub prompt_per_second: Option<f64>,
    pub predicted_n: Option<f64>,
    pub predicted_ms: Option<f64>,
    pub predicted_per_second: Option<f64>,
    pub cache_n: Option<f64>,
}

/// The figures a request record and the metrics show, each absent when llama-server did not
/// report it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TokenFigures {
    /// Prompt tokens llama-server evaluated, without the ones it reused from its cache.
    pub prompt_tokens: Option<u64>,
    pub cached_tokens: Option<u64>,
    pub generated_tokens: Option<u64>,
    pub prompt_tokens_per_second: Option<f64>,
    pub generation_tokens_per_second: Option<f64>,
}

impl Timings {
    /// Derives the figures. A speed is llama-server's own `*_per_second`, else its token count
    /// over its time; it is absent when no token was processed.
    pub fn figures(&self) -> TokenFigures {
        TokenFigures {
            prompt_tokens: count(self.prompt_n),
            cached_tokens: count(self.cache_n),
            generated_tokens: count(self.predicted_n),
            prompt_tokens_per_second: speed(self.prompt_n, self.prompt_ms, self.prompt_per_second),
            generation_tokens_per_second: speed(self.predicted_n, self.predicted_ms, self.predicted_per_second),
        }
    }
}

fn count(value: Option<f64>) -> Option<u64> {
    value.filter(|value| value.is_finite() && *value >= 0.0).map(|value| value as u64)
}

fn speed(tokens: Option<f64>, milliseconds: Option<f64>, reported: Option<f64>) -> Option<f64> {
    let tokens = tokens.filter(|tokens| tokens.is_finite() && *tokens > 0.0)?;
    if let Some(reported) = reported.filter(|speed| speed.is_finite() && *speed > 0.0) {
        return Some(reported);
    }
    let milliseconds = milliseconds.filter(|ms| ms.is_finite() && *ms > 0.0)?;
    Some(tokens * 1000.0 / milliseconds)
}

/// Keeps the last [`TAIL_BYTES`] of a reply as shared [`Bytes`] handles, without copying, and
/// finds its `timings` once the reply is complete.
#[derive(Debug, Default)]
pub struct TimingsScanner {
    tail: VecDeque<Bytes>,
    tail_len: usize,
}

impl TimingsScanner {
    /// Keeps a handle to `chunk`, dropping older chunks no longer needed for the tail.
    pub fn push(&mut self, chunk: &Bytes) {
        if chunk.is_empty() {
            return;
        }
        self.tail.push_back(chunk.clone());
        self.tail_len += chunk.len();
        while let Some(front) = self.tail.front() {
            if self.tail_len - front.len() < TAIL_BYTES {
                break;
            }
            self.tail_len -= front.len();
            self.tail.pop_front();
        }
    }

    /// Returns the last `timings` object in the kept tail, if any parses.
    pub fn timings(&self) -> Option<Timings> {
        last_timings(&self.tail_text())
    }

    /// Returns the figures of the reply: from `timings` when llama-server sent them, else the token
    /// counts of the Anthropic or Responses `usage` object (`input_tokens`, `output_tokens`),
    /// which carry no speeds.
    pub fn figures(&self) -> Option<TokenFigures> {
        let text = self.tail_text();
        if let Some(timings) = last_timings(&text) {
            return Some(timings.figures());
        }
        let usage = last_object_after::<Usage>(&text, b"\"usage\"")?;
        if usage.input_tokens.is_none() && usage.output_tokens.is_none() {
            return None;
        }
        Some(TokenFigures {
            prompt_tokens: usage.input_tokens,
            cached_tokens: usage.cache_read_input_tokens,
            generated_tokens: usage.output_tokens,
            ..TokenFigures::default()
        })
    }

    fn tail_text(&self) -> Vec<u8> {
        let mut text = Vec::with_capacity(self.tail_len);
        for chunk in &self.tail {
            text.extend_from_slice(chunk);
        }
        text
    }
}

/// The token counts of an Anthropic Messages or OpenAI Responses `usage` object.
#[derive(Debug, Default, Deserialize)]
struct Usage {
    input_tokens: Option<u64>,
    output_tokens: Option<u64>,
    cache_read_input_tokens: Option<u64>,
}

fn last_timings(text: &[u8]) -> Option<Timings> {
    last_object_after::<Timings>(text, b"\"timings\"")
}

/// Finds the last `key` (quoted) in `text` and parses the object after it. A key escaped inside
/// a JSON string (`\"timings\"`) is skipped.
fn last_object_after<T: serde::de::DeserializeOwned>(text: &[u8], key: &[u8]) -> Option<T> {
    let mut end = text.len();

    while let Some(start) = rfind(&text[..end], key) {
        end = start;
        if start > 0 && text[start - 1] == b'\\' {
            continue;
        }
        let rest = &text[start + key.len()..];
        let rest = skip_while(rest, |byte| byte.is_ascii_whitespace() || byte == b':');
        if rest.first() != Some(&b'{') {
            continue;
        }
        let mut values = serde_json::Deserializer::from_slice(rest).into_iter::<T>();
        if let Some(Ok(value)) = values.next() {
            return Some(value);
        }
    }
    None
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if haystack.len() < needle.len() {
        return None;
    }
    (0..=haystack.len() - needle.len()).rev().find(|&start| &haystack[start..start + needle.len()] == needle)
}

fn skip_while(bytes: &[u8], skip: impl Fn(u8) -> bool) -> &[u8] {
    let start = bytes.iter().position(|byte| !skip(*byte)).unwrap_or(bytes.len());
    &bytes[start..]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `timings` the fake llama-server sends with every completion.
    const FAKE_TIMINGS: &str = r#"{"cache_n":20,"prompt_n":50,"prompt_ms":100.0,"predicted_n":200,"predicted_ms":2000.0}"#;

    fn scan(chunks: &[&str]) -> Option<TokenFigures> {
        let mut scanner = TimingsScanner::default();
        for chunk in chunks {
            scanner.push(&Bytes::copy_from_slice(chunk.as_bytes()));
        }
        scanner.timings().map(|timings| timings.figures())
    }

    #[test]
    fn speeds_come_from_counts_over_times() {
        let figures = scan(&[&format!(r#"{{"choices":[],"timings":{FAKE_TIMINGS}}}"#)]).expect("timings found");

        assert_eq!(figures.prompt_tokens, Some(50));
        assert_eq!(figures.cached_tokens, Some(20));
        assert_eq!(figures.generated_tokens, Some(200));
        assert_eq!(figures.prompt_tokens_per_second, Some(500.0));
        assert_eq!(figures.generation_tokens_per_second, Some(100.0));
    }

    #[test]
    fn reported_speed_wins_over_derived() {
        let body = r#"{"timings":{"predicted_n":10,"predicted_ms":1000.0,"predicted_per_second":12.5}}"#;
        let figures = scan(&[body]).unwrap();
        assert_eq!(figures.generation_tokens_per_second, Some(12.5));
        assert_eq!(figures.prompt_tokens_per_second, None, "no prompt figures were sent");
    }

    #[test]
    fn stream_timings_are_read_from_the_last_event_across_chunks() {
        let last_event = format!(r#"data: {{"choices":[{{"delta":{{}}}}],"timings":{FAKE_TIMINGS}}}"#);
        let (first_half, second_half) = last_event.split_at(last_event.len() / 2);
        let early = r#"data: {"choices":[{"delta":{"content":"hi"}}],"timings":{"predicted_n":1,"predicted_ms":10.0}}"#;

        let figures = scan(&[early, "\n\n", first_half, second_half, "\n\ndata: [DONE]\n\n"]).unwrap();

        assert_eq!(figures.generated_tokens, Some(200));
        assert_eq!(figures.generation_tokens_per_second, Some(100.0));
    }

    #[test]
    fn reply_without_timings_has_no_figures() {
        assert_eq!(scan(&[r#"{"choices":[{"message":{"content":"hello"}}]}"#]), None);
        assert_eq!(scan(&["data: {\"choices\":[]}\n\ndata: [DONE]\n\n"]), None);
    }

    #[test]
    fn anthropic_usage_gives_token_counts_without_speeds() {
        let event = "event: message_delta\ndata: {\"type\":\"message_delta\",\"usage\":{\"input_tokens\":25,\"output_tokens\":10}}\n\n";
        let mut scanner = TimingsScanner::default();
        scanner.push(&Bytes::copy_from_slice(event.as_bytes()));
        let figures = scanner.figures().expect("usage found");
        assert_eq!(figures.prompt_tokens, Some(25));
        assert_eq!(figures.generated_tokens, Some(10));
        assert_eq!(figures.generation_tokens_per_second, None);
    }

    #[test]
    fn escaped_key_inside_content_is_ignored() {
        let body = r#"{"choices":[{"message":{"content":"say \"timings\": {\"predicted_n\": 5}"}}]}"#;
        assert_eq!(scan(&[body]), None);
    }

    #[test]
    fn zero_generated_tokens_give_no_speed() {
        let figures = scan(&[r#"{"timings":{"predicted_n":0,"predicted_ms":0.0,"predicted_per_second":0}}"#]).unwrap();
        assert_eq!(figures.generated_tokens, Some(0));
        assert_eq!(figures.generation_tokens_per_second, None);
    }

    #[test]
    fn scanner_keeps_only_a_bounded_tail() {
        let mut scanner = TimingsScanner::default();
        let chunk = Bytes::from(vec![b'x'; 1000]);
        for _ in 0..1000 {
            scanner.push(&chunk);
        }
        assert!(scanner.tail_len < TAIL_BYTES + chunk.len(), "tail is {} bytes", scanner.tail_len);
        assert!(scanner.tail.len() <= TAIL_BYTES / chunk.len() + 1);
    }
}
