//! API keys: the management port, `/metrics` and the WebSocket accept any configured key; each
//! API port accepts its own. Keys are compared as SHA-256 digests in constant time and are
//! never logged.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use serde_json::json;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::telemetry::ApiPort;

/// The keys a listener accepts; none means no key is required.
#[derive(Debug, Clone, Default)]
pub struct ApiKeys {
    digests: Arc<[[u8; 32]]>,
}

impl ApiKeys {
    /// Keeps the configured keys; missing and empty ones are skipped.
    pub fn new<'a>(keys: impl IntoIterator<Item = Option<&'a str>>) -> Self {
        let digests: Vec<[u8; 32]> = keys.into_iter().flatten().filter(|key| !key.is_empty()).map(digest).collect();
        Self { digests: digests.into() }
    }

    pub fn is_required(&self) -> bool {
        !self.digests.is_empty()
    }

    /// True when `presented` equals one of the keys. Every key is compared, each in constant
    /// time over digests of equal length, so the time taken reveals nothing about the keys.
    pub fn accepts(&self, presented: &str) -> bool {
        let presented = digest(presented);
        let mut matched = subtle::Choice::from(0);
        for key in self.digests.iter() {
            matched |= key.ct_eq(&presented);
        }
        matched.into()
    }
}

fn digest(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}

/// Reason a request was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    Missing,
    Invalid,
}

impl Refusal {
    fn message(&self, query_allowed: bool) -> &'static str {
        match (self, query_allowed) {
            (Refusal::Missing, false) => "missing API key: send it as 'Authorization: Bearer <key>' or 'x-api-key: <key>'",
            (Refusal::Missing, true) => "missing API key: send it as 'Authorization: Bearer <key>', 'x-api-key: <key>' or the api_key query parameter",
            (Refusal::Invalid, _) => "invalid API key",
        }
    }
}

/// Checks the key of a request. With `query_allowed`, the `api_key` query parameter counts too.
fn check(keys: &ApiKeys, request: &Request, query_allowed: bool) -> Result<(), Refusal> {
    if !keys.is_required() {
        return Ok(());
    }
    let from_query = query_allowed.then(|| request.uri().query().and_then(api_key_parameter)).flatten();
    let presented = presented_key(request.headers()).or(from_query).ok_or(Refusal::Missing)?;
    if keys.accepts(&presented) { Ok(()) } else { Err(Refusal::Invalid) }
}

/// Returns the key from `Authorization: Bearer` or `x-api-key`.
fn presented_key(headers: &HeaderMap) -> Option<String> {
    let bearer = headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")))
        .map(|key| key.trim().to_owned());
    bearer.or_else(|| {
        headers
            .get("x-api-key")
            .and_then(|value| value.to_str().ok())
            .map(|key| key.trim().to_owned())
    })
}

/// Returns the percent-decoded value of `api_key` in a query string.
fn api_key_parameter(query: &str) -> Option<String> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(name, _)| *name == "api_key")
        .map(|(_, value)| percent_decode(value))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let hex = bytes.get(index + 1..index + 3).and_then(|pair| std::str::from_utf8(pair).ok());
        match (bytes[index], hex.and_then(|pair| u8::from_str_radix(pair, 16).ok())) {
            (b'%', Some(byte)) => {
                decoded.push(byte);
                index += 3;
            }
            (b'+', _) => {
                decoded.push(b' ');
                index += 1;
            }
            (byte, _) => {
                decoded.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

fn unauthorized(body: serde_json::Value) -> Response {
    let mut response = (StatusCode::UNAUTHORIZED, Json(body)).into_response();
    response.headers_mut().insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

/// Middleware of the management routes, which require a key when any key is configured. The
/// WebSocket upgrade at `/ws` also takes it from `?api_key=`, because browsers cannot set
/// headers on a WebSocket.
pub async fn require_management_key(State(keys): State<ApiKeys>, request: Request, next: Next) -> Response {
    let query_allowed = request.uri().path() == "/ws";
    match check(&keys, &request, query_allowed) {
        Ok(()) => next.run(request).await,
        Err(refusal) => {
            tracing::debug!(path = %request.uri().path(), reason = ?refusal, "management request rejected: missing or invalid API key");
            unauthorized(json!({"error": refusal.message(query_allowed)}))
        }
    }
}

/// The keys of one API port.
#[derive(Debug, Clone)]
pub struct ApiPortKeys {
    pub keys: ApiKeys,
    pub port: ApiPort,
}

/// Middleware of an API port: a key is required when the port has one, except for CORS
/// preflights (`OPTIONS`). The refusal is written in the route's dialect: `{"error": "…"}` on
/// Ollama's `/api/*` routes, OpenAI's error object everywhere else.
pub async fn require_api_port_key(State(port): State<ApiPortKeys>, request: Request, next: Next) -> Response {
    if request.method() == Method::OPTIONS {
        return next.run(request).await;
    }
    let Err(refusal) = check(&port.keys, &request, false) else {
        return next.run(request).await;
    };

    let path = request.uri().path();
    tracing::debug!(path = %path, reason = ?refusal, "API request rejected: missing or invalid API key");
    let message = refusal.message(false);
    let ollama_style = port.port == ApiPort::Ollama && (path.starts_with("/api/") || path == "/");
    if ollama_style {
        unauthorized(json!({"error": message}))
    } else {
        unauthorized(json!({"error": {"message": message, "type": "invalid_request_error", "param": null, "code": "invalid_api_key"}}))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_accept_only_configured_values() {
        let keys = ApiKeys::new([Some("alpha"), None, Some(""), Some("beta")]);
        assert!(keys.is_required());
        assert!(keys.accepts("alpha"));
        assert!(keys.accepts("beta"));
        assert!(!keys.accepts("alph"));
        assert!(!keys.accepts(""));
    }

    #[test]
    fn no_configured_key_requires_none() {
        assert!(!ApiKeys::new([None, Some("")]).is_required());
    }

    #[test]
    fn key_is_read_from_either_header() {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, HeaderValue::from_static("Bearer k1"));
        assert_eq!(presented_key(&headers).as_deref(), Some("k1"));

        let mut headers = HeaderMap::new();
        headers.insert("x-api-key", HeaderValue::from_static("k2"));
        assert_eq!(presented_key(&headers).as_deref(), Some("k2"));
    }

    #[test]
    fn query_key_is_percent_decoded() {
        assert_eq!(api_key_parameter("a=1&api_key=k%2B1%20x").as_deref(), Some("k+1 x"));
        assert_eq!(api_key_parameter("apikey=1"), None);
    }
}
