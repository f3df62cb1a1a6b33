//! A router that can be replaced while it serves, so that a reload changes what new requests
//! see without closing connections. Requests in flight finish on the router they started on.

use std::convert::Infallible;
use std::sync::Arc;

use arc_swap::ArcSwap;
use axum::Router;
use axum::extract::Request;
use axum::response::Response;
use tower::ServiceExt;

#[derive(Clone)]
pub struct LiveRouter {
    current: Arc<ArcSwap<Router>>,
}

impl LiveRouter {
    pub fn new(router: Router) -> Self {
        Self {
            current: Arc::new(ArcSwap::from_pointee(router)),
        }
    }

    pub fn replace(&self, router: Router) {
        self.current.store(Arc::new(router));
    }

    /// Makes this router serve what `other` serves now.
    pub fn replace_from(&self, other: &LiveRouter) {
        self.current.store(other.current.load_full());
    }

    /// A router to hand to `axum::serve`, which sends each request to the current router.
    pub fn serving_router(&self) -> Router {
        let current = self.current.clone();
        Router::new().fallback_service(tower::service_fn(move |request: Request| {
            let router = Router::clone(&current.load());
            async move { Ok::<Response, Infallible>(router.oneshot(request).await.into_response_infallible()) }
        }))
    }
}

trait IntoResponseInfallible {
    fn into_response_infallible(self) -> Response;
}

impl IntoResponseInfallible for Result<Response, Infallible> {
    fn into_response_infallible(self) -> Response {
        match self {
            Ok(response) => response,
            Err(never) => match never {},
        }
    }
}
