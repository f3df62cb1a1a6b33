//! The hyperparameters and tensors of a model that its memory use depends on, read from the
//! GGUF header of every part.

use std::path::Path;

use super::error::EstimateError;
use super::swa::sliding_layers;
use crate::gguf::{GgufFile, MetadataValue};

/// More layers than any published model has; a larger `block_count` marks a corrupt header.
const MAX_LAYERS: u64 = 10_000;

/// One tensor: where it goes depends on its name, its size on its ggml type and shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TensorShape {
    pub name: String,
    pub bytes: u64,
    pub ggml_type: u32,
    /// Rows: the second dimension, 1 for a vector.
    pub rows: u64,
}

impl TensorShape {
    /// Returns the layer of a `blk.N.*` tensor.
    pub fn layer(&self) -> Option<u64> {
        self.name.strip_prefix("blk.")?.split('.').next()?.parse().ok()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelShape {
    pub architecture: String,
    pub block_count: u64,
    pub embedding_length: u64,
    /// The largest feed-forward width over the layers; 0 when the file has none.
    pub feed_forward_length: u64,
    pub head_count: u64,
    /// KV heads of each layer. Layers without attention (recurrent layers of hybrid models)
    /// have 0.
    pub head_count_kv: Vec<u64>,
    /// Size of one key head; `embedding_length / head_count` when the file has no key length.
    pub key_length: u64,
    pub value_length: u64,
    pub vocab_size: u64,
    pub trained_context: Option<u64>,
    /// `<arch>.attention.sliding_window`, in tokens.
    pub sliding_window: Option<u64>,
    /// One flag per layer, true for a sliding-window layer; `None` when no layer slides.
    pub sliding_layers: Option<Vec<bool>>,
    pub tensors: Vec<TensorShape>,
}

impl ModelShape {
    /// Reads the shape from the header of the first part and the tensors of every part.
    /// `path` is only used in errors.
    pub fn from_gguf(path: &Path, first: &GgufFile, other_parts: &[GgufFile]) -> Result<ModelShape, EstimateError> {
        let metadata = Keys { file: first, path };
        let architecture = metadata
            .string("general.architecture")
            .ok_or_else(|| metadata.missing("general.architecture"))?;
        let key = |suffix: &str| format!("{architecture}.{suffix}");

        let block_count = metadata.max(&key("block_count")).ok_or_else(|| metadata.missing(&key("block_count")))?;
        if block_count > MAX_LAYERS {
            return Err(EstimateError::Implausible {
                path: path.to_owned(),
                key: key("block_count"),
                value: block_count,
            });
        }
        let embedding_length = metadata
            .max(&key("embedding_length"))
            .ok_or_else(|| metadata.missing(&key("embedding_length")))?;
        let head_count = metadata.max(&key("attention.head_count")).unwrap_or(0);
        let head_count_kv = metadata.per_layer(&key("attention.head_count_kv"), block_count, head_count);
        let default_head_size = embedding_length.checked_div(head_count).unwrap_or(0);

        let tensors: Vec<TensorShape> = std::iter::once(first)
            .chain(other_parts)
            .flat_map(|file| file.tensors.iter())
            .map(|tensor| TensorShape {
                name: tensor.name.clone(),
                bytes: tensor.byte_size().unwrap_or(0),
                ggml_type: tensor.ggml_type,
                rows: tensor.dimensions.get(1).copied().unwrap_or(1),
            })
            .collect();
        // gemma2 files may lack the window; llama.cpp then uses 4096.
        let sliding_window = metadata
            .max(&key("attention.sliding_window"))
            .or_else(|| (architecture == "gemma2").then_some(4096))
            .filter(|window| *window > 0);
        let sliding_layers = sliding_window.and_then(|_| {
            sliding_layers(&architecture, first.metadata.get(&key("attention.sliding_window_pattern")), block_count)
        });
        let vocab_size = metadata
            .array_len("tokenizer.ggml.tokens")
            .or_else(|| embedding_rows(&tensors))
            .unwrap_or(0);

        Ok(ModelShape {
            block_count,
            embedding_length,
            feed_forward_length: metadata.max(&key("feed_forward_length")).unwrap_or(0),
            head_count,
            head_count_kv,
            key_length: metadata.max(&key("attention.key_length")).unwrap_or(default_head_size),
            value_length: metadata.max(&key("attention.value_length")).unwrap_or(default_head_size),
            vocab_size,
            trained_context: metadata.max(&key("context_length")),
            sliding_window,
            sliding_layers,
            tensors,
            architecture,
        })
    }

    /// Sum of all tensor bytes.
    pub fn tensor_bytes(&self) -> u64 {
        self.tensors.iter().fold(0u64, |sum, tensor| sum.saturating_add(tensor.bytes))
    }
}

/// Returns the row count of the token embedding as the vocabulary size, for files without a
/// token list.
fn embedding_rows(tensors: &[TensorShape]) -> Option<u64> {
    tensors.iter().find(|tensor| tensor.name == "token_embd.weight").map(|tensor| tensor.rows)
}

struct Keys<'a> {
    file: &'a GgufFile,
    path: &'a Path,
}

impl Keys<'_> {
    fn string(&self, key: &str) -> Option<String> {
        self.file.metadata.get(key).and_then(MetadataValue::as_str).map(str::to_owned)
    }

    /// Returns an integer, or the largest integer of a per-layer array.
    fn max(&self, key: &str) -> Option<u64> {
        match self.file.metadata.get(key)? {
            MetadataValue::Array(items) => items.iter().filter_map(MetadataValue::as_u64).max(),
            scalar => scalar.as_u64(),
        }
    }

    /// Returns one value per layer: an array as stored, a scalar repeated, or `default`.
    fn per_layer(&self, key: &str, layers: u64, default: u64) -> Vec<u64> {
        match self.file.metadata.get(key) {
            Some(MetadataValue::Array(items)) => items.iter().map(|item| item.as_u64().unwrap_or(0)).collect(),
            Some(scalar) => vec![scalar.as_u64().unwrap_or(default); layers as usize],
            None => vec![default; layers as usize],
        }
    }

    fn array_len(&self, key: &str) -> Option<u64> {
        match self.file.metadata.get(key)? {
            MetadataValue::Array(items) => Some(items.len() as u64),
            MetadataValue::SkippedArray { len, .. } => Some(*len),
            _ => None,
        }
    }

    fn missing(&self, key: &str) -> EstimateError {
        EstimateError::MissingKey {
            path: self.path.to_owned(),
            key: key.to_owned(),
        }
    }
}
