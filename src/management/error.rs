use axum::Json;
use axum::response::{IntoResponse, Response};
use http::{Method, StatusCode, Uri};

/// Management errors: `{"error": "…"}` with the status.
pub(crate) fn management_error(status: StatusCode, message: &str) -> Response {
    (status, Json(serde_json::json!({"error": message}))).into_response()
}

pub(crate) async fn not_found(method: Method, uri: Uri) -> Response {
    management_error(StatusCode::NOT_FOUND, &format!("unknown route: {method} {}", uri.path()))
}

pub(crate) async fn method_not_allowed(method: Method, uri: Uri) -> Response {
    management_error(
        StatusCode::METHOD_NOT_ALLOWED,
        &format!("method {method} is not allowed on {}", uri.path()),
    )
}
