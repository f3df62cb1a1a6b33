//! `POST /echo`: a test helper that reports the size and SHA-256 of the body it received, so a
//! test can check that a proxy forwarded a body unchanged.

use axum::Json;
use axum::body::Bytes;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use sha2::{Digest, Sha256};

pub async fn echo(body: Bytes) -> Response {
    Json(json!({ "len": body.len(), "sha256": sha256_hex(&body) })).into_response()
}

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|byte| format!("{byte:02x}")).collect()
}
