//! The embedded build output and the HTTP responses that serve it.

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, ETAG, IF_NONE_MATCH, X_CONTENT_TYPE_OPTIONS};
use http::{HeaderMap, HeaderValue, StatusCode};
use rust_embed::RustEmbed;

/// `dashboard/dist/` as it was at compile time. The `debug-embed` feature embeds it in debug
/// builds too, so tests serve exactly what a release binary serves. build.rs creates the folder
/// when it is missing and makes cargo rebuild when its contents change.
#[derive(RustEmbed)]
#[folder = "dashboard/dist/"]
#[allow_missing = true]
struct DashboardFiles;

/// Vite names every file under `assets/` after a hash of its content, so a browser may cache
/// them for a year. A browser revalidates `index.html` on each load, so a new binary shows at once.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

/// Same-origin only: the page loads its scripts and styles from this server and talks to it over
/// `fetch` and the WebSocket. Chart.js sets inline style attributes, hence `'unsafe-inline'`
/// for styles.
const PAGE_POLICY: &str = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
     connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/// Returns whether this binary contains a built dashboard.
pub fn is_built() -> bool {
    DashboardFiles::get("index.html").is_some()
}

/// Builds the response for the embedded file at `path` (relative to `dist/`), or returns None
/// when it is not embedded. Returns 304 when `If-None-Match` contains the file's current ETag.
pub(super) fn response_for(path: &str, request_headers: &HeaderMap) -> Option<Response> {
    let file = DashboardFiles::get(path)?;
    let etag = format!("\"{}\"", hex(&file.metadata.sha256_hash()));
    let cache_control = if path.starts_with("assets/") { IMMUTABLE } else { REVALIDATE };

    let unchanged = request_headers
        .get(IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.split(',').any(|candidate| candidate.trim() == etag));
    let mut response = if unchanged {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        Response::new(Body::from(file.data.into_owned()))
    };

    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(ETAG, value);
    }
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(cache_control));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if !unchanged {
        let mime = HeaderValue::from_str(file.metadata.mimetype())
            .unwrap_or(HeaderValue::from_static("application/octet-stream"));
        headers.insert(CONTENT_TYPE, mime);
    }
    if path == "index.html" {
        headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(PAGE_POLICY));
    }
    Some(response)
}

/// Builds a 404 in the management port's error shape, `{"error": "…"}`, for a missing dashboard file.
pub(super) fn not_found(path: &str) -> Response {
    let body = serde_json::json!({"error": format!("dashboard file not found: assets/{path}")});
    (StatusCode::NOT_FOUND, axum::Json(body)).into_response()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
