//! NVIDIA GPUs through NVML, which is loaded from the driver's `libnvidia-ml` at run time.
//! Without the library, or without a GPU, the probe reports nothing and logs that once.

use std::collections::{BTreeMap, BTreeSet};

use nvml_wrapper::Nvml;
use nvml_wrapper::enum_wrappers::device::TemperatureSensor;
use nvml_wrapper::enums::device::UsedGpuMemory;

use super::sample::Gpu;

/// The result of one probe: every GPU, and the GPU memory held by each process.
#[derive(Debug, Default)]
pub struct GpuReading {
    pub gpus: Vec<Gpu>,
    pub memory_by_pid: BTreeMap<u32, u64>,
}

/// Reads NVIDIA GPUs, loading NVML on first use.
#[derive(Default)]
pub struct GpuProbe {
    nvml: Option<Nvml>,
    tried: bool,
    /// Figures that failed once, so each failure is logged once.
    failures_logged: BTreeSet<&'static str>,
}

impl GpuProbe {
    /// Returns `None` when NVML is not available or finds no GPU.
    pub fn read(&mut self) -> Option<GpuReading> {
        if !self.tried {
            self.tried = true;
            self.nvml = match Nvml::init() {
                Ok(nvml) => Some(nvml),
                Err(error) => {
                    tracing::info!(error = %error, "no NVIDIA GPU figures: NVML is not available");
                    None
                }
            };
        }
        let nvml = self.nvml.as_ref()?;

        let count = match nvml.device_count() {
            Ok(count) => count,
            Err(error) => {
                log_once(&mut self.failures_logged, "device_count", &error);
                return None;
            }
        };
        if count == 0 {
            return None;
        }

        let mut reading = GpuReading::default();
        for index in 0..count {
            let device = match nvml.device_by_index(index) {
                Ok(device) => device,
                Err(error) => {
                    log_once(&mut self.failures_logged, "device_by_index", &error);
                    continue;
                }
            };
            let failures = &mut self.failures_logged;
            let memory = ok_or_log(failures, "memory_info", device.memory_info());
            reading.gpus.push(Gpu {
                index,
                name: ok_or_log(failures, "name", device.name()).unwrap_or_default(),
                utilization_percent: ok_or_log(failures, "utilization_rates", device.utilization_rates())
                    .map(|rates| f64::from(rates.gpu)),
                memory_used: memory.as_ref().map(|memory| memory.used),
                memory_total: memory.as_ref().map(|memory| memory.total),
                temperature_celsius: ok_or_log(failures, "temperature", device.temperature(TemperatureSensor::Gpu))
                    .map(f64::from),
                // NVML reports milliwatts.
                power_watts: ok_or_log(failures, "power_usage", device.power_usage()).map(|milliwatts| f64::from(milliwatts) / 1000.0),
            });

            let processes = ok_or_log(failures, "running_compute_processes", device.running_compute_processes());
            for process in processes.unwrap_or_default() {
                if let UsedGpuMemory::Used(bytes) = process.used_gpu_memory {
                    *reading.memory_by_pid.entry(process.pid).or_default() += bytes;
                }
            }
        }
        Some(reading)
    }
}

fn ok_or_log<T>(logged: &mut BTreeSet<&'static str>, figure: &'static str, result: Result<T, nvml_wrapper::error::NvmlError>) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(error) => {
            log_once(logged, figure, &error);
            None
        }
    }
}

fn log_once(logged: &mut BTreeSet<&'static str>, figure: &'static str, error: &dyn std::fmt::Display) {
    if logged.insert(figure) {
        tracing::info!(figure, error = %error, "cannot read a GPU figure through NVML; it stays absent");
    }
}
