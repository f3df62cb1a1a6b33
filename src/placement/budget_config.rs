//! The `memoryBudget` config key and how it becomes a [`MemoryBudget`].

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::budget::MemoryBudget;
use super::device::Device;
use super::system_memory::SystemMemory;

/// Reserve kept free on each device by `"auto"` when no reserve is configured: the larger of
/// 1 GiB and 10 % of the device's total memory.
pub const DEFAULT_RESERVE_BYTES: u64 = 1 << 30;
pub const DEFAULT_RESERVE_PERCENT: f64 = 10.0;

/// `memoryBudget`: `"auto"`, `{"mode": "auto", "reserveBytes": …}`, or bytes per device such as
/// `{"cpu": 8000000000, "gpu0": 24000000000}`. Absent, only `concurrentRunners` limits models.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(
    untagged,
    expecting = "expected \"auto\", {\"mode\": \"auto\", \"reserveBytes\": N} or bytes per device such as {\"cpu\": 8000000000, \"gpu0\": 24000000000}"
)]
pub enum MemoryBudgetConfig {
    Mode(BudgetMode),
    Auto(AutoBudget),
    /// Bytes per device: `cpu`, `gpu0`, `gpu1`, …. Devices not named are not limited.
    Explicit(BTreeMap<Device, u64>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum BudgetMode {
    /// Available system memory and each GPU's free memory at start-up, less a reserve.
    Auto,
}

/// `"auto"` with a reserve. With both keys the larger reserve applies.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AutoBudget {
    pub mode: BudgetMode,
    /// Bytes kept free on every device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reserve_bytes: Option<u64>,
    /// Percent of each device's total memory kept free, from 0 to 100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reserve_percent: Option<f64>,
}

impl MemoryBudgetConfig {
    /// Returns the budget for `system`. For `"auto"` every device found gets its available
    /// memory less the reserve. An explicit budget is used as written.
    pub fn resolve(&self, system: &SystemMemory) -> MemoryBudget {
        let (reserve_bytes, reserve_percent) = match self {
            MemoryBudgetConfig::Explicit(limits) => return MemoryBudget::new(limits.clone()),
            MemoryBudgetConfig::Mode(BudgetMode::Auto) => (DEFAULT_RESERVE_BYTES, DEFAULT_RESERVE_PERCENT),
            MemoryBudgetConfig::Auto(auto) => match (auto.reserve_bytes, auto.reserve_percent) {
                (None, None) => (DEFAULT_RESERVE_BYTES, DEFAULT_RESERVE_PERCENT),
                (bytes, percent) => (bytes.unwrap_or(0), percent.unwrap_or(0.0)),
            },
        };

        let reserve = |total: u64| {
            let share = (total as f64 * reserve_percent.clamp(0.0, 100.0) / 100.0) as u64;
            reserve_bytes.max(share)
        };
        let mut limits = vec![(Device::Cpu, system.cpu_available.saturating_sub(reserve(system.cpu_total)))];
        for gpu in &system.gpus {
            limits.push((Device::Gpu(gpu.index), gpu.free.saturating_sub(reserve(gpu.total))));
        }
        MemoryBudget::new(limits)
    }

    /// Checks values that the JSON shape allows but that make no sense.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if let MemoryBudgetConfig::Auto(AutoBudget {
            reserve_percent: Some(percent),
            ..
        }) = self
            && !(0.0..=100.0).contains(percent)
        {
            problems.push(format!("reservePercent must be between 0 and 100, got {percent}"));
        }
        problems
    }
}

impl schemars::JsonSchema for Device {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("Device")
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^(cpu|gpu[0-9]+)$",
            "description": "\"cpu\" for system memory, \"gpu0\", \"gpu1\", … for GPUs",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::placement::system_memory::GpuMemory;
    use serde_json::json;

    const GIB: u64 = 1 << 30;

    fn parse(value: serde_json::Value) -> Result<MemoryBudgetConfig, serde_json::Error> {
        serde_json::from_value(value)
    }

    fn system() -> SystemMemory {
        SystemMemory {
            cpu_total: 64 * GIB,
            cpu_available: 40 * GIB,
            gpus: vec![GpuMemory {
                index: 0,
                total: 24 * GIB,
                free: 23 * GIB,
            }],
        }
    }

    #[test]
    fn auto_keeps_the_larger_default_reserve() {
        let budget = parse(json!("auto")).unwrap().resolve(&system());

        // 10 % of 64 GiB is more than 1 GiB, and 10 % of 24 GiB is 2.4 GiB.
        assert_eq!(budget.limit(Device::Cpu), Some(40 * GIB - (64 * GIB) / 10));
        assert_eq!(budget.limit(Device::Gpu(0)), Some(23 * GIB - ((24 * GIB) as f64 * 0.1) as u64));
    }

    #[test]
    fn auto_with_reserve_bytes() {
        let config = parse(json!({"mode": "auto", "reserveBytes": 2 * GIB})).unwrap();
        let budget = config.resolve(&system());

        assert_eq!(budget.limit(Device::Cpu), Some(38 * GIB));
        assert_eq!(budget.limit(Device::Gpu(0)), Some(21 * GIB));
    }

    #[test]
    fn auto_reserve_larger_than_free_memory_leaves_zero() {
        let config = parse(json!({"mode": "auto", "reservePercent": 100})).unwrap();
        assert_eq!(config.resolve(&system()).limit(Device::Cpu), Some(0));
    }

    #[test]
    fn explicit_bytes_per_device() {
        let config = parse(json!({"cpu": 8_000_000_000_u64, "gpu0": 24_000_000_000_u64})).unwrap();
        let budget = config.resolve(&system());

        assert_eq!(budget.limit(Device::Cpu), Some(8_000_000_000));
        assert_eq!(budget.limit(Device::Gpu(0)), Some(24_000_000_000));
        assert_eq!(budget.limit(Device::Gpu(1)), None);
    }

    #[test]
    fn invalid_shapes_are_rejected_with_the_expected_forms() {
        for value in [json!("manual"), json!({"ram": 1}), json!({"cpu": -1}), json!({"mode": "auto", "reserve": 1}), json!(5)] {
            let error = parse(value.clone()).unwrap_err().to_string();
            assert!(error.contains("expected \"auto\""), "{value}: {error}");
        }
    }

    #[test]
    fn reserve_percent_out_of_range_is_a_problem() {
        let config = parse(json!({"mode": "auto", "reservePercent": 150})).unwrap();
        assert_eq!(config.problems().len(), 1);
        assert!(parse(json!("auto")).unwrap().problems().is_empty());
    }
}
