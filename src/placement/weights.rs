//! Placement of each tensor's bytes: the device of its layer unless an `--override-tensor` rule
//! names another, and an extra repacked copy for some quantized tensors on the CPU.

use super::device::Device;
use super::footprint::Footprint;
use super::launch_options::LaunchOptions;
use super::layer_devices::LayerDevices;
use super::model_shape::{ModelShape, TensorShape};

/// ggml types that llama.cpp's CPU backend copies into its `CPU_REPACK` buffer on this CPU
/// family (`ggml_repack_get_optimal_repack_type` in `ggml/src/ggml-cpu/repack.cpp`, 2026):
/// Q4_0, Q4_K, IQ4_NL and MXFP4 with AVX2; on ARM also Q5_K, Q6_K and Q8_0.
#[cfg(target_arch = "aarch64")]
const REPACKED_TYPES: &[u32] = &[2, 12, 13, 14, 20, 39, 8];
#[cfg(not(target_arch = "aarch64"))]
const REPACKED_TYPES: &[u32] = &[2, 12, 20, 39];

/// Tensors of the input layer, which llama.cpp always keeps on the CPU.
const INPUT_TENSORS: [&str; 4] = ["token_embd", "token_types", "position_embd", "per_layer_token_embd"];

/// Weights per device, and the part of the CPU weights that is a repacked copy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WeightPlacement {
    pub weights: Footprint,
    pub repacked_bytes: u64,
}

pub fn place_weights(shape: &ModelShape, options: &LaunchOptions, layers: &LayerDevices) -> WeightPlacement {
    let mut placement = WeightPlacement::default();
    let has_output = shape.tensors.iter().any(|tensor| tensor.name == "output.weight");

    for tensor in &shape.tensors {
        let device = tensor_device(tensor, options, layers);
        placement.weights.add(device, tensor.bytes);

        if device == Device::Cpu && options.repack && is_repacked(tensor) {
            placement.weights.add(Device::Cpu, tensor.bytes);
            placement.repacked_bytes = placement.repacked_bytes.saturating_add(tensor.bytes);
        }

        // A model without its own output matrix reuses the token embedding, which llama.cpp
        // then also loads on the output layer's device.
        if !has_output && tensor.name == "token_embd.weight" && layers.output() != Device::Cpu {
            placement.weights.add(layers.output(), tensor.bytes);
        }
    }
    placement
}

fn tensor_device(tensor: &TensorShape, options: &LaunchOptions, layers: &LayerDevices) -> Device {
    if let Some(rule) = options.tensor_overrides.iter().find(|rule| rule.matches(&tensor.name)) {
        return rule.device;
    }
    if let Some(layer) = tensor.layer() {
        return layers.layer(layer);
    }
    let prefix = tensor.name.split('.').next().unwrap_or_default();
    if INPUT_TENSORS.contains(&prefix) {
        return Device::Cpu;
    }
    layers.output()
}

/// Matrix weights that feed a matrix multiplication, in a repacked type, with a row count the
/// repacked layout divides (8 rows per block). The token embedding is only looked up by row.
fn is_repacked(tensor: &TensorShape) -> bool {
    REPACKED_TYPES.contains(&tensor.ggml_type)
        && tensor.rows > 1
        && tensor.rows % 8 == 0
        && tensor.name.ends_with(".weight")
        && !tensor.name.starts_with("token_embd")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::placement::launch_options::GpuLayers;
    use crate::placement::layer_devices::GpuShare;
    use crate::placement::tensor_override::TensorOverride;

    const Q8_0: u32 = 8;
    const Q4_K: u32 = 12;

    fn tensor(name: &str, bytes: u64, ggml_type: u32) -> TensorShape {
        TensorShape {
            name: name.to_owned(),
            bytes,
            ggml_type,
            rows: 64,
        }
    }

    fn shape(tensors: Vec<TensorShape>) -> ModelShape {
        ModelShape {
            architecture: "llama".to_owned(),
            block_count: 2,
            embedding_length: 64,
            feed_forward_length: 128,
            head_count: 4,
            head_count_kv: vec![4; 2],
            key_length: 16,
            value_length: 16,
            vocab_size: 100,
            trained_context: Some(1024),
            sliding_window: None,
            sliding_layers: None,
            tensors,
        }
    }

    fn gpu() -> Vec<GpuShare> {
        vec![GpuShare {
            device: Device::Gpu(0),
            weight: 1,
        }]
    }

    fn tensors() -> Vec<TensorShape> {
        vec![
            tensor("token_embd.weight", 1000, Q8_0),
            tensor("blk.0.attn_q.weight", 100, Q8_0),
            tensor("blk.1.attn_q.weight", 200, Q8_0),
            tensor("output_norm.weight", 10, 0),
            tensor("output.weight", 1000, Q8_0),
        ]
    }

    #[test]
    fn layers_split_between_cpu_and_gpu() {
        let options = LaunchOptions {
            gpu_layers: GpuLayers::Count(2),
            ..LaunchOptions::default()
        };
        let model = shape(tensors());
        let layers = LayerDevices::assign(2, &options, &gpu());

        let placement = place_weights(&model, &options, &layers);

        // Layer 0 and the input stay on the CPU; layer 1 and the output layer go to the GPU.
        assert_eq!(placement.weights.bytes(Device::Cpu), 1100);
        assert_eq!(placement.weights.bytes(Device::Gpu(0)), 1210);
    }

    #[test]
    fn overrides_win_over_layers() {
        let options = LaunchOptions {
            tensor_overrides: vec![TensorOverride::parse(r"blk\.1\.=CPU").unwrap()],
            ..LaunchOptions::default()
        };
        let model = shape(tensors());
        let layers = LayerDevices::assign(2, &options, &gpu());

        let placement = place_weights(&model, &options, &layers);

        assert_eq!(placement.weights.bytes(Device::Cpu), 1200);
        assert_eq!(placement.weights.bytes(Device::Gpu(0)), 1110);
    }

    #[test]
    fn tied_embedding_is_duplicated_on_the_gpu() {
        let mut tied = tensors();
        tied.retain(|tensor| tensor.name != "output.weight");
        let options = LaunchOptions::default();
        let layers = LayerDevices::assign(2, &options, &gpu());

        let placement = place_weights(&shape(tied), &options, &layers);

        assert_eq!(placement.weights.bytes(Device::Cpu), 1000);
        assert_eq!(placement.weights.bytes(Device::Gpu(0)), 1310);
    }

    #[test]
    fn repackable_cpu_weights_count_twice() {
        let model = shape(vec![
            tensor("token_embd.weight", 1000, Q4_K),
            tensor("blk.0.ffn_down.weight", 100, Q4_K),
            tensor("blk.0.ffn_up.weight", 100, Q8_0),
        ]);
        let mut options = LaunchOptions::default();
        let layers = LayerDevices::assign(2, &options, &[]);

        let placement = place_weights(&model, &options, &layers);
        assert_eq!(placement.repacked_bytes, if cfg!(target_arch = "aarch64") { 200 } else { 100 });

        options.repack = false;
        assert_eq!(place_weights(&model, &options, &layers).weights.bytes(Device::Cpu), 1200);
    }
}
