//! `--override-tensor pattern=buffer-type` rules: tensors whose name matches `pattern` are put
//! on the device of `buffer-type` instead of their layer's device.

use regex::Regex;

use super::device::Device;

/// llama.cpp's pattern for the expert feed-forward tensors that `--cpu-moe` and `--n-cpu-moe`
/// keep on the CPU (`LLM_FFN_EXPS_REGEX` in `common/common.h`).
const EXPERT_TENSORS: &str = r"\.ffn_(up|down|gate)_(ch|)exps";

#[derive(Debug, Clone)]
pub struct TensorOverride {
    pattern: Regex,
    pub device: Device,
}

impl PartialEq for TensorOverride {
    fn eq(&self, other: &Self) -> bool {
        self.pattern.as_str() == other.pattern.as_str() && self.device == other.device
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidOverride {
    #[error("invalid --override-tensor rule '{0}': expected <tensor name pattern>=<buffer type>, such as exps=CPU")]
    Shape(String),
    #[error("invalid tensor name pattern in --override-tensor rule '{rule}': {message}")]
    Pattern { rule: String, message: String },
}

impl TensorOverride {
    /// Parses one `pattern=buffer-type` rule. Buffer types name a backend and device, as
    /// llama-server lists them: `CPU`, `CUDA0`, `ROCm1`, `Vulkan0`, `Metal`, `CUDA_Host`.
    pub fn parse(rule: &str) -> Result<TensorOverride, InvalidOverride> {
        let Some((pattern, buffer_type)) = rule.rsplit_once('=') else {
            return Err(InvalidOverride::Shape(rule.to_owned()));
        };
        if pattern.is_empty() || buffer_type.is_empty() {
            return Err(InvalidOverride::Shape(rule.to_owned()));
        }

        let pattern = Regex::new(pattern).map_err(|error| InvalidOverride::Pattern {
            rule: rule.to_owned(),
            message: error.to_string(),
        })?;
        Ok(TensorOverride {
            pattern,
            device: buffer_type_device(buffer_type),
        })
    }

    /// Returns the rule `--cpu-moe` adds.
    pub fn all_experts_on_cpu() -> TensorOverride {
        TensorOverride {
            pattern: Regex::new(EXPERT_TENSORS).expect("the expert pattern is valid"),
            device: Device::Cpu,
        }
    }

    /// Returns the rules `--n-cpu-moe count` adds: experts of layers 0 to count - 1 on the CPU.
    pub fn first_experts_on_cpu(count: u64) -> Vec<TensorOverride> {
        (0..count)
            .map(|layer| TensorOverride {
                pattern: Regex::new(&format!(r"blk\.{layer}{EXPERT_TENSORS}")).expect("the expert pattern is valid"),
                device: Device::Cpu,
            })
            .collect()
    }

    /// Returns whether the rule applies to `tensor`. llama.cpp searches the name, so the
    /// pattern may match any part of it.
    pub fn matches(&self, tensor: &str) -> bool {
        self.pattern.is_match(tensor)
    }
}

/// Maps a buffer type name to its device: host buffers to the CPU, a backend name with a
/// trailing index to that GPU, and a backend without an index (Metal) to GPU 0.
fn buffer_type_device(buffer_type: &str) -> Device {
    let upper = buffer_type.to_ascii_uppercase();
    if upper.starts_with("CPU") || upper.ends_with("_HOST") {
        return Device::Cpu;
    }
    let digits: String = upper.chars().rev().take_while(char::is_ascii_digit).collect();
    let index = digits.chars().rev().collect::<String>().parse().unwrap_or(0);
    Device::Gpu(index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffer_types_map_to_devices() {
        let cases = [
            ("CPU", Device::Cpu),
            ("CPU_REPACK", Device::Cpu),
            ("CUDA_Host", Device::Cpu),
            ("CUDA0", Device::Gpu(0)),
            ("CUDA1", Device::Gpu(1)),
            ("ROCm12", Device::Gpu(12)),
            ("Vulkan0", Device::Gpu(0)),
            ("Metal", Device::Gpu(0)),
        ];
        for (name, device) in cases {
            assert_eq!(buffer_type_device(name), device, "{name}");
        }
    }

    #[test]
    fn rule_pattern_is_searched_in_the_name() {
        let rule = TensorOverride::parse(r"blk\.(1|2)\.ffn_.*=CPU").unwrap();

        assert_eq!(rule.device, Device::Cpu);
        assert!(rule.matches("blk.1.ffn_up.weight"));
        assert!(!rule.matches("blk.3.ffn_up.weight"));
        assert!(!rule.matches("blk.1.attn_q.weight"));
    }

    #[test]
    fn malformed_rules_are_rejected() {
        assert!(matches!(TensorOverride::parse("exps"), Err(InvalidOverride::Shape(_))));
        assert!(matches!(TensorOverride::parse("=CPU"), Err(InvalidOverride::Shape(_))));
        assert!(matches!(TensorOverride::parse("exps("), Err(InvalidOverride::Shape(_))));
        assert!(matches!(TensorOverride::parse("(=CPU"), Err(InvalidOverride::Pattern { .. })));
    }

    #[test]
    fn cpu_moe_rules_match_expert_tensors() {
        let all = TensorOverride::all_experts_on_cpu();
        assert!(all.matches("blk.7.ffn_gate_exps.weight"));
        assert!(all.matches("blk.7.ffn_down_chexps.weight"));
        assert!(!all.matches("blk.7.ffn_gate_shexp.weight"));

        let first = TensorOverride::first_experts_on_cpu(2);
        assert_eq!(first.len(), 2);
        assert!(first[1].matches("blk.1.ffn_up_exps.weight"));
        assert!(!first.iter().any(|rule| rule.matches("blk.2.ffn_up_exps.weight")));
        assert!(!first.iter().any(|rule| rule.matches("blk.12.ffn_up_exps.weight")));
    }
}
