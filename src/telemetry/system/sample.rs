//! The figures of one system sample, in the shape the WebSocket and `GET /api/metrics` send.
//! Sizes are bytes and rates are per second.

use serde::Serialize;

/// The machine, llama-runner itself and the GPUs at one instant.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SystemSample {
    /// Milliseconds since the Unix epoch.
    pub ts: u64,
    /// Busy share of all cores together since the previous sample, 0 to 100.
    pub cpu_percent: f64,
    pub cpu_per_core: Vec<f64>,
    /// Load average over 1, 5 and 15 minutes; zeros where the system has none.
    pub load_average: [f64; 3],
    pub memory: Memory,
    pub swap: Swap,
    pub disks: Vec<DiskSpace>,
    pub disk_io: DiskIo,
    pub network: Network,
    pub process_count: u64,
    pub runner: ProcessUsage,
    /// Present only when NVML loaded and found at least one NVIDIA GPU.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gpus: Option<Vec<Gpu>>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Memory {
    pub total: u64,
    pub used: u64,
    pub available: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Swap {
    pub total: u64,
    pub used: u64,
}

/// One mounted file system.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DiskSpace {
    pub mount: String,
    pub total: u64,
    pub used: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct DiskIo {
    pub read_bytes_per_second: f64,
    pub write_bytes_per_second: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Network {
    pub rx_bytes_per_second: f64,
    pub tx_bytes_per_second: f64,
    pub interfaces: Vec<Interface>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Interface {
    pub name: String,
    pub rx_bytes_per_second: f64,
    pub tx_bytes_per_second: f64,
}

/// CPU and memory of one process.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct ProcessUsage {
    /// Share of one core since the previous sample: 250 means two and a half cores.
    pub cpu_percent: f64,
    /// Resident set size.
    pub rss: u64,
}

/// One NVIDIA GPU; a figure NVML could not read is absent.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Gpu {
    pub index: u32,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub utilization_percent: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_used: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_total: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temperature_celsius: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub power_watts: Option<f64>,
}

impl Gpu {
    /// Memory in use as a share of the total, 0 to 100.
    pub fn memory_percent(&self) -> Option<f64> {
        match (self.memory_used, self.memory_total) {
            (Some(used), Some(total)) if total > 0 => Some(super::rates::percent(used, total)),
            _ => None,
        }
    }
}

/// One model at the time of a system sample.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ModelSample {
    pub ts: u64,
    pub state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_percent: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rss: Option<u64>,
    /// GPU memory the model's process holds, when NVML reports it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gpu_memory: Option<u64>,
    pub in_flight: usize,
    pub queued: usize,
    /// Speed of the model's latest request that reported one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generation_tokens_per_second: Option<f64>,
}
