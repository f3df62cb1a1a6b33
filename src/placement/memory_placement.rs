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

        let gpus = gpu_shares(&system, budget.as_ref());
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

    /// Returns the estimated total and GPU bytes of `spec`, as Ollama's `size` and `size_vram`.
    /// For a running model the estimate of the launch it was last requested with is preferred.
    /// `None` when the model cannot be estimated.
    pub async fn estimated_sizes(self: &Arc<Self>, spec: Arc<ModelSpec>, running: bool) -> Option<(u64, u64)> {
        let estimate = match self.latest(&spec.id).filter(|_| running) {
            Some(latest) => latest,
            None => self.estimate_async(spec).await.ok()?,
        };
        Some((estimate.total.total(), estimate.total.gpu_total()))
    }

    /// Returns the estimate of the spec the model was last requested or listed with.
    pub fn latest(&self, model: &str) -> Option<Arc<MemoryEstimate>> {
        self.latest.lock().unwrap_or_else(PoisonError::into_inner).get(model).cloned()
    }
}

/// Returns the GPUs an estimate splits layers over: those NVML found, weighted by free memory,
/// and any other GPU the budget names (another vendor's), weighted by its limit.
pub(super) fn gpu_shares(system: &SystemMemory, budget: Option<&MemoryBudget>) -> Vec<GpuShare> {
    let mut gpus: Vec<GpuShare> = system
        .gpus
        .iter()
        .map(|gpu| GpuShare {
            device: Device::Gpu(gpu.index),
            weight: gpu.free,
        })
        .collect();
    for (device, limit) in budget.iter().flat_map(|budget| budget.limits()) {
        if device.is_gpu() && !gpus.iter().any(|gpu| gpu.device == device) {
            gpus.push(GpuShare { device, weight: limit });
        }
    }
    gpus.sort_by_key(|gpu| gpu.device);
    gpus
}
