use std::time::Duration;

use axum::body::Body;
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use http::HeaderMap;
use http::header::CONTENT_TYPE;

use super::error::ProxyError;

/// Maximum time spent reading and discarding the rest of an oversized body.
const DISCARD_TIME_LIMIT: Duration = Duration::from_secs(2);

/// Reads a JSON request body of at most `limit` bytes.
///
/// A missing Content-Type is accepted, and so is curl's default form type, because llama-server
/// reads such bodies as JSON too. `text/plain` is rejected as a bad request (400) and any other
/// non-JSON type as unsupported (415), both before the body is read.
/// The rest of an oversized body is read and discarded for a short while, so that the client
/// gets to read the 413 response instead of a broken pipe.
pub async fn read_json_body(headers: &HeaderMap, body: Body, limit: usize) -> Result<Bytes, ProxyError> {
    check_content_type(headers)?;
    read_any_body(body, limit).await
}

/// Reads a request body of any type, of at most `limit` bytes.
pub async fn read_any_body(body: Body, limit: usize) -> Result<Bytes, ProxyError> {
    let mut frames = body.into_data_stream();
    let mut collected = BytesMut::new();
    while let Some(chunk) = frames.next().await {
        let chunk = chunk.map_err(|error| ProxyError::BodyRead(error.to_string()))?;
        if collected.len() + chunk.len() > limit {
            let _ = tokio::time::timeout(DISCARD_TIME_LIMIT, async { while let Some(Ok(_)) = frames.next().await {} }).await;
            return Err(ProxyError::BodyTooLarge { limit });
        }
        collected.extend_from_slice(&chunk);
    }
    Ok(collected.freeze())
}

fn check_content_type(headers: &HeaderMap) -> Result<(), ProxyError> {
    let Some(value) = headers.get(CONTENT_TYPE) else {
        return Ok(());
    };
    let text = value.to_str().unwrap_or_default();
    let media_type = text.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let accepted = media_type == "application/json"
        || media_type.ends_with("+json")
        || media_type == "application/x-www-form-urlencoded";
    if accepted {
        Ok(())
    } else if media_type == "text/plain" {
        // Usually JSON sent under the wrong label: a bad request rather than another format.
        Err(ProxyError::MislabelledJson(text.to_owned()))
    } else {
        Err(ProxyError::UnsupportedContentType(text.to_owned()))
    }
}
