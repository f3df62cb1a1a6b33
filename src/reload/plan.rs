//! What a config reload changes, computed from the old and new settings alone.

use std::sync::Arc;

use crate::config::Settings;

/// The differences between two configs that the running service must act on.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ReloadPlan {
    /// Models that are new; they become available with the new settings.
    pub added: Vec<Arc<str>>,
    /// Models that are gone; each stops once its requests in flight finish.
    pub removed: Vec<Arc<str>>,
    /// Models whose process would start differently; each restarts once idle.
    pub relaunched: Vec<Arc<str>>,
    /// Models whose idle TTL changed, with the new TTL.
    pub ttl_changed: Vec<Arc<str>>,
    /// Models whose circuit breaker settings changed.
    pub breaker_changed: Vec<Arc<str>>,
    /// Whether the API or management listeners must be bound again.
    pub listeners_changed: bool,
    /// Settings that only take effect after a restart of llama-runner, by config key.
    pub needs_restart: Vec<&'static str>,
}

impl ReloadPlan {
    pub fn between(old: &Settings, new: &Settings) -> Self {
        let mut plan = ReloadPlan::default();

        for (id, new_spec) in &new.models {
            match old.models.get(id) {
                None => plan.added.push(id.clone()),
                Some(old_spec) => {
                    if !old_spec.same_launch(new_spec) {
                        plan.relaunched.push(id.clone());
                    }
                    if old_spec.ttl != new_spec.ttl {
                        plan.ttl_changed.push(id.clone());
                    }
                    if old_spec.breaker != new_spec.breaker {
                        plan.breaker_changed.push(id.clone());
                    }
                }
            }
        }
        plan.removed = old.models.keys().filter(|id| !new.models.contains_key(*id)).cloned().collect();

        plan.listeners_changed = old.host != new.host
            || old.proxies.lmstudio.enabled != new.proxies.lmstudio.enabled
            || old.proxies.ollama.enabled != new.proxies.ollama.enabled
            || old.proxies.lmstudio_port() != new.proxies.lmstudio_port()
            || old.proxies.ollama_port() != new.proxies.ollama_port()
            || old.dashboard.enabled != new.dashboard.enabled
            || old.dashboard.host != new.dashboard.host
            || old.dashboard.port != new.dashboard.port;

        if old.concurrent_runners != new.concurrent_runners {
            plan.needs_restart.push("concurrentRunners");
        }
        if old.memory_budget != new.memory_budget {
            plan.needs_restart.push("memoryBudget");
        }
        if old.health_check_timeout != new.health_check_timeout || old.stop_grace != new.stop_grace {
            plan.needs_restart.push("healthCheckTimeout/stopGraceSeconds");
        }
        plan
    }

    pub fn is_empty(&self) -> bool {
        *self == ReloadPlan::default()
    }
}
