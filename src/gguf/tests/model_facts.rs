//! Deriving `ModelMetadata` from synthetic single-file models.

use super::TempFolder;
use super::builder::GgufBuilder;
use crate::gguf::{GgufError, MetadataValue, model_metadata};

fn write(folder: &TempFolder, name: &str, builder: &GgufBuilder) -> std::path::PathBuf {
    let path = folder.path().join(name);
    std::fs::write(&path, builder.build()).unwrap();
    path
}

fn llama_file() -> GgufBuilder {
    let per_layer_kv_heads = MetadataValue::Array(vec![
        MetadataValue::I32(8),
        MetadataValue::I32(2),
        MetadataValue::I32(4),
    ]);
    GgufBuilder::new(3)
        .string("general.architecture", "llama")
        .string("general.name", "Tiny Llama")
        .string("general.basename", "tiny-llama")
        .u32("general.file_type", 7)
        .value("llama.context_length", &MetadataValue::U64(131_072))
        .u32("llama.embedding_length", 64)
        .u32("llama.block_count", 3)
        .u32("llama.attention.head_count", 16)
        .value("llama.attention.head_count_kv", &per_layer_kv_heads)
        .u32("llama.attention.key_length", 128)
        .u32("llama.attention.value_length", 128)
        .string("tokenizer.chat_template", "{{ messages }}")
        .u32("tokenizer.ggml.fim_pre_token_id", 1)
        .u32("tokenizer.ggml.fim_suf_token_id", 2)
        .token_list("tokenizer.ggml.tokens", 1500)
        .tensor("token_embd.weight", &[64, 100], 8)
        .tensor("output_norm.weight", &[64], 0)
}

#[test]
fn facts_come_from_architecture_keys() {
    let folder = TempFolder::new("facts");
    let builder = llama_file();
    let path = write(&folder, "tiny.gguf", &builder);

    let model = model_metadata(&path).unwrap();

    assert_eq!(model.architecture.as_deref(), Some("llama"));
    assert_eq!(model.name.as_deref(), Some("Tiny Llama"));
    assert_eq!(model.basename.as_deref(), Some("tiny-llama"));
    assert_eq!(model.size_label, None);
    assert_eq!(model.file_type, Some(7));
    assert_eq!(model.quantization.as_deref(), Some("Q8_0"));
    assert_eq!(model.context_length, Some(131_072));
    assert_eq!(model.embedding_length, Some(64));
    assert_eq!(model.block_count, Some(3));
    assert_eq!(model.head_count, Some(16));
    assert_eq!(model.head_count_kv, Some(8));
    assert_eq!(model.key_length, Some(128));
    assert_eq!(model.value_length, Some(128));
    assert_eq!(model.pooling_type, None);
    assert!(!model.is_embedding_model());
    assert_eq!(model.chat_template.as_deref(), Some("{{ messages }}"));
    assert!(model.has_fill_in_middle);
    assert_eq!(model.split_count, 1);
    assert_eq!(model.file_size, builder.build().len() as u64);
}

#[test]
fn totals_sum_all_tensors() {
    let folder = TempFolder::new("totals");
    let path = write(&folder, "tiny.gguf", &llama_file());

    let model = model_metadata(&path).unwrap();

    assert_eq!(model.parameter_count, 64 * 100 + 64);
    assert_eq!(model.tensor_bytes, 64 / 32 * 100 * 34 + 64 * 4);
    assert_eq!(model.parameter_size_label(), "6K");
}

#[test]
fn model_info_leaves_out_skipped_arrays() {
    let folder = TempFolder::new("model-info");
    let path = write(&folder, "tiny.gguf", &llama_file());

    let model = model_metadata(&path).unwrap();

    let info = &model.model_info;
    assert_eq!(info["general.architecture"], "llama");
    assert_eq!(info["llama.attention.head_count_kv"], serde_json::json!([8, 2, 4]));
    assert_eq!(info["general.parameter_count"], 64 * 100 + 64);
    assert!(!info.contains_key("tokenizer.ggml.tokens"));
}

#[test]
fn embedding_model_has_pooling_type() {
    let folder = TempFolder::new("embedding");
    let builder = GgufBuilder::new(2)
        .string("general.architecture", "bert")
        .u32("bert.pooling_type", 1)
        .u32("tokenizer.ggml.prefix_token_id", 3)
        .tensor("token_embd.weight", &[32, 10], 1);
    let path = write(&folder, "bert.gguf", &builder);

    let model = model_metadata(&path).unwrap();

    assert_eq!(model.pooling_type, Some(1));
    assert!(model.is_embedding_model());
    assert!(!model.has_fill_in_middle, "suffix token missing");
    assert_eq!(model.quantization, None);
    assert_eq!(model.family(), "bert");
}

#[test]
fn unknown_tensor_type_counts_parameters_but_not_bytes() {
    let folder = TempFolder::new("unknown-type");
    let builder = GgufBuilder::new(3)
        .tensor("known.weight", &[8], 0)
        .tensor("future.weight", &[16, 2], 200);
    let path = write(&folder, "future.gguf", &builder);

    let model = model_metadata(&path).unwrap();

    assert_eq!(model.parameter_count, 8 + 32);
    assert_eq!(model.tensor_bytes, 8 * 4);
    assert_eq!(model.architecture, None);
    assert_eq!(model.context_length, None);
    assert_eq!(model.family(), "unknown");
}

#[test]
fn file_without_architecture_has_no_arch_facts() {
    let folder = TempFolder::new("no-arch");
    let builder = GgufBuilder::new(3).u32(".context_length", 10);
    let path = write(&folder, "bare.gguf", &builder);

    let model = model_metadata(&path).unwrap();

    assert_eq!(model.context_length, None);
    assert_eq!(model.parameter_count, 0);
}

#[test]
fn malformed_file_error_names_the_path() {
    let folder = TempFolder::new("facts-malformed");
    let path = folder.path().join("broken.gguf");
    std::fs::write(&path, b"GGUF\x03\x00\x00\x00\x01").unwrap();

    let error = model_metadata(&path).unwrap_err();

    assert!(matches!(error.root(), GgufError::Truncated { .. }), "{error:?}");
    assert!(error.to_string().contains("broken.gguf"), "{error}");
}
