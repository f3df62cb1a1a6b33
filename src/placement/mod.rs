//! Memory-aware placement: estimating what a llama-server process will use on each device, and
//! the memory budget that the scheduler keeps the running models within.
//!
//! The estimate reads the GGUF header and the launch flags; [`estimate_memory`] is pure and
//! [`MemoryPlacement`] adds the file reads, the machine's GPUs and the configured budget.
//! docs/memory.md describes the formula and its measured error.

mod budget;
mod budget_check;
mod budget_config;
mod cache_type;
mod compute;
mod device;
mod error;
mod estimate;
mod estimator;
mod footprint;
mod kv_cache;
mod launch_options;
mod layer_devices;
mod memory_placement;
mod model_shape;
mod process_memory;
mod swa;
mod system_memory;
mod tensor_override;
mod weights;

#[cfg(test)]
mod test_shapes;

pub use budget::{MemoryBudget, fits_budget};
pub use budget_check::budget_warning;
pub use budget_config::{AutoBudget, BudgetMode, MemoryBudgetConfig};
pub use cache_type::CacheType;
pub use device::Device;
pub use error::EstimateError;
pub use estimate::{MemoryEstimate, estimate_memory};
pub use estimator::Estimator;
pub use footprint::{Footprint, format_bytes};
pub use launch_options::{GpuLayers, LaunchOptions, LaunchOptionsError};
pub use layer_devices::GpuShare;
pub use memory_placement::MemoryPlacement;
pub use model_shape::{ModelShape, TensorShape};
pub use process_memory::{MemoryMeasurement, resident_bytes};
pub use system_memory::{GpuMemory, SystemMemory};
