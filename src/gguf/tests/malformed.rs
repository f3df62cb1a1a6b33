//! Malformed headers: each returns a typed error, never a panic.

use std::io::Cursor;

use super::builder::GgufBuilder;
use crate::gguf::value::value_type;
use crate::gguf::{GgufError, MetadataValue, parse_gguf};

fn parse_error(bytes: Vec<u8>) -> GgufError {
    parse_gguf(Cursor::new(bytes)).expect_err("malformed input must fail")
}

fn small_file() -> GgufBuilder {
    GgufBuilder::new(3)
        .string("general.architecture", "llama")
        .u32("llama.context_length", 4096)
        .value(
            "test.nested",
            &MetadataValue::Array(vec![MetadataValue::Array(vec![MetadataValue::I16(-1)])]),
        )
        .token_list("tokenizer.ggml.tokens", 1100)
        .tensor("token_embd.weight", &[64, 8], 1)
        .tensor("output_norm.weight", &[64], 0)
}

/// Encodes a header with the given counts and nothing after them.
fn header_with_counts(tensor_count: u64, metadata_count: u64) -> Vec<u8> {
    let mut bytes = b"GGUF".to_vec();
    bytes.extend_from_slice(&3u32.to_le_bytes());
    bytes.extend_from_slice(&tensor_count.to_le_bytes());
    bytes.extend_from_slice(&metadata_count.to_le_bytes());
    bytes
}

#[test]
fn bad_magic_is_rejected() {
    let mut bytes = small_file().build();
    bytes[..4].copy_from_slice(b"GGML");

    assert_eq!(parse_error(bytes), GgufError::BadMagic { found: *b"GGML" });
}

#[test]
fn unsupported_versions_are_rejected() {
    for version in [0, 1, 4, 0x0100] {
        let bytes = GgufBuilder::new(version).build();

        assert_eq!(
            parse_error(bytes),
            GgufError::UnsupportedVersion { version },
            "version {version}"
        );
    }
}

#[test]
fn big_endian_file_is_rejected() {
    let bytes = GgufBuilder::new(3u32.swap_bytes()).build();

    assert_eq!(parse_error(bytes), GgufError::BigEndian { raw: 0x0300_0000 });
}

#[test]
fn truncation_at_every_offset_fails() {
    let bytes = small_file().build();

    for len in 0..bytes.len() {
        let result = parse_gguf(Cursor::new(&bytes[..len]));
        assert!(result.is_err(), "prefix of {len} bytes parsed");
    }
    assert!(parse_gguf(Cursor::new(&bytes)).is_ok());
}

#[test]
fn truncated_tensor_data_is_reported() {
    let mut bytes = small_file().build();
    bytes.pop();

    let error = parse_error(bytes);

    assert!(
        matches!(
            error,
            GgufError::Truncated {
                field: "tensor data",
                ..
            }
        ),
        "{error:?}"
    );
}

#[test]
fn alignment_must_be_a_power_of_two() {
    let bytes = GgufBuilder::new(3)
        .u32("general.alignment", 48)
        .tensor("t", &[4], 0)
        .build();

    assert_eq!(parse_error(bytes), GgufError::InvalidAlignment { alignment: 48 });
}

#[test]
fn absurd_counts_are_rejected_before_allocation() {
    let too_many_tensors = parse_error(header_with_counts(10_000_000, 0));
    let too_many_keys = parse_error(header_with_counts(0, u64::MAX));
    let more_than_file = parse_error(header_with_counts(1000, 1000));

    assert!(
        matches!(
            too_many_tensors,
            GgufError::LimitExceeded {
                field: "tensor count",
                ..
            }
        ),
        "{too_many_tensors:?}"
    );
    assert!(
        matches!(
            too_many_keys,
            GgufError::LimitExceeded {
                field: "metadata key/value count",
                ..
            }
        ),
        "{too_many_keys:?}"
    );
    assert!(
        matches!(more_than_file, GgufError::Truncated { .. }),
        "{more_than_file:?}"
    );
}

#[test]
fn absurd_string_length_is_rejected() {
    let mut bytes = header_with_counts(0, 1);
    bytes.extend_from_slice(&u64::MAX.to_le_bytes());
    bytes.extend_from_slice(&[0; 64]);

    let error = parse_error(bytes);

    assert!(
        matches!(
            error,
            GgufError::LimitExceeded {
                field: "metadata key",
                ..
            }
        ),
        "{error:?}"
    );
}

#[test]
fn string_value_over_16_mib_is_rejected() {
    let mut encoded = (16 * 1024 * 1024 + 1u64).to_le_bytes().to_vec();
    encoded.extend_from_slice(b"{{ bos_token }}");
    let bytes = GgufBuilder::new(3)
        .raw("tokenizer.chat_template", value_type::STRING, encoded)
        .build();

    let error = parse_error(bytes);

    assert!(
        matches!(
            error,
            GgufError::LimitExceeded {
                field: "string value",
                ..
            }
        ),
        "{error:?}"
    );
}

#[test]
fn absurd_array_lengths_are_rejected() {
    let mut over_limit = value_type::UINT8.to_le_bytes().to_vec();
    over_limit.extend_from_slice(&(1u64 << 40).to_le_bytes());
    let mut over_file = value_type::UINT64.to_le_bytes().to_vec();
    over_file.extend_from_slice(&1_000_000u64.to_le_bytes());

    let limit_error = parse_error(
        GgufBuilder::new(3)
            .raw("test.array", value_type::ARRAY, over_limit)
            .build(),
    );
    let file_error = parse_error(
        GgufBuilder::new(3)
            .raw("test.array", value_type::ARRAY, over_file)
            .build(),
    );

    assert!(
        matches!(
            limit_error,
            GgufError::LimitExceeded {
                field: "array length",
                ..
            }
        ),
        "{limit_error:?}"
    );
    assert!(
        matches!(
            file_error,
            GgufError::Truncated {
                field: "array elements",
                ..
            }
        ),
        "{file_error:?}"
    );
}

#[test]
fn unknown_value_types_are_rejected() {
    let scalar = parse_error(GgufBuilder::new(3).raw("test.value", 13, vec![0; 8]).build());
    let mut array = 99u32.to_le_bytes().to_vec();
    array.extend_from_slice(&2u64.to_le_bytes());
    let element = parse_error(GgufBuilder::new(3).raw("test.array", value_type::ARRAY, array).build());

    assert_eq!(
        scalar,
        GgufError::UnknownValueType {
            key: "test.value".into(),
            value_type: 13
        }
    );
    assert_eq!(
        element,
        GgufError::UnknownValueType {
            key: "test.array".into(),
            value_type: 99
        }
    );
}

#[test]
fn deep_nesting_is_rejected() {
    let mut value = MetadataValue::Array(vec![MetadataValue::U8(1)]);
    for _ in 0..9 {
        value = MetadataValue::Array(vec![value]);
    }

    let error = parse_error(GgufBuilder::new(3).value("test.deep", &value).build());

    assert_eq!(
        error,
        GgufError::NestingTooDeep {
            key: "test.deep".into(),
            max: 8
        }
    );
}

#[test]
fn duplicate_key_is_rejected() {
    let bytes = GgufBuilder::new(3).u32("test.key", 1).u32("test.key", 2).build();

    assert_eq!(parse_error(bytes), GgufError::DuplicateKey { key: "test.key".into() });
}

#[test]
fn duplicate_tensor_is_rejected() {
    let bytes = GgufBuilder::new(3).tensor("a", &[4], 0).tensor("a", &[4], 0).build();

    assert_eq!(parse_error(bytes), GgufError::DuplicateTensor { name: "a".into() });
}

#[test]
fn invalid_tensor_shapes_are_rejected() {
    let too_many = parse_error(GgufBuilder::new(3).tensor("t", &[1; 9], 0).build());
    let overflow = parse_error(GgufBuilder::new(3).tensor("t", &[1 << 32, 1 << 32], 0).build());
    let negative = parse_error(GgufBuilder::new(3).tensor("t", &[u64::MAX], 99).build());
    let partial_block = parse_error(GgufBuilder::new(3).tensor("t", &[100, 2], 12).build());

    assert_eq!(
        too_many,
        GgufError::TooManyDimensions {
            name: "t".into(),
            count: 9,
            max: 8
        }
    );
    assert!(
        matches!(overflow, GgufError::ElementCountOverflow { .. }),
        "{overflow:?}"
    );
    assert!(
        matches!(negative, GgufError::ElementCountOverflow { .. }),
        "{negative:?}"
    );
    assert_eq!(
        partial_block,
        GgufError::NotBlockAligned {
            name: "t".into(),
            ggml_type: 12,
            first_dimension: 100,
            block_size: 256
        }
    );
}
