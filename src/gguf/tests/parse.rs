//! Parsing well-formed files: every value type, skipped arrays and tensor infos.

use std::io::Cursor;

use super::builder::GgufBuilder;
use crate::gguf::value::value_type;
use crate::gguf::{GgufError, MetadataValue, parse_gguf, read_gguf_file};

fn every_value_type() -> Vec<(&'static str, MetadataValue)> {
    vec![
        ("test.u8", MetadataValue::U8(200)),
        ("test.i8", MetadataValue::I8(-100)),
        ("test.u16", MetadataValue::U16(60_000)),
        ("test.i16", MetadataValue::I16(-30_000)),
        ("test.u32", MetadataValue::U32(4_000_000_000)),
        ("test.i32", MetadataValue::I32(-2_000_000_000)),
        ("test.u64", MetadataValue::U64(u64::MAX)),
        ("test.i64", MetadataValue::I64(i64::MIN)),
        ("test.f32", MetadataValue::F32(1e-6)),
        ("test.f64", MetadataValue::F64(-2.5e300)),
        ("test.bool_true", MetadataValue::Bool(true)),
        ("test.bool_false", MetadataValue::Bool(false)),
        (
            "test.string",
            MetadataValue::String("{% for message in messages %}ünï{% endfor %}".into()),
        ),
        ("test.empty_string", MetadataValue::String(String::new())),
        ("test.empty_array", MetadataValue::Array(vec![])),
        (
            "test.i32_array",
            MetadataValue::Array(vec![
                MetadataValue::I32(1),
                MetadataValue::I32(-2),
                MetadataValue::I32(3),
            ]),
        ),
        (
            "test.string_array",
            MetadataValue::Array(vec![
                MetadataValue::String("en".into()),
                MetadataValue::String("fr".into()),
            ]),
        ),
        (
            "test.nested_array",
            MetadataValue::Array(vec![
                MetadataValue::Array(vec![MetadataValue::U16(1), MetadataValue::U16(2)]),
                MetadataValue::Array(vec![MetadataValue::U16(3)]),
            ]),
        ),
    ]
}

fn round_trip(version: u32) {
    let values = every_value_type();
    let mut builder = GgufBuilder::new(version);
    for (key, value) in &values {
        builder = builder.value(key, value);
    }

    let file = parse_gguf(Cursor::new(builder.build())).unwrap();

    assert_eq!(file.version, version);
    assert_eq!(file.metadata.len(), values.len());
    for (key, value) in &values {
        assert_eq!(file.metadata.get(*key), Some(value), "key {key}");
    }
}

#[test]
fn every_value_type_round_trips_in_v2() {
    round_trip(2);
}

#[test]
fn every_value_type_round_trips_in_v3() {
    round_trip(3);
}

#[test]
fn long_arrays_are_skipped_and_parsing_continues() {
    let scores: Vec<MetadataValue> = (0..5000).map(|index| MetadataValue::F32(index as f32)).collect();
    let nested: Vec<MetadataValue> = (0..1500)
        .map(|_| MetadataValue::Array(vec![MetadataValue::String("ab".into())]))
        .collect();
    let bytes = GgufBuilder::new(3)
        .token_list("tokenizer.ggml.tokens", 2000)
        .value("tokenizer.ggml.scores", &MetadataValue::Array(scores))
        .value("test.nested", &MetadataValue::Array(nested))
        .u32("test.after", 7)
        .tensor("output.weight", &[64, 4], 0)
        .build();

    let file = parse_gguf(Cursor::new(bytes)).unwrap();

    let tokens = MetadataValue::SkippedArray {
        element_type: value_type::STRING,
        len: 2000,
    };
    let scores = MetadataValue::SkippedArray {
        element_type: value_type::FLOAT32,
        len: 5000,
    };
    let nested = MetadataValue::SkippedArray {
        element_type: value_type::ARRAY,
        len: 1500,
    };
    assert_eq!(file.metadata["tokenizer.ggml.tokens"], tokens);
    assert_eq!(file.metadata["tokenizer.ggml.scores"], scores);
    assert_eq!(file.metadata["test.nested"], nested);
    assert_eq!(file.metadata["test.after"], MetadataValue::U32(7));
    assert_eq!(file.tensors.len(), 1);
    assert_eq!(file.tensors[0].name, "output.weight");
}

#[test]
fn array_at_retention_limit_is_kept() {
    let items: Vec<MetadataValue> = (0..1024).map(MetadataValue::U32).collect();
    let bytes = GgufBuilder::new(3)
        .value("test.kept", &MetadataValue::Array(items.clone()))
        .build();

    let file = parse_gguf(Cursor::new(bytes)).unwrap();

    assert_eq!(file.metadata["test.kept"], MetadataValue::Array(items));
}

#[test]
fn tensor_infos_are_read() {
    let bytes = GgufBuilder::new(3)
        .tensor("token_embd.weight", &[512, 262_144], 12)
        .tensor("blk.0.attn_norm.weight", &[640], 0)
        .tensor("blk.0.ffn_up.weight", &[640, 2048], 99)
        .build();

    let file = parse_gguf(Cursor::new(bytes)).unwrap();

    let embedding = &file.tensors[0];
    assert_eq!(embedding.dimensions, vec![512, 262_144]);
    assert_eq!(embedding.ggml_type, 12);
    assert_eq!(embedding.offset, 0);
    assert_eq!(embedding.element_count(), 512 * 262_144);
    assert_eq!(embedding.byte_size(), Some(512 / 256 * 262_144 * 144));

    let norm = &file.tensors[1];
    assert_eq!(norm.offset, (512 / 256 * 262_144 * 144_u64).next_multiple_of(32));
    assert_eq!(norm.byte_size(), Some(640 * 4));

    let unknown_type = &file.tensors[2];
    assert_eq!(unknown_type.element_count(), 640 * 2048);
    assert_eq!(unknown_type.byte_size(), None);
}

#[test]
fn parse_starts_at_current_position() {
    let mut bytes = b"prefix".to_vec();
    bytes.extend(GgufBuilder::new(3).u32("test.value", 1).build());
    let mut cursor = Cursor::new(bytes);
    cursor.set_position(6);

    let file = parse_gguf(&mut cursor).unwrap();

    assert_eq!(file.metadata["test.value"], MetadataValue::U32(1));
}

#[test]
fn missing_file_is_io_error() {
    let error = read_gguf_file(std::path::Path::new("/nonexistent/model.gguf")).unwrap_err();

    assert!(matches!(error, GgufError::Io { .. }), "{error:?}");
}

#[test]
fn file_errors_name_the_path() {
    let folder = super::TempFolder::new("parse-path");
    let path = folder.path().join("bad.gguf");
    std::fs::write(&path, b"GGUF\x01\x00\x00\x00").unwrap();

    let error = read_gguf_file(&path).unwrap_err();

    assert_eq!(error.root(), &GgufError::UnsupportedVersion { version: 1 });
    assert!(error.to_string().contains("bad.gguf"), "{error}");
}
