//! System and GPU gauges, from the latest system sample.

use std::fmt;

use prometheus_client::encoding::DescriptorEncoder;

use super::scrape::{Labels, gauges, scalar};
use crate::telemetry::system::{Gpu, SystemSample};

pub(super) fn encode_system(encoder: &mut DescriptorEncoder, system: &SystemSample) -> fmt::Result {
    let labelled = |pairs: &[(&'static str, &str)]| -> Labels { pairs.iter().map(|(key, value)| (*key, (*value).to_owned())).collect() };

    scalar(encoder, "system_cpu_usage_percent", "Busy share of all CPU cores", system.cpu_percent)?;
    let cores = system
        .cpu_per_core
        .iter()
        .enumerate()
        .map(|(core, usage)| (vec![("core", core.to_string())], *usage))
        .collect();
    gauges(encoder, "system_cpu_core_usage_percent", "Busy share of each CPU core", cores)?;
    let [one, five, fifteen] = system.load_average;
    gauges(
        encoder,
        "system_load_average",
        "Load average over 1, 5 and 15 minutes",
        vec![(labelled(&[("period", "1m")]), one), (labelled(&[("period", "5m")]), five), (labelled(&[("period", "15m")]), fifteen)],
    )?;
    gauges(
        encoder,
        "system_memory_bytes",
        "Memory: total, used and available",
        vec![
            (labelled(&[("kind", "total")]), system.memory.total as f64),
            (labelled(&[("kind", "used")]), system.memory.used as f64),
            (labelled(&[("kind", "available")]), system.memory.available as f64),
        ],
    )?;
    gauges(
        encoder,
        "system_swap_bytes",
        "Swap: total and used",
        vec![
            (labelled(&[("kind", "total")]), system.swap.total as f64),
            (labelled(&[("kind", "used")]), system.swap.used as f64),
        ],
    )?;
    let disks = system
        .disks
        .iter()
        .flat_map(|disk| {
            [("total", disk.total), ("used", disk.used)]
                .map(|(kind, bytes)| (labelled(&[("mount", &disk.mount), ("kind", kind)]), bytes as f64))
        })
        .collect();
    gauges(encoder, "system_disk_bytes", "Space of each mounted file system: total and used", disks)?;
    gauges(
        encoder,
        "system_disk_io_bytes_per_second",
        "Bytes read from and written to disks",
        vec![
            (labelled(&[("direction", "read")]), system.disk_io.read_bytes_per_second),
            (labelled(&[("direction", "write")]), system.disk_io.write_bytes_per_second),
        ],
    )?;
    let interfaces = system
        .network
        .interfaces
        .iter()
        .flat_map(|interface| {
            [("rx", interface.rx_bytes_per_second), ("tx", interface.tx_bytes_per_second)]
                .map(|(direction, rate)| (labelled(&[("interface", &interface.name), ("direction", direction)]), rate))
        })
        .collect();
    gauges(encoder, "system_network_bytes_per_second", "Bytes received (rx) and sent (tx) on each network interface", interfaces)?;
    scalar(encoder, "system_processes", "Processes running on the machine", system.process_count as f64)?;
    scalar(encoder, "runner_cpu_usage_percent", "CPU use of llama-runner itself, in percent of one core", system.runner.cpu_percent)?;
    scalar(encoder, "runner_resident_memory_bytes", "Resident memory of llama-runner itself", system.runner.rss as f64)?;

    if let Some(gpus) = &system.gpus {
        encode_gpus(encoder, gpus)?;
    }
    Ok(())
}

fn encode_gpus(encoder: &mut DescriptorEncoder, gpus: &[Gpu]) -> fmt::Result {
    let gpu = |gpu: &Gpu| -> Labels { vec![("gpu", gpu.index.to_string())] };
    let optional = |value: fn(&Gpu) -> Option<f64>| {
        gpus.iter()
            .filter_map(|device| value(device).map(|value| (gpu(device), value)))
            .collect::<Vec<_>>()
    };
    let names = gpus
        .iter()
        .map(|device| {
            let mut labels = gpu(device);
            labels.push(("name", device.name.clone()));
            (labels, 1.0)
        })
        .collect();
    gauges(encoder, "gpu_info", "1 for each NVIDIA GPU, with its name", names)?;
    gauges(encoder, "gpu_utilization_percent", "Time each GPU was busy over NVML's last sample period", optional(|device| device.utilization_percent))?;
    let memory = gpus
        .iter()
        .flat_map(|device| {
            [("used", device.memory_used), ("total", device.memory_total)]
                .into_iter()
                .filter_map(move |(kind, bytes)| {
                    let mut labels = gpu(device);
                    labels.push(("kind", kind.to_owned()));
                    bytes.map(|bytes| (labels, bytes as f64))
                })
        })
        .collect();
    gauges(encoder, "gpu_memory_bytes", "Memory of each GPU: used and total", memory)?;
    gauges(encoder, "gpu_temperature_celsius", "Temperature of each GPU", optional(|device| device.temperature_celsius))?;
    gauges(encoder, "gpu_power_watts", "Power draw of each GPU", optional(|device| device.power_watts))
}
