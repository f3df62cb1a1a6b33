//! A model's estimated memory use per device, and the parts it adds up from.

use serde::Serialize;

use super::compute::allowances;
use super::device::Device;
use super::footprint::Footprint;
use super::kv_cache::{KvLayout, kv_cache_bytes};
use super::launch_options::LaunchOptions;
use super::layer_devices::{GpuShare, LayerDevices};
use super::model_shape::ModelShape;
use super::weights::place_weights;

/// Estimated bytes per device of one llama-server process, by part. `total` is their sum and
/// is what placement compares with the budget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemoryEstimate {
    pub total: Footprint,
    /// Tensor data, repacked copies and the multimodal projector.
    pub weights: Footprint,
    pub kv_cache: Footprint,
    /// Compute buffers for one physical batch.
    pub compute: Footprint,
    /// The logits buffer.
    pub output: Footprint,
    /// The process itself: runtime, tokenizer tables and GPU contexts.
    pub overhead: Footprint,
    /// The context the KV cache was sized for, in tokens.
    pub context_size: u64,
    pub parallel: u64,
    pub kv_unified: bool,
    /// Layers on a GPU, the output layer included.
    pub gpu_layers: u64,
    /// Bytes of CPU weights that the CPU backend keeps a second, repacked copy of; part of
    /// `weights`.
    pub repacked_bytes: u64,
}

impl MemoryEstimate {
    /// Returns the total to place against a budget.
    pub fn footprint(&self) -> &Footprint {
        &self.total
    }
}

/// Estimates the memory of `shape` started with `options` on a machine with `gpus`.
/// `projector_bytes` is the size of the `--mmproj` file, 0 without one.
pub fn estimate_memory(shape: &ModelShape, options: &LaunchOptions, gpus: &[GpuShare], projector_bytes: u64) -> MemoryEstimate {
    let layers = LayerDevices::assign(shape.block_count, options, gpus);
    let layout = KvLayout::of(shape, options);

    let placement = place_weights(shape, options, &layers);
    let mut weights = placement.weights;
    let projector_device = match gpus.first() {
        Some(gpu) if options.projector_offload => gpu.device,
        _ => Device::Cpu,
    };
    weights.add(projector_device, projector_bytes);

    let kv_cache = kv_cache_bytes(shape, options, &layout, &layers);
    let allowances = allowances(shape, options, &layout, &layers);

    let mut total = Footprint::new();
    for part in [&weights, &kv_cache, &allowances.compute, &allowances.output, &allowances.overhead] {
        total.add_all(part);
    }

    MemoryEstimate {
        total,
        weights,
        kv_cache,
        compute: allowances.compute,
        output: allowances.output,
        overhead: allowances.overhead,
        context_size: layout.context_size,
        parallel: layout.slots,
        kv_unified: layout.unified,
        gpu_layers: layers.gpu_layer_count(),
        repacked_bytes: placement.repacked_bytes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::placement::test_shapes::gemma_270m;

    #[test]
    fn total_is_the_sum_of_the_parts() {
        let estimate = estimate_memory(&gemma_270m(), &LaunchOptions::default(), &[], 0);

        let parts = [&estimate.weights, &estimate.kv_cache, &estimate.compute, &estimate.output, &estimate.overhead];
        let sum: u64 = parts.iter().map(|part| part.total()).sum();
        assert_eq!(estimate.total.total(), sum);
        assert_eq!(estimate.total.gpu_total(), 0);
        assert_eq!(estimate.gpu_layers, 0);
    }

    #[test]
    fn projector_device_follows_offload() {
        let gpu = [GpuShare {
            device: Device::Gpu(0),
            weight: 1,
        }];
        let offloaded = estimate_memory(&gemma_270m(), &LaunchOptions::default(), &gpu, 1000);
        let options = LaunchOptions {
            projector_offload: false,
            ..LaunchOptions::default()
        };
        let kept = estimate_memory(&gemma_270m(), &options, &gpu, 1000);

        assert_eq!(offloaded.weights.bytes(Device::Gpu(0)) - kept.weights.bytes(Device::Gpu(0)), 1000);
        assert_eq!(kept.weights.bytes(Device::Cpu) - offloaded.weights.bytes(Device::Cpu), 1000);
    }

    #[test]
    fn larger_context_costs_more() {
        let small = LaunchOptions {
            context_size: Some(2048),
            ..LaunchOptions::default()
        };
        let large = LaunchOptions {
            context_size: Some(32_768),
            ..LaunchOptions::default()
        };
        let shape = gemma_270m();
        assert!(estimate_memory(&shape, &large, &[], 0).total.total() > estimate_memory(&shape, &small, &[], 0).total.total());
    }
}
