use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use serde::Serialize;
use tokio::sync::broadcast;

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
    /// Reason of the last failed start or the last crash.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

/// Status changes kept for subscribers that fall behind; older ones are dropped.
const CHANGES_KEPT: usize = 256;

/// A model whose [`ModelStatus`] changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    pub model: ModelId,
    pub previous: ModelStatus,
    pub status: ModelStatus,
}

/// Latest [`ModelStatus`] of every model the pool has seen, shared with the HTTP handlers.
#[derive(Debug, Clone)]
pub struct StatusBoard {
    models: Arc<RwLock<BTreeMap<ModelId, ModelStatus>>>,
    changes: broadcast::Sender<StatusChange>,
}

impl Default for StatusBoard {
    fn default() -> Self {
        Self {
            models: Arc::default(),
            changes: broadcast::channel(CHANGES_KEPT).0,
        }
    }
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

    /// Receives every later status change. A receiver that falls more than 256 changes behind
    /// gets `RecvError::Lagged` and should read [`all`](Self::all) again.
    pub fn subscribe(&self) -> broadcast::Receiver<StatusChange> {
        self.changes.subscribe()
    }

    pub(crate) fn set(&self, model: ModelId, status: ModelStatus) {
        let previous = {
            let mut models = self.models.write().unwrap_or_else(|poisoned| poisoned.into_inner());
            models.insert(model.clone(), status.clone())
        };
        let previous = previous.unwrap_or_else(|| ModelStatus {
            state: "stopped",
            ..ModelStatus::default()
        });
        if previous != status {
            // A send fails only when no subscriber exists, which is no error.
            let _ = self.changes.send(StatusChange { model, previous, status });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_sends_only_real_changes() {
        let board = StatusBoard::default();
        let mut changes = board.subscribe();
        let model: ModelId = Arc::from("m1");
        let starting = ModelStatus {
            state: "starting",
            ..ModelStatus::default()
        };

        board.set(model.clone(), starting.clone());
        board.set(model.clone(), starting.clone());

        let change = changes.try_recv().expect("one change");
        assert_eq!(change.previous.state, "stopped");
        assert_eq!(change.status, starting);
        assert!(changes.try_recv().is_err(), "an unchanged status sends nothing");
    }
}
