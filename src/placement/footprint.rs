//! Bytes per device: what a model process is estimated to use, or what a budget allows.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use super::device::Device;

/// Bytes on each device. An absent device has 0 bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Footprint(BTreeMap<Device, u64>);

impl Footprint {
    pub fn new() -> Self {
        Footprint::default()
    }

    /// Creates a footprint of `bytes` on one device.
    pub fn on(device: Device, bytes: u64) -> Self {
        let mut footprint = Footprint::new();
        footprint.add(device, bytes);
        footprint
    }

    pub fn bytes(&self, device: Device) -> u64 {
        self.0.get(&device).copied().unwrap_or(0)
    }

    /// Adds `bytes` on `device`, saturating at `u64::MAX`. Zero bytes leave no entry.
    pub fn add(&mut self, device: Device, bytes: u64) {
        if bytes == 0 {
            return;
        }
        let entry = self.0.entry(device).or_insert(0);
        *entry = entry.saturating_add(bytes);
    }

    /// Adds every device of `other`.
    pub fn add_all(&mut self, other: &Footprint) {
        for (device, bytes) in other.iter() {
            self.add(device, bytes);
        }
    }

    /// Subtracts every device of `other`, stopping at 0.
    pub fn subtract_all(&mut self, other: &Footprint) {
        for (device, bytes) in other.iter() {
            if let Some(entry) = self.0.get_mut(&device) {
                *entry = entry.saturating_sub(bytes);
            }
        }
        self.0.retain(|_, bytes| *bytes > 0);
    }

    /// Devices with a non-zero byte count, in order: cpu, gpu0, gpu1, …
    pub fn iter(&self) -> impl Iterator<Item = (Device, u64)> + '_ {
        self.0.iter().map(|(device, bytes)| (*device, *bytes))
    }

    /// Sum over all devices.
    pub fn total(&self) -> u64 {
        self.0.values().fold(0u64, |sum, bytes| sum.saturating_add(*bytes))
    }

    /// Sum over the GPUs only.
    pub fn gpu_total(&self) -> u64 {
        self.iter()
            .filter(|(device, _)| device.is_gpu())
            .fold(0u64, |sum, (_, bytes)| sum.saturating_add(bytes))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromIterator<(Device, u64)> for Footprint {
    fn from_iter<I: IntoIterator<Item = (Device, u64)>>(items: I) -> Self {
        let mut footprint = Footprint::new();
        for (device, bytes) in items {
            footprint.add(device, bytes);
        }
        footprint
    }
}

/// Writes "cpu 1.25 GiB, gpu0 3.00 GiB", or "0 bytes" when empty.
impl fmt::Display for Footprint {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return formatter.write_str("0 bytes");
        }
        let parts: Vec<String> = self
            .iter()
            .map(|(device, bytes)| format!("{device} {}", format_bytes(bytes)))
            .collect();
        formatter.write_str(&parts.join(", "))
    }
}

/// Formats a byte count in binary units with two decimals: "512 bytes", "1.50 MiB", "3.00 GiB".
pub fn format_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];

    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.2} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    const GIB: u64 = 1 << 30;

    #[test]
    fn add_and_subtract_per_device() {
        let mut footprint = Footprint::on(Device::Cpu, 3 * GIB);
        footprint.add(Device::Gpu(0), GIB);
        footprint.add(Device::Cpu, GIB);

        assert_eq!(footprint.bytes(Device::Cpu), 4 * GIB);
        assert_eq!(footprint.total(), 5 * GIB);
        assert_eq!(footprint.gpu_total(), GIB);

        footprint.subtract_all(&Footprint::on(Device::Gpu(0), 2 * GIB));
        assert_eq!(footprint.bytes(Device::Gpu(0)), 0);
        assert_eq!(footprint.iter().count(), 1);
    }

    #[test]
    fn zero_bytes_leave_no_entry() {
        let footprint = Footprint::on(Device::Gpu(1), 0);
        assert!(footprint.is_empty());
        assert_eq!(footprint.to_string(), "0 bytes");
    }

    #[test]
    fn display_lists_devices_in_order() {
        let footprint: Footprint = [(Device::Gpu(0), 3 * GIB), (Device::Cpu, GIB + GIB / 4)].into_iter().collect();
        assert_eq!(footprint.to_string(), "cpu 1.25 GiB, gpu0 3.00 GiB");
    }

    #[test]
    fn bytes_format_in_binary_units() {
        assert_eq!(format_bytes(512), "512 bytes");
        assert_eq!(format_bytes(1536), "1.50 KiB");
        assert_eq!(format_bytes(250 * 1024 * 1024), "250.00 MiB");
        assert_eq!(format_bytes(u64::MAX), "16777216.00 TiB");
    }

    #[test]
    fn serializes_as_device_map() {
        let footprint: Footprint = [(Device::Cpu, 10), (Device::Gpu(0), 20)].into_iter().collect();
        assert_eq!(serde_json::to_value(&footprint).unwrap(), serde_json::json!({"cpu": 10, "gpu0": 20}));
    }
}
