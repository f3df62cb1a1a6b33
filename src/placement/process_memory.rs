//! Measured memory of a running model process: its resident set from `/proc/PID/status` and,
//! with an NVIDIA GPU, its GPU memory from NVML.

use std::sync::OnceLock;

use nvml_wrapper::Nvml;
use nvml_wrapper::enums::device::UsedGpuMemory;
use serde::Serialize;

use super::device::Device;
use super::estimate::MemoryEstimate;
use super::footprint::Footprint;

/// A process's measured memory, compared with the estimate of its launch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemoryMeasurement {
    pub pid: u32,
    /// `VmRSS`: resident pages, file-backed model pages included. `None` where `/proc` is
    /// missing or the process is gone.
    pub rss_bytes: Option<u64>,
    /// GPU memory per GPU as NVML reports it; empty without NVML.
    pub gpu: Footprint,
    /// `(estimate − measured) / measured` for the CPU, in percent: positive when the estimate
    /// is larger.
    pub cpu_error_percent: Option<f64>,
}

impl MemoryMeasurement {
    /// Measures `pid` and compares it with `estimate`. Blocking: reads `/proc` and queries NVML.
    pub fn of(pid: u32, estimate: Option<&MemoryEstimate>) -> MemoryMeasurement {
        let rss_bytes = resident_bytes(pid);
        let cpu_error_percent = match (rss_bytes, estimate) {
            (Some(rss), Some(estimate)) if rss > 0 => {
                let estimated = estimate.total.bytes(Device::Cpu) as f64;
                Some((estimated - rss as f64) / rss as f64 * 100.0)
            }
            _ => None,
        };
        MemoryMeasurement {
            pid,
            rss_bytes,
            gpu: gpu_bytes(pid),
            cpu_error_percent,
        }
    }
}

/// Reads `VmRSS` of `pid` in bytes.
pub fn resident_bytes(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    parse_vm_rss(&status)
}

fn parse_vm_rss(status: &str) -> Option<u64> {
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    let kibibytes: u64 = line.trim_start_matches("VmRSS:").trim().trim_end_matches("kB").trim().parse().ok()?;
    kibibytes.checked_mul(1024)
}

/// GPU memory NVML attributes to `pid`, per GPU.
fn gpu_bytes(pid: u32) -> Footprint {
    static NVML: OnceLock<Option<Nvml>> = OnceLock::new();
    let Some(nvml) = NVML.get_or_init(|| Nvml::init().ok()) else {
        return Footprint::new();
    };

    let mut used = Footprint::new();
    let count = nvml.device_count().unwrap_or(0);
    for index in 0..count {
        let processes = nvml.device_by_index(index).and_then(|device| device.running_compute_processes());
        for process in processes.unwrap_or_default() {
            if let (true, UsedGpuMemory::Used(bytes)) = (process.pid == pid, process.used_gpu_memory) {
                used.add(Device::Gpu(index), bytes);
            }
        }
    }
    used
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vm_rss_is_read_in_bytes() {
        let status = "Name:\tllama-server\nVmHWM:\t  345408 kB\nVmRSS:\t  339360 kB\nThreads:\t3\n";
        assert_eq!(parse_vm_rss(status), Some(339_360 * 1024));
        assert_eq!(parse_vm_rss("Name:\tx\n"), None);
    }

    #[test]
    fn own_process_has_a_resident_set() {
        let measured = MemoryMeasurement::of(std::process::id(), None);
        if cfg!(target_os = "linux") {
            assert!(measured.rss_bytes.is_some_and(|bytes| bytes > 0));
        }
        assert_eq!(measured.cpu_error_percent, None);
    }
}
