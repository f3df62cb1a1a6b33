//! The service side of placement: the resolved budget, the GPUs that estimates split layers
//! over, and the latest estimate of each model.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use super::budget::MemoryBudget;
use super::budget_config::MemoryBudgetConfig;
use super::device::Device;
use super::error::EstimateError;
use super::estimate::MemoryEstimate;
use super::estimator::Estimator;
use super::layer_devices::GpuShare;
use super::system_memory::SystemMemory;
use crate::config::ModelSpec;

/// Shared by the pool, which places models, and the listing endpoints, which show estimates.
#[derive(Debug, Default)]
pub struct MemoryPlacement {
    budget: Option<MemoryBudget>,
    gpus: Vec<GpuShare>,
    estimator: Estimator,
    latest: Mutex<HashMap<Arc<str>, Arc<MemoryEstimate>>>,
}

impl MemoryPlacement {
    /// No budget and no GPUs: estimates put everything on the CPU and only the count limits.
    pub fn unlimited() -> Self {
        MemoryPlacement::default()
    }

    /// Reads the machine's memory and GPUs and resolves `config` against them. Blocking.
    pub fn from_config(config: Option<&MemoryBudgetConfig>) -> Self {
        let system = SystemMemory::read();
        let budget = config.map(|config| config.resolve(&system));
        match &budget {
            Some(budget) => tracing::info!(budget = %budget, gpus = system.gpus.len(), "memory budget set"),
            None => tracing::debug!(gpus = system.gpus.len(), "no memory budget: only concurrentRunners limits models"),
        }

        let mut gpus: Vec<GpuShare> = system
            .gpus
            .iter()
            .map(|gpu| GpuShare {
                device: Device::Gpu(gpu.index),
                weight: gpu.free,
            })
            .collect();
        // A budgeted GPU that NVML does not see (another vendor's) still takes layers.
        for device in budget.iter().flat_map(MemoryBudget::gpus) {
            if !gpus.iter().any(|gpu| gpu.device == device) {
                let weight = budget.as_ref().and_then(|budget| budget.limit(device)).unwrap_or(1);
                gpus.push(GpuShare { device, weight });
            }
        }
        gpus.sort_by_key(|gpu| gpu.device);
        MemoryPlacement::new(budget, gpus)
    }

    pub fn new(budget: Option<MemoryBudget>, gpus: Vec<GpuShare>) -> Self {
        MemoryPlacement {
            budget,
            gpus,
            estimator: Estimator::default(),
            latest: Mutex::default(),
        }
    }

    pub fn budget(&self) -> Option<&MemoryBudget> {
        self.budget.as_ref()
    }

    /// Estimates `spec` and remembers it as the model's latest estimate. Blocking: the first
    /// estimate of a file reads its header.
    pub fn estimate(&self, spec: &ModelSpec) -> Result<Arc<MemoryEstimate>, EstimateError> {
        let estimate = Arc::new(self.estimator.estimate(&spec.model_path, &spec.flags, &self.gpus)?);
        self.latest
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(spec.id.clone(), estimate.clone());
        Ok(estimate)
    }

    /// [`estimate`](Self::estimate) on a blocking thread.
    pub async fn estimate_async(self: &Arc<Self>, spec: Arc<ModelSpec>) -> Result<Arc<MemoryEstimate>, EstimateError> {
        let placement = self.clone();
        let model = spec.id.clone();
        let joined = tokio::task::spawn_blocking(move || placement.estimate(&spec)).await;
        joined.unwrap_or_else(|error| {
            tracing::error!(model = %model, error = %error, "the memory estimate task failed");
            Err(EstimateError::Interrupted)
        })
    }

    /// The estimate of the spec the model was last requested or listed with.
    pub fn latest(&self, model: &str) -> Option<Arc<MemoryEstimate>> {
        self.latest.lock().unwrap_or_else(PoisonError::into_inner).get(model).cloned()
    }
}
