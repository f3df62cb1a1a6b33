//! The memory check of `llama-runner check`: a model whose estimate exceeds the budget on its
//! own would be rejected on every request.

use std::path::Path;
use std::sync::OnceLock;

use super::budget::fits_budget;
use super::budget_config::MemoryBudgetConfig;
use super::estimator::Estimator;
use super::memory_placement::gpu_shares;
use super::system_memory::SystemMemory;
use crate::gguf::GgufFile;

/// Returns why the model at `model_path`, whose first part is parsed as `header`, could never
/// run within `config` when launched with `flags`. `None` when it fits or cannot be estimated
/// (other checks report unreadable files and invalid flags). Blocking: the first call reads
/// the machine's memory and GPUs.
pub fn budget_warning(model_path: &Path, header: &GgufFile, flags: &[String], config: &MemoryBudgetConfig) -> Option<String> {
    static SYSTEM: OnceLock<SystemMemory> = OnceLock::new();
    let system = SYSTEM.get_or_init(SystemMemory::read);

    let budget = config.resolve(system);
    let estimate = match Estimator::estimate_parsed(model_path, header, flags, &gpu_shares(system, Some(&budget))) {
        Ok(estimate) => estimate,
        Err(error) => {
            tracing::debug!(path = %model_path.display(), error = %error, "no memory estimate for the budget check");
            return None;
        }
    };
    fits_budget(&estimate.total, &budget)
        .err()
        .map(|reason| format!("the model will be rejected on every request: {reason}"))
}
