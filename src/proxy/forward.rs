use std::time::Duration;

use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use http::header::{self, HeaderValue};
use http::{HeaderMap, Method, Uri};
use http_body_util::{BodyExt, Full};
use tokio::time::Instant;

use super::error::ProxyError;
use super::hop_headers::forwarded_headers;
use super::leased_body::{FailureStyle, LeasedBody, StreamTimers};
use super::upstream_client::{UpstreamClient, upstream_client_with_connect_timeout};
use crate::breaker::FailureKind;
use crate::pool::Lease;
use crate::telemetry::RequestRecorder;

/// Sends the request to the leased model process and returns its response, whose body streams
/// through unbuffered and keeps the lease until it ends.
///
/// The upstream's outcome is recorded on the lease's circuit breaker permit: refused
/// connections, 5xx responses, resets and timeouts count as failures, a complete 2xx or 3xx response
/// as a success, and 4xx responses or a client that leaves count neither way.
///
/// Inside a [`crate::telemetry::RequestScope`] the exchange is also recorded: its status,
/// timing and the token figures of the response's `timings`, read without delaying any chunk.
pub async fn forward(
    client: &UpstreamClient,
    mut lease: Lease,
    method: Method,
    path_and_query: &str,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Response, ProxyError> {
    let started = Instant::now();
    let mut recorder = RequestRecorder::begin(&lease.model);
    let timeouts = lease.timeouts;
    let client = upstream_client_with_connect_timeout(client, timeouts.connect);
    let total_deadline = timeouts.total.map(|limit| started + limit);
    let first_byte_deadline = earliest(timeouts.first_byte.map(|limit| started + limit), total_deadline);
    let fired = |at: Instant| fired_timeout(at, total_deadline, timeouts.first_byte, timeouts.total);

    let uri: Uri = format!("http://127.0.0.1:{}{}", lease.port, path_and_query)
        .parse()
        .map_err(|error: http::uri::InvalidUri| ProxyError::BodyRead(error.to_string()))?;
    let mut request = http::Request::builder()
        .method(method)
        .uri(uri)
        .body(Full::new(body))
        .map_err(|error| ProxyError::BodyRead(error.to_string()))?;
    *request.headers_mut() = forwarded_headers(headers);

    let response = match until(first_byte_deadline, client.request(request)).await {
        Some(Ok(response)) => response,
        Some(Err(error)) => {
            let kind = if error.is_connect() { FailureKind::ConnectionRefused } else { FailureKind::ResetMidStream };
            lease.fail(kind, error.to_string());
            let error = ProxyError::Upstream {
                model: lease.model.to_string(),
                message: error.to_string(),
            };
            return Err(record_failure(recorder, error));
        }
        None => return Err(record_failure(recorder, timed_out(&mut lease, fired(Instant::now())))),
    };

    let (mut parts, mut upstream_body) = response.into_parts();
    if let Some(recorder) = recorder.as_mut() {
        recorder.response_started(parts.status.as_u16(), is_event_stream(&parts.headers));
    }
    if parts.status.is_server_error() {
        lease.fail(FailureKind::UpstreamStatus(parts.status.as_u16()), format!("llama-server returned {}", parts.status));
    }

    // With a first-byte timeout the first body frame must arrive before the client gets the
    // status line, so that a timeout can still get a 504.
    let mut first_frame = None;
    if let Some(deadline) = first_byte_deadline {
        match until(Some(deadline), upstream_body.frame()).await {
            Some(frame) => first_frame = frame,
            None => return Err(record_failure(recorder, timed_out(&mut lease, fired(Instant::now())))),
        }
    }

    let event_stream = is_event_stream(&parts.headers);
    parts.headers = forwarded_headers(&parts.headers);
    if let Some(length) = http_body::Body::size_hint(&upstream_body).exact() {
        parts.headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    }

    let failure_style = if event_stream {
        parts.headers.remove(header::CONTENT_LENGTH);
        parts.headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        parts.headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
        if path_and_query.starts_with("/v1/messages") {
            FailureStyle::AnthropicEvent
        } else {
            FailureStyle::ServerSentEvent
        }
    } else {
        FailureStyle::Abort
    };

    let timers = StreamTimers::new(timeouts.idle, total_deadline.zip(timeouts.total));
    let counts_as_success = parts.status.is_success() || parts.status.is_redirection();
    let body = LeasedBody::new(upstream_body, first_frame, lease, failure_style, timers, counts_as_success).with_recorder(recorder);
    Ok(Response::from_parts(parts, Body::new(body)))
}

/// Records a failed exchange, if it is being recorded, and returns the error.
fn record_failure(recorder: Option<RequestRecorder>, error: ProxyError) -> ProxyError {
    if let Some(recorder) = recorder {
        recorder.fail(error.status().as_u16(), error.to_string());
    }
    error
}

/// Runs `future` until `deadline`; `None` when the deadline passed first.
async fn until<F: std::future::Future>(deadline: Option<Instant>, future: F) -> Option<F::Output> {
    match deadline {
        Some(deadline) => tokio::time::timeout_at(deadline, future).await.ok(),
        None => Some(future.await),
    }
}

fn earliest(first: Option<Instant>, second: Option<Instant>) -> Option<Instant> {
    match (first, second) {
        (Some(first), Some(second)) => Some(first.min(second)),
        (first, second) => first.or(second),
    }
}

/// Returns the timeout that fired at `now`, with its limit: the total one once its deadline has
/// passed.
fn fired_timeout(
    now: Instant,
    total_deadline: Option<Instant>,
    first_byte: Option<Duration>,
    total: Option<Duration>,
) -> (&'static str, Duration) {
    match (total_deadline, total) {
        (Some(deadline), Some(limit)) if now >= deadline => ("total", limit),
        _ => ("first byte", first_byte.or(total).unwrap_or_default()),
    }
}

fn timed_out(lease: &mut Lease, (which, limit): (&'static str, Duration)) -> ProxyError {
    let error = ProxyError::Timeout {
        model: lease.model.to_string(),
        which,
        seconds: limit.as_secs(),
    };
    lease.fail(FailureKind::Timeout(which), error.to_string());
    error
}

fn is_event_stream(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/event-stream"))
}
