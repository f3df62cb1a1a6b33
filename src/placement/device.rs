//! A memory device a model process allocates on: system RAM or one GPU.

use std::fmt;
use std::str::FromStr;

/// System RAM, or a GPU by its index as the driver numbers it (`gpu0` is CUDA0, ROCm0, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Device {
    Cpu,
    Gpu(u32),
}

impl Device {
    pub fn is_gpu(&self) -> bool {
        matches!(self, Device::Gpu(_))
    }
}

impl fmt::Display for Device {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Device::Cpu => formatter.write_str("cpu"),
            Device::Gpu(index) => write!(formatter, "gpu{index}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid device name '{0}': expected \"cpu\" or \"gpu\" followed by an index, such as \"gpu0\"")]
pub struct InvalidDeviceName(pub String);

impl FromStr for Device {
    type Err = InvalidDeviceName;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text == "cpu" {
            return Ok(Device::Cpu);
        }
        text.strip_prefix("gpu")
            .filter(|digits| !digits.is_empty() && digits.bytes().all(|byte| byte.is_ascii_digit()))
            .and_then(|digits| digits.parse().ok())
            .map(Device::Gpu)
            .ok_or_else(|| InvalidDeviceName(text.to_owned()))
    }
}

impl serde::Serialize for Device {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Device {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for device in [Device::Cpu, Device::Gpu(0), Device::Gpu(12)] {
            assert_eq!(device.to_string().parse::<Device>(), Ok(device));
        }
    }

    #[test]
    fn invalid_names_are_rejected() {
        for name in ["", "CPU", "gpu", "gpu-1", "gpu0x", "cuda0", "gpu 1"] {
            assert!(name.parse::<Device>().is_err(), "{name}");
        }
    }

    #[test]
    fn cpu_sorts_before_gpus() {
        let mut devices = vec![Device::Gpu(1), Device::Cpu, Device::Gpu(0)];
        devices.sort();
        assert_eq!(devices, [Device::Cpu, Device::Gpu(0), Device::Gpu(1)]);
    }
}
