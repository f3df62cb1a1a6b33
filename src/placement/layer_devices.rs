//! The device of each layer, as llama.cpp assigns them in `llama_model::load_tensors`
//! (`src/llama-model.cpp`, 2026). The last `--n-gpu-layers` layers go to the GPUs, split by
//! `--tensor-split` or else by each GPU's share of free memory. The rest stay on the CPU.

use super::device::Device;
use super::launch_options::{GpuLayers, LaunchOptions};

/// A GPU the model may use, with the weight its share of layers is proportional to when no
/// `--tensor-split` is given (llama.cpp uses free memory).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GpuShare {
    pub device: Device,
    pub weight: u64,
}

/// The device of each layer, plus the output layer at index `block_count`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerDevices {
    devices: Vec<Device>,
}

impl LayerDevices {
    pub fn assign(block_count: u64, options: &LaunchOptions, gpus: &[GpuShare]) -> LayerDevices {
        let layers_with_output = block_count + 1;
        let requested = match options.gpu_layers {
            GpuLayers::All => layers_with_output,
            GpuLayers::Count(count) => count,
        };
        let gpu_layers = if gpus.is_empty() { 0 } else { requested.min(layers_with_output) };
        let first_gpu_layer = layers_with_output - gpu_layers;
        let splits = split_points(options, gpus);

        let devices = (0..layers_with_output)
            .map(|layer| {
                if layer < first_gpu_layer {
                    return Device::Cpu;
                }
                if options.single_gpu {
                    return Device::Gpu(options.main_gpu);
                }
                let fraction = (layer - first_gpu_layer) as f64 / gpu_layers as f64;
                let index = splits.iter().position(|point| fraction < *point).unwrap_or(gpus.len() - 1);
                gpus[index].device
            })
            .collect();
        LayerDevices { devices }
    }

    /// Returns the device of layer `layer`. Layers past the end count as the output layer.
    pub fn layer(&self, layer: u64) -> Device {
        let index = (layer as usize).min(self.devices.len() - 1);
        self.devices[index]
    }

    pub fn output(&self) -> Device {
        self.devices[self.devices.len() - 1]
    }

    /// Number of layers, the output layer included, on a GPU.
    pub fn gpu_layer_count(&self) -> u64 {
        self.devices.iter().filter(|device| device.is_gpu()).count() as u64
    }

    /// Returns every GPU that runs a layer, in index order.
    pub fn gpus(&self) -> Vec<Device> {
        let mut gpus: Vec<Device> = self.devices.iter().copied().filter(Device::is_gpu).collect();
        gpus.sort();
        gpus.dedup();
        gpus
    }
}

/// Cumulative split points in (0, 1], one per GPU, like llama.cpp's normalised `splits`.
fn split_points(options: &LaunchOptions, gpus: &[GpuShare]) -> Vec<f64> {
    let mut shares: Vec<f64> = gpus
        .iter()
        .enumerate()
        .map(|(index, gpu)| match options.tensor_split.get(index) {
            Some(share) if !options.tensor_split.is_empty() => *share,
            _ if !options.tensor_split.is_empty() => 0.0,
            _ => gpu.weight as f64,
        })
        .collect();
    let sum: f64 = shares.iter().sum();
    if sum <= 0.0 {
        shares = vec![1.0; gpus.len()];
    }

    let sum: f64 = shares.iter().sum();
    let mut running = 0.0;
    shares
        .iter()
        .map(|share| {
            running += share;
            running / sum
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gpus(weights: &[u64]) -> Vec<GpuShare> {
        weights
            .iter()
            .enumerate()
            .map(|(index, weight)| GpuShare {
                device: Device::Gpu(index as u32),
                weight: *weight,
            })
            .collect()
    }

    fn options(gpu_layers: GpuLayers) -> LaunchOptions {
        LaunchOptions {
            gpu_layers,
            ..LaunchOptions::default()
        }
    }

    #[test]
    fn without_gpus_everything_is_on_the_cpu() {
        let layers = LayerDevices::assign(4, &options(GpuLayers::All), &[]);
        assert_eq!(layers.gpu_layer_count(), 0);
        assert_eq!(layers.output(), Device::Cpu);
    }

    #[test]
    fn last_layers_on_gpu() {
        let layers = LayerDevices::assign(4, &options(GpuLayers::Count(2)), &gpus(&[1]));

        let devices: Vec<Device> = (0..5).map(|layer| layers.layer(layer)).collect();
        assert_eq!(devices, [Device::Cpu, Device::Cpu, Device::Cpu, Device::Gpu(0), Device::Gpu(0)]);
        assert_eq!(layers.output(), Device::Gpu(0));
    }

    #[test]
    fn gpu_layers_equal_to_blocks() {
        let layers = LayerDevices::assign(4, &options(GpuLayers::Count(4)), &gpus(&[1]));
        assert_eq!(layers.layer(0), Device::Cpu);
        assert_eq!(layers.layer(1), Device::Gpu(0));
        assert_eq!(layers.output(), Device::Gpu(0));

        let exact = LayerDevices::assign(4, &options(GpuLayers::Count(5)), &gpus(&[1]));
        assert_eq!(exact.layer(0), Device::Gpu(0));
    }

    #[test]
    fn layers_split_by_free_memory_or_tensor_split() {
        let by_memory = LayerDevices::assign(3, &options(GpuLayers::All), &gpus(&[3, 1]));
        let devices: Vec<Device> = (0..4).map(|layer| by_memory.layer(layer)).collect();
        assert_eq!(devices, [Device::Gpu(0), Device::Gpu(0), Device::Gpu(0), Device::Gpu(1)]);

        let mut split = options(GpuLayers::All);
        split.tensor_split = vec![1.0, 1.0];
        let even = LayerDevices::assign(3, &split, &gpus(&[3, 1]));
        let devices: Vec<Device> = (0..4).map(|layer| even.layer(layer)).collect();
        assert_eq!(devices, [Device::Gpu(0), Device::Gpu(0), Device::Gpu(1), Device::Gpu(1)]);
        assert_eq!(even.gpus(), [Device::Gpu(0), Device::Gpu(1)]);
    }

    #[test]
    fn split_mode_none_uses_the_main_gpu() {
        let mut single = options(GpuLayers::All);
        single.single_gpu = true;
        single.main_gpu = 1;

        let layers = LayerDevices::assign(3, &single, &gpus(&[1, 1]));
        assert_eq!(layers.gpus(), [Device::Gpu(1)]);
    }
}
