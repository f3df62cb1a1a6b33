//! Timing of one streamed chat completion: first body byte and first content token.

use std::time::Duration;

use anyhow::Context;
use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::StatusCode;
use serde_json::Value;
use tokio::time::Instant;

use crate::http::{HttpClient, post_request};

/// Times measured from sending the request.
#[derive(Debug, Clone, Copy)]
pub struct StreamTiming {
    pub first_byte: Duration,
    pub first_token: Duration,
}

/// Sends a streamed `POST /v1/chat/completions` and reads it to the end, noting when the first
/// body byte and the first non-empty `delta.content` arrive.
pub async fn time_stream(
    client: &HttpClient,
    port: u16,
    body: &Value,
    limit: Duration,
) -> anyhow::Result<StreamTiming> {
    let request = post_request(port, "/v1/chat/completions", Bytes::from(body.to_string()));
    tokio::time::timeout(limit, read_stream(client, request))
        .await
        .with_context(|| format!("streamed request to 127.0.0.1:{port} timed out after {limit:?}"))?
        .with_context(|| format!("streamed request to 127.0.0.1:{port} failed"))
}

async fn read_stream(
    client: &HttpClient,
    request: hyper::Request<http_body_util::Full<Bytes>>,
) -> anyhow::Result<StreamTiming> {
    let sent = Instant::now();
    let response = client.request(request).await?;
    let status = response.status();
    let mut body = response.into_body();

    let mut first_byte = None;
    let mut first_token = None;
    let mut pending_line = Vec::new();
    let mut received = Vec::new();
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame?.into_data() else {
            continue;
        };
        if data.is_empty() {
            continue;
        }
        first_byte.get_or_insert_with(|| sent.elapsed());
        received.extend_from_slice(&data);

        pending_line.extend_from_slice(&data);
        while let Some(end) = pending_line.iter().position(|byte| *byte == b'\n') {
            let line: Vec<u8> = pending_line.drain(..=end).collect();
            if first_token.is_none() && carries_content_token(&line) {
                first_token = Some(sent.elapsed());
            }
        }
    }

    if status != StatusCode::OK {
        anyhow::bail!("returned {status}: {}", String::from_utf8_lossy(&received));
    }
    let first_byte = first_byte.context("the response body was empty")?;
    let first_token = first_token.with_context(|| {
        format!(
            "the stream carried no content token: {}",
            String::from_utf8_lossy(&received)
        )
    })?;
    Ok(StreamTiming {
        first_byte,
        first_token,
    })
}

/// Checks whether one server-sent event line is a chat chunk with a non-empty `delta.content`.
fn carries_content_token(line: &[u8]) -> bool {
    let Ok(line) = std::str::from_utf8(line) else {
        return false;
    };
    let Some(payload) = line.trim().strip_prefix("data:") else {
        return false;
    };
    let Ok(chunk) = serde_json::from_str::<Value>(payload.trim()) else {
        return false;
    };
    chunk["choices"][0]["delta"]["content"]
        .as_str()
        .is_some_and(|content| !content.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_chunk_is_a_token() {
        let line = br#"data: {"choices":[{"delta":{"content":"Hi"}}]}"#;
        assert!(carries_content_token(line));
    }

    #[test]
    fn role_chunk_is_not_a_token() {
        let line = br#"data: {"choices":[{"delta":{"role":"assistant","content":null}}]}"#;
        assert!(!carries_content_token(line));
    }

    #[test]
    fn empty_content_is_not_a_token() {
        let line = br#"data: {"choices":[{"delta":{"content":""}}]}"#;
        assert!(!carries_content_token(line));
    }

    #[test]
    fn done_marker_is_not_a_token() {
        assert!(!carries_content_token(b"data: [DONE]\n"));
        assert!(!carries_content_token(b"\n"));
    }
}
