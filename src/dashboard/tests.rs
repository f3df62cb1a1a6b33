use axum::Router;
use axum::body::{Body, to_bytes};
use http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use http::{Request, StatusCode};
use tower::ServiceExt;

use super::{is_built, routes};

async fn get(path: &str, if_none_match: Option<&str>) -> http::Response<Body> {
    let app: Router = routes();
    let mut request = Request::get(path);
    if let Some(etag) = if_none_match {
        request = request.header(IF_NONE_MATCH, etag);
    }
    app.oneshot(request.body(Body::empty()).expect("request builds"))
        .await
        .expect("router answers")
}

async fn text(response: http::Response<Body>) -> String {
    let bytes = to_bytes(response.into_body(), 1 << 24).await.expect("body reads");
    String::from_utf8(bytes.to_vec()).expect("body is UTF-8")
}

/// Returns the first `assets/…` file that index.html references.
fn first_asset(index: &str) -> String {
    let start = index.find("assets/").expect("index.html references an asset");
    let end = index[start..].find('"').expect("asset path ends with a quote") + start;
    index[start..end].to_owned()
}

#[tokio::test]
async fn root_serves_page_or_build_hint() {
    let response = get("/", None).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()[CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
    assert_eq!(response.headers()[CACHE_CONTROL], "no-cache");

    let built = is_built();
    let has_policy = response.headers().contains_key(CONTENT_SECURITY_POLICY);
    let body = text(response).await;
    if built {
        assert!(body.contains(r#"<div id="app">"#), "unexpected index.html: {body}");
        assert!(has_policy);
    } else {
        assert!(body.contains("scripts/build-dashboard.sh"));
    }
}

#[tokio::test]
async fn built_assets_are_immutable() {
    if !is_built() {
        eprintln!("dashboard/dist was not built; only the build hint is served");
        return;
    }
    let index = text(get("/", None).await).await;
    let asset = first_asset(&index);

    let response = get(&format!("/{asset}"), None).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[CACHE_CONTROL], "public, max-age=31536000, immutable");
    let content_type = response.headers()[CONTENT_TYPE].to_str().unwrap().to_owned();
    assert!(
        content_type.contains("javascript") || content_type.contains("css"),
        "{asset} has content type {content_type}"
    );
}

#[tokio::test]
async fn matching_etag_returns_not_modified() {
    if !is_built() {
        eprintln!("dashboard/dist was not built; nothing to revalidate");
        return;
    }
    let first = get("/", None).await;
    let etag = first.headers()[ETAG].to_str().unwrap().to_owned();

    let second = get("/", Some(&etag)).await;
    assert_eq!(second.status(), StatusCode::NOT_MODIFIED);
    assert!(text(second).await.is_empty());

    let stale = get("/", Some("\"0000\"")).await;
    assert_eq!(stale.status(), StatusCode::OK);
}

#[tokio::test]
async fn missing_asset_is_json_not_found() {
    let response = get("/assets/no-such-file.js", None).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let body = text(response).await;
    assert!(body.contains("dashboard file not found: assets/no-such-file.js"), "{body}");
}

#[tokio::test]
async fn parent_paths_are_not_served() {
    let response = get("/assets/../../Cargo.toml", None).await;
    assert_ne!(response.status(), StatusCode::OK);
    let encoded = get("/assets/..%2F..%2FCargo.toml", None).await;
    assert_eq!(encoded.status(), StatusCode::NOT_FOUND);
}
