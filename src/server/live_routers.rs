use std::sync::{Arc, Mutex};

use axum::{Extension, Router};

use crate::api::{AppState, lmstudio_router, ollama_router};
use crate::management::management_router;
use crate::reload::{LiveRouter, ReloadTrigger};
use crate::telemetry::ApiPort;

use super::api_port_layers;

pub(crate) const OPENAI_API: &str = "OpenAI and LM Studio";
pub(crate) const OLLAMA_API: &str = "Ollama";
pub(crate) const MANAGEMENT_API: &str = "management";

/// The router of each listener, replaced as a whole when the config is reloaded.
#[derive(Clone)]
pub(crate) struct LiveRouters {
    openai: LiveRouter,
    ollama: LiveRouter,
    management: LiveRouter,
    /// Reaches the reloader from `POST /api/config/reload`, once reloading runs.
    trigger: Arc<Mutex<Option<ReloadTrigger>>>,
}

impl LiveRouters {
    pub(crate) fn new(state: &AppState) -> Self {
        let trigger = Arc::new(Mutex::new(None));
        Self {
            openai: LiveRouter::new(api_port_layers(lmstudio_router(state.clone()), state, ApiPort::OpenAi)),
            ollama: LiveRouter::new(api_port_layers(ollama_router(state.clone()), state, ApiPort::Ollama)),
            management: LiveRouter::new(management_with_trigger(state, None)),
            trigger,
        }
    }

    /// Rebuilds every router around `state`, which carries the reloaded settings.
    pub(crate) fn replace_all(&self, state: &AppState) {
        let trigger = self.trigger.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone();
        self.openai.replace(api_port_layers(lmstudio_router(state.clone()), state, ApiPort::OpenAi));
        self.ollama.replace(api_port_layers(ollama_router(state.clone()), state, ApiPort::Ollama));
        self.management.replace(management_with_trigger(state, trigger));
    }

    /// Lets the management router trigger reloads, from now on.
    pub(crate) fn install_trigger(&self, trigger: &ReloadTrigger, state: &AppState) {
        *self.trigger.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(trigger.clone());
        self.management.replace(management_with_trigger(state, Some(trigger.clone())));
    }

    pub(crate) fn for_api(&self, api: &str) -> &LiveRouter {
        match api {
            OPENAI_API => &self.openai,
            OLLAMA_API => &self.ollama,
            _ => &self.management,
        }
    }
}

fn management_with_trigger(state: &AppState, trigger: Option<ReloadTrigger>) -> Router {
    match trigger {
        Some(trigger) => management_router(state.clone()).layer(Extension(trigger)),
        None => management_router(state.clone()),
    }
}
