//! Deriving `ModelMetadata` from a model's GGUF header, reading every part of a split model.

use std::path::Path;

use super::error::GgufError;
use super::file_type::file_type_name;
use super::model_metadata::ModelMetadata;
use super::parse::{GgufFile, read_gguf_file};
use super::split::split_part_paths;
use super::value::MetadataValue;

/// Tensor totals of one file.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct TensorTotals {
    parameter_count: u64,
    tensor_bytes: u64,
    tensors_of_unknown_size: u64,
}

impl TensorTotals {
    fn of(file: &GgufFile) -> TensorTotals {
        let mut totals = TensorTotals::default();
        for tensor in &file.tensors {
            totals.parameter_count = totals.parameter_count.saturating_add(tensor.element_count());
            match tensor.byte_size() {
                Some(bytes) => totals.tensor_bytes = totals.tensor_bytes.saturating_add(bytes),
                None => totals.tensors_of_unknown_size += 1,
            }
        }
        totals
    }

    fn add(&mut self, other: TensorTotals) {
        self.parameter_count = self.parameter_count.saturating_add(other.parameter_count);
        self.tensor_bytes = self.tensor_bytes.saturating_add(other.tensor_bytes);
        self.tensors_of_unknown_size += other.tensors_of_unknown_size;
    }
}

/// Reads the header of the model at `path` and derives its facts. When `split.count` is above 1,
/// `path` must be a part named `<name>-NNNNN-of-MMMMM.gguf` and the other parts must sit next to
/// it, because the tensor totals and file sizes cover all parts. Metadata comes from `path` only.
pub fn model_metadata(path: &Path) -> Result<ModelMetadata, GgufError> {
    let file = read_gguf_file(path)?;
    let mut totals = TensorTotals::of(&file);
    let mut file_size = file_len(path)?;

    let split_count = split_count(&file, path)?;
    if split_count > 1 {
        for (index, part_path) in split_part_paths(path, split_count)?.iter().enumerate() {
            if part_path.file_name() == path.file_name() {
                continue;
            }
            let part = read_gguf_file(part_path)?;
            check_split_part(&part, part_path, index, split_count)?;
            totals.add(TensorTotals::of(&part));
            file_size = file_size.saturating_add(file_len(part_path)?);
        }
    }

    if totals.tensors_of_unknown_size > 0 {
        tracing::warn!(
            path = %path.display(),
            tensors = totals.tensors_of_unknown_size,
            "model has tensors of unknown ggml types; tensor_bytes leaves them out"
        );
    }

    Ok(derive(&file, totals, file_size, split_count))
}

fn file_len(path: &Path) -> Result<u64, GgufError> {
    std::fs::metadata(path)
        .map(|metadata| metadata.len())
        .map_err(|error| GgufError::io(path, &error))
}

/// Reads `split.count`: 1 when absent. llama.cpp stores it as u16.
fn split_count(file: &GgufFile, path: &Path) -> Result<u32, GgufError> {
    let Some(value) = file.metadata.get("split.count") else {
        return Ok(1);
    };
    match value.as_u64().map(u16::try_from) {
        Some(Ok(0)) => Ok(1),
        Some(Ok(count)) => Ok(u32::from(count)),
        _ => Err(GgufError::InvalidSplit {
            path: path.to_owned(),
            message: format!("split.count must be an integer from 0 to 65535, found {value:?}"),
        }),
    }
}

/// Checks that a part agrees with the first on the part count and that its `split.no`, when
/// present, matches its place in the file names.
fn check_split_part(part: &GgufFile, path: &Path, index: usize, count: u32) -> Result<(), GgufError> {
    let part_count = part.metadata.get("split.count").and_then(MetadataValue::as_u64);
    if let Some(part_count) = part_count.filter(|part_count| *part_count != u64::from(count)) {
        return Err(GgufError::InvalidSplit {
            path: path.to_owned(),
            message: format!("split.count is {part_count}, expected {count} as in the part that was opened"),
        });
    }

    let part_number = part.metadata.get("split.no").and_then(MetadataValue::as_u64);
    if let Some(part_number) = part_number.filter(|number| *number != index as u64) {
        return Err(GgufError::InvalidSplit {
            path: path.to_owned(),
            message: format!(
                "split.no is {part_number}, expected {index} for file name part {}",
                index + 1
            ),
        });
    }
    Ok(())
}

fn derive(file: &GgufFile, totals: TensorTotals, file_size: u64, split_count: u32) -> ModelMetadata {
    let string = |key: &str| {
        file.metadata
            .get(key)
            .and_then(MetadataValue::as_str)
            .map(str::to_string)
    };
    let unsigned = |key: &str| file.metadata.get(key).and_then(MetadataValue::as_u64);
    let has = |key: &str| file.metadata.contains_key(key);

    let architecture = string("general.architecture");
    let arch_key = |suffix: &str| format!("{}.{suffix}", architecture.as_deref().unwrap_or_default());
    let arch_unsigned = |suffix: &str| architecture.as_ref().and_then(|_| unsigned(&arch_key(suffix)));
    let arch_max = |suffix: &str| {
        architecture
            .as_ref()
            .and_then(|_| max_u64(file.metadata.get(&arch_key(suffix))?))
    };

    let file_type = unsigned("general.file_type").and_then(|value| u32::try_from(value).ok());
    let has_fill_in_middle = (has("tokenizer.ggml.fim_pre_token_id") && has("tokenizer.ggml.fim_suf_token_id"))
        || (has("tokenizer.ggml.prefix_token_id") && has("tokenizer.ggml.suffix_token_id"));

    let mut model_info = serde_json::Map::new();
    for (key, value) in &file.metadata {
        if !matches!(value, MetadataValue::SkippedArray { .. }) {
            model_info.insert(key.clone(), value.to_json());
        }
    }
    model_info.insert("general.parameter_count".to_string(), totals.parameter_count.into());

    ModelMetadata {
        name: string("general.name"),
        basename: string("general.basename"),
        size_label: string("general.size_label"),
        parameter_count: totals.parameter_count,
        file_type,
        quantization: file_type.and_then(file_type_name).map(str::to_string),
        context_length: arch_unsigned("context_length"),
        embedding_length: arch_unsigned("embedding_length"),
        block_count: arch_unsigned("block_count"),
        head_count: arch_max("attention.head_count"),
        head_count_kv: arch_max("attention.head_count_kv"),
        key_length: arch_unsigned("attention.key_length"),
        value_length: arch_unsigned("attention.value_length"),
        pooling_type: arch_unsigned("pooling_type").and_then(|value| u32::try_from(value).ok()),
        chat_template: string("tokenizer.chat_template"),
        has_fill_in_middle,
        tensor_bytes: totals.tensor_bytes,
        file_size,
        split_count,
        model_info,
        architecture,
    }
}

/// Returns an integer value, or the largest integer of an array of per-layer values.
fn max_u64(value: &MetadataValue) -> Option<u64> {
    match value {
        MetadataValue::Array(items) => items.iter().filter_map(MetadataValue::as_u64).max(),
        scalar => scalar.as_u64(),
    }
}
