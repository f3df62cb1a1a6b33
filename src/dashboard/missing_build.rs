//! The page served at `/` by a binary that was compiled without the built dashboard.

use axum::response::{Html, IntoResponse, Response};
use http::HeaderValue;
use http::header::CACHE_CONTROL;

const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>llama-runner: dashboard not built</title>
</head>
<body style="font-family: system-ui, sans-serif; max-width: 42rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5">
<h1>The dashboard is not built into this binary</h1>
<p>llama-runner embeds the dashboard when it is compiled, and this binary was compiled without
<code>dashboard/dist/</code>. The management API under <code>/api/</code> and the WebSocket at
<code>/ws</code> work as usual.</p>
<p>To add the dashboard, install Node.js 20.19 or newer with npm, then run from the repository:</p>
<pre>scripts/build-dashboard.sh
cargo build --release</pre>
</body>
</html>
"#;

pub(super) fn page() -> Response {
    let mut response = Html(PAGE).into_response();
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

#[cfg(test)]
mod tests {
    use super::PAGE;

    #[test]
    fn page_names_the_build_script() {
        assert!(PAGE.contains("scripts/build-dashboard.sh"));
        assert!(PAGE.contains("cargo build"));
    }
}
