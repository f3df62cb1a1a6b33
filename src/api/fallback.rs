use axum::response::Response;
use http::{Method, StatusCode, Uri};

use super::openai::openai_error;

pub(crate) async fn openai_not_found(method: Method, uri: Uri) -> Response {
    openai_error(
        StatusCode::NOT_FOUND,
        &format!("unknown route: {method} {}", uri.path()),
        "invalid_request_error",
        "route_not_found",
    )
}

pub(crate) async fn openai_method_not_allowed(method: Method, uri: Uri) -> Response {
    openai_error(
        StatusCode::METHOD_NOT_ALLOWED,
        &format!("method {method} is not allowed on {}", uri.path()),
        "invalid_request_error",
        "method_not_allowed",
    )
}
