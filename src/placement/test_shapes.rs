//! Model shapes for the placement tests.

use super::model_shape::{ModelShape, TensorShape};
use super::swa::sliding_layers;

const MIB: u64 = 1 << 20;

/// gemma-3-270m as its GGUF header describes it: 18 layers, one KV head of 256, a 512-token
/// window on five layers in six, and a 262144-token vocabulary. The tensors are one per layer
/// plus the embedding, adding up to the 235 MiB of the Q4_K_M file.
pub(crate) fn gemma_270m() -> ModelShape {
    let mut tensors = vec![TensorShape {
        name: "token_embd.weight".to_owned(),
        bytes: 127 * MIB,
        ggml_type: 14,
        rows: 262_144,
    }];
    for layer in 0..18 {
        tensors.push(TensorShape {
            name: format!("blk.{layer}.ffn_up.weight"),
            bytes: 6 * MIB,
            ggml_type: 8,
            rows: 2048,
        });
    }

    ModelShape {
        architecture: "gemma3".to_owned(),
        block_count: 18,
        embedding_length: 640,
        feed_forward_length: 2048,
        head_count: 4,
        head_count_kv: vec![1; 18],
        key_length: 256,
        value_length: 256,
        vocab_size: 262_144,
        trained_context: Some(32_768),
        sliding_window: Some(512),
        sliding_layers: sliding_layers("gemma3", None, 18),
        tensors,
    }
}
