//! Compares each model's estimated memory use with `memoryBudget`, for `llama-runner check`.

use super::model_source::ModelSource;
use super::parameters::launch_arguments;
use super::problem::ConfigProblem;
use crate::gguf::GgufFile;
use crate::placement::{MemoryBudgetConfig, budget_warning};

/// Warns when the model, launched with its `parameters`, could never fit `budget` even alone.
/// `path` is the JSON path that problems about the model's file name; `header` is its parsed
/// GGUF header. Invalid parameters are reported by the other checks, so they add nothing here.
pub(crate) fn memory_budget_problems(
    path: &str,
    source: &ModelSource,
    header: &GgufFile,
    budget: Option<&MemoryBudgetConfig>,
) -> Vec<ConfigProblem> {
    let (Some(budget), Some(model_path)) = (budget, source.entry.model_path.as_deref()) else {
        return Vec::new();
    };
    let Ok(arguments) = launch_arguments(&source.entry.parameters) else {
        return Vec::new();
    };

    budget_warning(model_path, header, &arguments.flags, budget)
        .map(|warning| vec![ConfigProblem::warning(path, format!("model '{}': {warning}", source.display_name))])
        .unwrap_or_default()
}
