//! The real Gemma 3 270M Q4_K_M test model. These tests print a note and pass when the model
//! has not been fetched.

use std::time::Instant;

use super::{TempFolder, real_model_path};
use crate::gguf::value::value_type;
use crate::gguf::{MetadataCache, MetadataValue, model_metadata, read_gguf_file};

#[test]
fn gemma_header_is_read() {
    let Some(path) = real_model_path() else {
        return;
    };

    let file = read_gguf_file(&path).unwrap();

    assert_eq!(file.version, 3);
    assert_eq!(file.metadata["general.file_type"].as_u64(), Some(15));
    match &file.metadata["tokenizer.ggml.tokens"] {
        MetadataValue::SkippedArray { element_type, len } => {
            assert_eq!(*element_type, value_type::STRING);
            assert!(*len > 100_000, "token count {len}");
        }
        other => panic!("token list was kept: {other:?}"),
    }
    assert!(file.tensors.iter().any(|tensor| tensor.name == "token_embd.weight"));
    assert!(file.tensors.iter().all(|tensor| tensor.byte_size().is_some()));
}

#[test]
fn gemma_facts_are_derived() {
    let Some(path) = real_model_path() else {
        return;
    };

    let model = model_metadata(&path).unwrap();

    assert_eq!(model.architecture.as_deref(), Some("gemma3"));
    assert_eq!(model.family(), "gemma3");
    assert_eq!(model.file_type, Some(15));
    assert_eq!(model.quantization.as_deref(), Some("Q4_K_M"));
    assert!(
        model.context_length.is_some_and(|length| length >= 8192),
        "{:?}",
        model.context_length
    );
    assert!(
        (200_000_000..300_000_000).contains(&model.parameter_count),
        "{}",
        model.parameter_count
    );
    // This file contains no tokenizer.chat_template, so both sides are `None` for it.
    let template = file_chat_template(&path);
    assert_eq!(model.chat_template, template);
    assert!(model.embedding_length.is_some());
    assert!(model.block_count.is_some());
    assert!(model.head_count_kv.is_some());
    assert!(!model.is_embedding_model());
    assert_eq!(model.split_count, 1);
    assert_eq!(model.file_size, std::fs::metadata(&path).unwrap().len());
    assert!(
        model.tensor_bytes > 100_000_000 && model.tensor_bytes < model.file_size,
        "{}",
        model.tensor_bytes
    );
}

fn file_chat_template(path: &std::path::Path) -> Option<String> {
    let file = read_gguf_file(path).unwrap();
    file.metadata
        .get("tokenizer.chat_template")
        .and_then(MetadataValue::as_str)
        .map(str::to_string)
}

#[test]
fn gemma_model_info_has_no_large_arrays() {
    let Some(path) = real_model_path() else {
        return;
    };

    let model = model_metadata(&path).unwrap();

    let info = &model.model_info;
    assert_eq!(info["general.architecture"], "gemma3");
    assert_eq!(info["general.parameter_count"], model.parameter_count);
    for key in [
        "tokenizer.ggml.tokens",
        "tokenizer.ggml.scores",
        "tokenizer.ggml.token_type",
    ] {
        assert!(!info.contains_key(key), "{key} is in model_info");
    }
    let json = serde_json::to_string(info).unwrap();
    assert!(json.len() < 256 * 1024, "model_info is {} bytes", json.len());
}

/// Prints how long reading the metadata takes: from the file, from the memory cache and from
/// the disk cache. It asserts nothing about the timings. Run it with `--nocapture`.
#[test]
fn gemma_metadata_timings() {
    let Some(path) = real_model_path() else {
        return;
    };
    let folder = TempFolder::new("timings");

    let started = Instant::now();
    let model = model_metadata(&path).unwrap();
    let from_file = started.elapsed();

    let cache = MetadataCache::new(Some(folder.path().to_owned()));
    cache.get(&path).unwrap();
    let started = Instant::now();
    cache.get(&path).unwrap();
    let from_memory = started.elapsed();

    let fresh = MetadataCache::new(Some(folder.path().to_owned()));
    let started = Instant::now();
    fresh.get(&path).unwrap();
    let from_disk = started.elapsed();

    eprintln!("gemma metadata: file {from_file:?}, memory cache {from_memory:?}, disk cache {from_disk:?}");
    eprintln!(
        "gemma facts: {} parameters ({}), {} tensor bytes, context {:?}, embedding {:?}, blocks {:?}, heads {:?}/{:?}",
        model.parameter_count,
        model.parameter_size_label(),
        model.tensor_bytes,
        model.context_length,
        model.embedding_length,
        model.block_count,
        model.head_count,
        model.head_count_kv
    );
}
