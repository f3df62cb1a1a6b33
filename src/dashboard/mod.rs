//! The web dashboard on the management port: the page that Vite builds from `dashboard/` into
//! `dashboard/dist/`, embedded in the binary at compile time so nothing is fetched at run time.
//!
//! A binary built without `dashboard/dist/index.html` serves a short page at `/` that explains
//! how to build the dashboard.

mod assets;
mod missing_build;

use axum::Router;
use axum::extract::Path;
use axum::response::Response;
use axum::routing::get;
use http::HeaderMap;

pub use assets::is_built;

/// Builds the dashboard's routes: the page at `/` and `/index.html`, its files under `/assets/`.
/// The router is generic over the state so the management router can merge it before `with_state`.
pub fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    Router::new()
        .route("/", get(index))
        .route("/index.html", get(index))
        .route("/assets/{*path}", get(asset))
}

async fn index(headers: HeaderMap) -> Response {
    match assets::response_for("index.html", &headers) {
        Some(response) => response,
        None => missing_build::page(),
    }
}

async fn asset(Path(path): Path<String>, headers: HeaderMap) -> Response {
    match assets::response_for(&format!("assets/{path}"), &headers) {
        Some(response) => response,
        None => assets::not_found(&path),
    }
}

#[cfg(test)]
mod tests;
