//! Allowances for what a llama-server process allocates besides weights and KV cache: the
//! compute buffers that hold a batch's activations, the logits buffer, and the runtime itself.
//!
//! The formulas are fitted to the buffer sizes the test llama-server printed for gemma-3-270m on
//! a CPU ("CPU compute buffer size", "CPU output buffer size"), and to its resident memory after
//! a first request. docs/memory.md lists the runs. They are estimates, not llama.cpp's graph
//! allocator.

use super::device::Device;
use super::footprint::Footprint;
use super::kv_cache::KvLayout;
use super::launch_options::LaunchOptions;
use super::layer_devices::LayerDevices;
use super::model_shape::ModelShape;

const MIB: u64 = 1 << 20;

/// Fixed part of a llama-server process's own memory on the CPU: code, threads, HTTP server.
const CPU_RUNTIME_BYTES: u64 = 24 * MIB;
/// Memory per vocabulary entry for the tokenizer's tables, in bytes.
const BYTES_PER_TOKEN_ENTRY: u64 = 100;
/// GPU memory a process takes before any model buffer: the driver context and library
/// workspaces.
// NOTE: not measured here (no GPU build of llama-server was available); CUDA contexts commonly
// take 250 to 500 MiB.
const GPU_RUNTIME_BYTES: u64 = 300 * MIB;

/// Compute, output and runtime memory per device.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Allowances {
    pub compute: Footprint,
    pub output: Footprint,
    pub overhead: Footprint,
}

pub fn allowances(shape: &ModelShape, options: &LaunchOptions, layout: &KvLayout, layers: &LayerDevices) -> Allowances {
    let mut allowances = Allowances::default();
    let full = compute_buffer_bytes(shape, options, layout);

    // A device that runs layers needs a whole compute buffer. When every layer runs on GPUs the
    // CPU keeps only a small host buffer for inputs and outputs.
    let gpus = layers.gpus();
    for gpu in &gpus {
        allowances.compute.add(*gpu, full);
        allowances.overhead.add(*gpu, GPU_RUNTIME_BYTES);
    }
    let cpu_runs_layers = layers.gpu_layer_count() < shape.block_count + 1;
    let host_buffer = options.ubatch_size.saturating_mul(shape.embedding_length).saturating_mul(4 * 4);
    allowances.compute.add(Device::Cpu, if cpu_runs_layers { full } else { host_buffer });

    // Logits for one output per slot, in f32, as llama.cpp reserves them.
    let output = shape.vocab_size.saturating_mul(4).saturating_mul(layout.slots);
    allowances.output.add(Device::Cpu, output);

    let tokenizer = shape.vocab_size.saturating_mul(BYTES_PER_TOKEN_ENTRY);
    allowances.overhead.add(Device::Cpu, CPU_RUNTIME_BYTES.saturating_add(tokenizer));
    allowances
}

/// Activations of one physical batch: about `4 × n_ff + 3 × n_embd` f32 values per token, plus
/// the attention mask (f16, with flash attention) or the attention scores (f32, per head,
/// without it) over the cells of one stream.
// NOTE: builds that reserve logits for every token of a batch (`n_vocab × n_ubatch × 4` bytes)
// need more; the test build reserves one output per slot.
fn compute_buffer_bytes(shape: &ModelShape, options: &LaunchOptions, layout: &KvLayout) -> u64 {
    let feed_forward = if shape.feed_forward_length > 0 {
        shape.feed_forward_length
    } else {
        4 * shape.embedding_length
    };
    let values_per_token = feed_forward.saturating_mul(4).saturating_add(shape.embedding_length.saturating_mul(3));
    let activations = options.ubatch_size.saturating_mul(values_per_token).saturating_mul(4);

    let attention_per_cell = if options.flash_attention { 2 } else { shape.head_count.max(1).saturating_mul(4) };
    let attention = options
        .ubatch_size
        .saturating_mul(layout.cells_per_stream)
        .saturating_mul(attention_per_cell);

    activations.saturating_add(attention)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::placement::layer_devices::GpuShare;
    use crate::placement::test_shapes::gemma_270m;

    fn mib(bytes: u64) -> f64 {
        bytes as f64 / MIB as f64
    }

    fn cpu_allowances(flags: &[&str]) -> Allowances {
        let flags: Vec<String> = flags.iter().map(|flag| (*flag).to_owned()).collect();
        let options = LaunchOptions::from_flags(&flags).unwrap();
        let shape = gemma_270m();
        let layout = KvLayout::of(&shape, &options);
        allowances(&shape, &options, &layout, &LayerDevices::assign(18, &options, &[]))
    }

    /// The logged "CPU compute buffer size" of the test llama-server, within 10 %.
    #[test]
    fn gemma_compute_buffer_is_near_the_logged_size() {
        let cases: [(&[&str], f64); 6] = [
            (&["-c", "4096", "-np", "1"], 23.28),
            (&["-c", "16384", "-np", "1"], 35.28),
            (&["-c", "32768", "-np", "4"], 27.28),
            (&[], 52.78),
            (&["-c", "4096", "-np", "1", "-ub", "256"], 11.51),
            (&["-c", "4096", "-np", "1", "-fa", "off"], 54.27),
        ];
        for (flags, logged) in cases {
            let estimated = mib(cpu_allowances(flags).compute.bytes(Device::Cpu));
            assert!((estimated - logged).abs() / logged < 0.10, "{flags:?}: estimated {estimated:.2} MiB, logged {logged} MiB");
        }
    }

    #[test]
    fn output_buffer_per_slot() {
        assert_eq!(mib(cpu_allowances(&["-np", "1"]).output.bytes(Device::Cpu)), 1.0);
        assert_eq!(mib(cpu_allowances(&["-np", "4"]).output.bytes(Device::Cpu)), 4.0);
    }

    #[test]
    fn full_offload_compute_on_gpu() {
        let shape = gemma_270m();
        let options = LaunchOptions::default();
        let layout = KvLayout::of(&shape, &options);
        let gpu = [GpuShare {
            device: Device::Gpu(0),
            weight: 1,
        }];
        let layers = LayerDevices::assign(18, &options, &gpu);

        let result = allowances(&shape, &options, &layout, &layers);

        assert!(result.compute.bytes(Device::Gpu(0)) > result.compute.bytes(Device::Cpu));
        assert_eq!(result.overhead.bytes(Device::Gpu(0)), GPU_RUNTIME_BYTES);
    }
}
