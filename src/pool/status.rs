use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use serde::Serialize;

use crate::scheduler::ModelId;

/// A model's state as listing endpoints show it, read without asking the driver.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct ModelStatus {
    /// "stopped", "starting", "ready", "draining", "stopping", or "failed" (stopped after a
    /// failed start or a crash).
    pub state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// Why the last start failed or the process last crashed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

/// Latest [`ModelStatus`] of every model the pool has seen, shared with the HTTP handlers.
#[derive(Debug, Clone, Default)]
pub struct StatusBoard {
    models: Arc<RwLock<BTreeMap<ModelId, ModelStatus>>>,
}

impl StatusBoard {
    pub fn get(&self, model: &str) -> ModelStatus {
        let models = self.models.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        models.get(model).cloned().unwrap_or_else(|| ModelStatus {
            state: "stopped",
            ..ModelStatus::default()
        })
    }

    pub fn all(&self) -> BTreeMap<ModelId, ModelStatus> {
        self.models.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    pub(crate) fn set(&self, model: ModelId, status: ModelStatus) {
        let mut models = self.models.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        models.insert(model, status);
    }
}
