//! KV cache size, as llama.cpp allocates it (`src/llama-context.cpp`, `src/llama-kv-cache.cpp`
//! and `src/llama-kv-cache-iswa.cpp`, 2026).
//!
//! The context is padded to 256 cells. With `--parallel N` the cache is split into N streams
//! of `ctx/N` cells each (padded to 256), unless it is unified, in which case one stream of
//! `ctx` cells is shared by all slots. Either way the total is about `ctx` cells, so the
//! parallel slot count does not multiply the cache. Sliding-window layers keep only
//! `window + ubatch` cells per stream (`window × N + ubatch` when unified), padded to 256.

use super::device::Device;
use super::footprint::Footprint;
use super::launch_options::LaunchOptions;
use super::layer_devices::LayerDevices;
use super::model_shape::ModelShape;

/// llama.cpp pads the context and the cache sizes to this many cells.
const CELL_PADDING: u64 = 256;
/// Context size used when neither the flags nor the file give one, in tokens.
const FALLBACK_CONTEXT: u64 = 4096;

/// The cache geometry the estimate assumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KvLayout {
    /// The served context in tokens, padded.
    pub context_size: u64,
    pub slots: u64,
    pub unified: bool,
    pub streams: u64,
    /// Cells per stream of full-attention layers.
    pub cells_per_stream: u64,
    /// Cells per stream of sliding-window layers.
    pub sliding_cells_per_stream: u64,
}

impl KvLayout {
    pub fn of(shape: &ModelShape, options: &LaunchOptions) -> KvLayout {
        let requested = options
            .context_size
            .filter(|size| *size > 0)
            .or(shape.trained_context)
            .unwrap_or(FALLBACK_CONTEXT);
        let context_size = pad(requested);
        let (slots, unified) = options.slots();

        let cells_per_stream = if unified { context_size } else { pad(context_size / slots).max(CELL_PADDING) };
        let streams = if unified { 1 } else { slots };

        let window = shape.sliding_window.unwrap_or(0);
        let window_cells = window.saturating_mul(if unified { slots } else { 1 }).saturating_add(options.ubatch_size);
        let sliding_cells_per_stream = if options.swa_full {
            cells_per_stream
        } else {
            pad(cells_per_stream.min(window_cells))
        };

        KvLayout {
            context_size,
            slots,
            unified,
            streams,
            cells_per_stream,
            sliding_cells_per_stream,
        }
    }
}

/// Bytes of the KV cache on each device: each layer's cache lives with its layer, or on the
/// CPU with `--no-kv-offload`.
// NOTE: recurrent state (Mamba, RWKV and the recurrent layers of hybrid models) and the
// compressed cache of MLA models (DeepSeek 2 and 3) are not modelled. Their layers count as
// plain attention layers with the heads the file gives.
pub fn kv_cache_bytes(shape: &ModelShape, options: &LaunchOptions, layout: &KvLayout, layers: &LayerDevices) -> Footprint {
    let mut cache = Footprint::new();

    for layer in 0..shape.block_count {
        let heads = shape.head_count_kv.get(layer as usize).copied().unwrap_or(0);
        if heads == 0 {
            continue;
        }

        let sliding = shape
            .sliding_layers
            .as_ref()
            .and_then(|flags| flags.get(layer as usize))
            .copied()
            .unwrap_or(false);
        let cells = if sliding { layout.sliding_cells_per_stream } else { layout.cells_per_stream };

        let per_cell = options
            .cache_type_k
            .row_bytes(heads.saturating_mul(shape.key_length))
            .saturating_add(options.cache_type_v.row_bytes(heads.saturating_mul(shape.value_length)));
        let bytes = per_cell.saturating_mul(cells).saturating_mul(layout.streams);

        let device = if options.kv_offload { layers.layer(layer) } else { Device::Cpu };
        cache.add(device, bytes);
    }
    cache
}

fn pad(cells: u64) -> u64 {
    cells.div_ceil(CELL_PADDING).saturating_mul(CELL_PADDING)
}

#[cfg(test)]
#[path = "kv_cache_tests.rs"]
mod tests;
