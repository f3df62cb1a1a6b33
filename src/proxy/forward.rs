use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use http::header::{self, HeaderValue};
use http::{HeaderMap, Method, Uri};
use http_body_util::Full;

use super::error::ProxyError;
use super::hop_headers::forwarded_headers;
use super::leased_body::{FailureStyle, LeasedBody};
use super::upstream_client::UpstreamClient;
use crate::pool::Lease;

/// Sends the request to the leased model process and returns its response, whose body streams
/// through unbuffered and keeps the lease until it ends.
pub async fn forward(
    client: &UpstreamClient,
    lease: Lease,
    method: Method,
    path_and_query: &str,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Response, ProxyError> {
    let uri: Uri = format!("http://127.0.0.1:{}{}", lease.port, path_and_query)
        .parse()
        .map_err(|error: http::uri::InvalidUri| ProxyError::BodyRead(error.to_string()))?;

    let mut request = http::Request::builder()
        .method(method)
        .uri(uri)
        .body(Full::new(body))
        .map_err(|error| ProxyError::BodyRead(error.to_string()))?;
    *request.headers_mut() = forwarded_headers(headers);

    let response = client.request(request).await.map_err(|error| ProxyError::Upstream {
        model: lease.model.to_string(),
        message: error.to_string(),
    })?;

    let (mut parts, upstream_body) = response.into_parts();
    let event_stream = is_event_stream(&parts.headers);
    parts.headers = forwarded_headers(&parts.headers);
    if let Some(length) = upstream_content_length(&upstream_body) {
        parts.headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    }

    let failure_style = if event_stream {
        parts.headers.remove(header::CONTENT_LENGTH);
        parts.headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        parts.headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
        FailureStyle::ServerSentEvent
    } else {
        FailureStyle::Abort
    };

    let body = LeasedBody::new(upstream_body, lease, failure_style);
    Ok(Response::from_parts(parts, Body::new(body)))
}

fn is_event_stream(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/event-stream"))
}

fn upstream_content_length(body: &hyper::body::Incoming) -> Option<u64> {
    http_body::Body::size_hint(body).exact()
}
