//! Per-model serving settings that requests changed, for the listing endpoints to show.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// A model's idle time to live and context size as the last request set them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ServedSetting {
    /// Set by Ollama's `keep_alive`: `Some(None)` keeps the model loaded, `None` means the
    /// configured `ttl` still applies.
    pub idle_ttl: Option<Option<Duration>>,
    /// Set by Ollama's `options.num_ctx`: the context size, in tokens, of the model's last start
    /// request. `None` means the configured flags apply.
    pub context_size: Option<u64>,
}

/// Per-model [`ServedSetting`]s shared by the handlers of both API ports.
#[derive(Debug, Clone, Default)]
pub struct ServedSettings {
    models: Arc<RwLock<HashMap<Arc<str>, ServedSetting>>>,
}

impl ServedSettings {
    pub fn get(&self, model: &str) -> ServedSetting {
        let models = self.models.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        models.get(model).copied().unwrap_or_default()
    }

    pub fn set_idle_ttl(&self, model: &Arc<str>, ttl: Option<Duration>) {
        self.update(model, |setting| setting.idle_ttl = Some(ttl));
    }

    pub fn set_context_size(&self, model: &Arc<str>, context_size: Option<u64>) {
        self.update(model, |setting| setting.context_size = context_size);
    }

    fn update(&self, model: &Arc<str>, change: impl FnOnce(&mut ServedSetting)) {
        let mut models = self.models.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        change(models.entry(model.clone()).or_default());
    }
}
