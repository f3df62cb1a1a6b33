//! System figures: CPU, memory, disks, network, processes and NVIDIA GPUs.

mod collector;
mod gpu;
pub mod rates;
mod sample;

pub use collector::{Collected, SystemCollector};
pub use sample::{DiskIo, DiskSpace, Gpu, Interface, Memory, ModelSample, Network, ProcessUsage, Swap, SystemSample};
