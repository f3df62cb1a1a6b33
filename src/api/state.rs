use std::sync::Arc;

use crate::config::Settings;
use crate::pool::ModelPool;
use crate::proxy::UpstreamClient;

/// What every handler needs, cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub pool: ModelPool,
    pub upstream: UpstreamClient,
}
