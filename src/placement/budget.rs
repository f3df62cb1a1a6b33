//! The memory that model processes may use together, per device.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use super::device::Device;
use super::footprint::{Footprint, format_bytes};

/// Byte limits per device. A device without a limit is not limited.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct MemoryBudget {
    limits: BTreeMap<Device, u64>,
}

impl MemoryBudget {
    pub fn new(limits: impl IntoIterator<Item = (Device, u64)>) -> Self {
        MemoryBudget {
            limits: limits.into_iter().collect(),
        }
    }

    pub fn limit(&self, device: Device) -> Option<u64> {
        self.limits.get(&device).copied()
    }

    pub fn limits(&self) -> impl Iterator<Item = (Device, u64)> + '_ {
        self.limits.iter().map(|(device, bytes)| (*device, *bytes))
    }

    /// GPUs that have a limit, in index order.
    pub fn gpus(&self) -> impl Iterator<Item = Device> + '_ {
        self.limits.keys().copied().filter(Device::is_gpu)
    }

    /// Returns whether `extra` fits beside `used` on every limited device.
    pub fn fits_beside(&self, used: &Footprint, extra: &Footprint) -> bool {
        self.limits().all(|(device, limit)| {
            used.bytes(device).saturating_add(extra.bytes(device)) <= limit
        })
    }

    /// Returns the devices on which `used` exceeds its limit, with the bytes missing there.
    pub fn shortfall(&self, used: &Footprint) -> Footprint {
        self.limits()
            .map(|(device, limit)| (device, used.bytes(device).saturating_sub(limit)))
            .collect()
    }
}

/// Writes "cpu 8.00 GiB, gpu0 24.00 GiB", or "no limit" when no device is limited.
impl fmt::Display for MemoryBudget {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.limits.is_empty() {
            return formatter.write_str("no limit");
        }
        let parts: Vec<String> = self
            .limits()
            .map(|(device, bytes)| format!("{device} {}", format_bytes(bytes)))
            .collect();
        formatter.write_str(&parts.join(", "))
    }
}

/// Checks that a model whose estimated use is `estimate` could run alone within `budget`.
/// The error names every device where it cannot, with the estimate and the limit there.
pub fn fits_budget(estimate: &Footprint, budget: &MemoryBudget) -> Result<(), String> {
    let over: Vec<String> = budget
        .limits()
        .filter(|(device, limit)| estimate.bytes(*device) > *limit)
        .map(|(device, limit)| {
            format!(
                "{device}: estimate {} ({} bytes), budget {} ({limit} bytes)",
                format_bytes(estimate.bytes(device)),
                estimate.bytes(device),
                format_bytes(limit)
            )
        })
        .collect();

    if over.is_empty() {
        return Ok(());
    }
    Err(format!(
        "the estimated memory use exceeds the memory budget even with no other model loaded ({}); \
         raise memoryBudget in the config or lower the model's context size or GPU layers",
        over.join("; ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GIB: u64 = 1 << 30;

    fn budget() -> MemoryBudget {
        MemoryBudget::new([(Device::Cpu, 8 * GIB), (Device::Gpu(0), 24 * GIB)])
    }

    #[test]
    fn estimate_within_every_limit_fits() {
        let estimate: Footprint = [(Device::Cpu, 8 * GIB), (Device::Gpu(0), GIB)].into_iter().collect();
        assert_eq!(fits_budget(&estimate, &budget()), Ok(()));
    }

    #[test]
    fn over_limit_message_names_both() {
        let estimate: Footprint = [(Device::Cpu, GIB), (Device::Gpu(0), 30 * GIB)].into_iter().collect();

        let message = fits_budget(&estimate, &budget()).unwrap_err();

        assert!(message.contains("gpu0: estimate 30.00 GiB"), "{message}");
        assert!(message.contains("budget 24.00 GiB"), "{message}");
        assert!(!message.contains("cpu:"), "{message}");
    }

    #[test]
    fn devices_without_limit_are_unlimited() {
        let estimate = Footprint::on(Device::Gpu(1), 1000 * GIB);
        assert_eq!(fits_budget(&estimate, &budget()), Ok(()));
        assert!(budget().fits_beside(&estimate, &estimate));
    }

    #[test]
    fn fits_beside_counts_what_is_used() {
        let used = Footprint::on(Device::Cpu, 6 * GIB);

        assert!(budget().fits_beside(&used, &Footprint::on(Device::Cpu, 2 * GIB)));
        assert!(!budget().fits_beside(&used, &Footprint::on(Device::Cpu, 2 * GIB + 1)));
    }

    #[test]
    fn shortfall_is_the_excess_per_device() {
        let used: Footprint = [(Device::Cpu, 9 * GIB), (Device::Gpu(0), GIB)].into_iter().collect();
        assert_eq!(budget().shortfall(&used), Footprint::on(Device::Cpu, GIB));
    }
}
