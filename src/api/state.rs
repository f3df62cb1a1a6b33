use std::sync::Arc;

use super::prompt_log::PromptLog;
use super::served_settings::ServedSettings;
use crate::config::Settings;
use crate::gguf::MetadataCache;
use crate::pool::ModelPool;
use crate::proxy::UpstreamClient;
use crate::telemetry::Telemetry;

/// The shared state of every handler, cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub pool: ModelPool,
    pub upstream: UpstreamClient,
    /// GGUF headers of the model files, read once and cached.
    pub metadata: Arc<MetadataCache>,
    pub prompt_log: PromptLog,
    /// Idle TTLs and context sizes that requests set, for the listings to show.
    pub served: ServedSettings,
    /// Request figures, samples, alerts and the live feed of the management port.
    pub telemetry: Telemetry,
}
