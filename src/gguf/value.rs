//! GGUF metadata values and the numeric value type codes that tag them in the file.

use serde_json::Value as JsonValue;

/// GGUF value type codes, as in `gguf_type` of llama.cpp's `ggml/include/gguf.h`.
pub mod value_type {
    pub const UINT8: u32 = 0;
    pub const INT8: u32 = 1;
    pub const UINT16: u32 = 2;
    pub const INT16: u32 = 3;
    pub const UINT32: u32 = 4;
    pub const INT32: u32 = 5;
    pub const FLOAT32: u32 = 6;
    pub const BOOL: u32 = 7;
    pub const STRING: u32 = 8;
    pub const ARRAY: u32 = 9;
    pub const UINT64: u32 = 10;
    pub const INT64: u32 = 11;
    pub const FLOAT64: u32 = 12;

    /// Encoded size in bytes of one value of a fixed-size type, or `None` for strings, arrays and
    /// unknown codes.
    pub fn fixed_size(code: u32) -> Option<u64> {
        match code {
            UINT8 | INT8 | BOOL => Some(1),
            UINT16 | INT16 => Some(2),
            UINT32 | INT32 | FLOAT32 => Some(4),
            UINT64 | INT64 | FLOAT64 => Some(8),
            _ => None,
        }
    }

    /// Smallest encoded size in bytes of one value of the type: a string needs its u64 length
    /// and an array its u32 element type and u64 length. `None` for unknown codes.
    pub fn min_encoded_size(code: u32) -> Option<u64> {
        match code {
            STRING => Some(8),
            ARRAY => Some(12),
            other => fixed_size(other),
        }
    }
}

/// One metadata value. Arrays longer than the reader's retention limit become `SkippedArray`,
/// which keeps only the element type code and the length.
#[derive(Debug, Clone, PartialEq)]
pub enum MetadataValue {
    U8(u8),
    I8(i8),
    U16(u16),
    I16(i16),
    U32(u32),
    I32(i32),
    U64(u64),
    I64(i64),
    F32(f32),
    F64(f64),
    Bool(bool),
    String(String),
    Array(Vec<MetadataValue>),
    SkippedArray { element_type: u32, len: u64 },
}

impl MetadataValue {
    /// Returns an integer value as u64: `None` for negative integers, floats, booleans, strings
    /// and arrays.
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            MetadataValue::U8(value) => Some(u64::from(value)),
            MetadataValue::U16(value) => Some(u64::from(value)),
            MetadataValue::U32(value) => Some(u64::from(value)),
            MetadataValue::U64(value) => Some(value),
            MetadataValue::I8(value) => u64::try_from(value).ok(),
            MetadataValue::I16(value) => u64::try_from(value).ok(),
            MetadataValue::I32(value) => u64::try_from(value).ok(),
            MetadataValue::I64(value) => u64::try_from(value).ok(),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            MetadataValue::String(text) => Some(text),
            _ => None,
        }
    }

    /// Converts to JSON. A skipped array and a NaN or infinite float become `null`. An f32 is
    /// converted through its shortest decimal text, so 1e-6 stays 1e-6 rather than
    /// 9.999999974752427e-7.
    pub fn to_json(&self) -> JsonValue {
        match self {
            MetadataValue::U8(value) => JsonValue::from(*value),
            MetadataValue::I8(value) => JsonValue::from(*value),
            MetadataValue::U16(value) => JsonValue::from(*value),
            MetadataValue::I16(value) => JsonValue::from(*value),
            MetadataValue::U32(value) => JsonValue::from(*value),
            MetadataValue::I32(value) => JsonValue::from(*value),
            MetadataValue::U64(value) => JsonValue::from(*value),
            MetadataValue::I64(value) => JsonValue::from(*value),
            MetadataValue::F32(value) => f32_to_json(*value),
            MetadataValue::F64(value) => f64_to_json(*value),
            MetadataValue::Bool(value) => JsonValue::Bool(*value),
            MetadataValue::String(text) => JsonValue::String(text.clone()),
            MetadataValue::Array(items) => JsonValue::Array(items.iter().map(MetadataValue::to_json).collect()),
            MetadataValue::SkippedArray { .. } => JsonValue::Null,
        }
    }
}

fn f32_to_json(value: f32) -> JsonValue {
    match value.to_string().parse::<f64>() {
        Ok(widened) => f64_to_json(widened),
        Err(_) => JsonValue::Null,
    }
}

fn f64_to_json(value: f64) -> JsonValue {
    serde_json::Number::from_f64(value).map_or(JsonValue::Null, JsonValue::Number)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn as_u64_accepts_non_negative_integers_only() {
        assert_eq!(MetadataValue::U8(7).as_u64(), Some(7));
        assert_eq!(MetadataValue::U64(u64::MAX).as_u64(), Some(u64::MAX));
        assert_eq!(MetadataValue::I32(8192).as_u64(), Some(8192));
        assert_eq!(MetadataValue::I64(-1).as_u64(), None);
        assert_eq!(MetadataValue::F32(2.0).as_u64(), None);
        assert_eq!(MetadataValue::Bool(true).as_u64(), None);
        assert_eq!(MetadataValue::String("3".into()).as_u64(), None);
    }

    #[test]
    fn as_str_only_for_strings() {
        assert_eq!(MetadataValue::String("gemma3".into()).as_str(), Some("gemma3"));
        assert_eq!(MetadataValue::U32(3).as_str(), None);
    }

    #[test]
    fn to_json_keeps_short_float_text() {
        assert_eq!(MetadataValue::F32(1e-6).to_json(), json!(1e-6));
        assert_eq!(MetadataValue::F32(0.1).to_json(), json!(0.1));
        assert_eq!(MetadataValue::F64(2.5).to_json(), json!(2.5));
    }

    #[test]
    fn to_json_null_for_nan_and_skipped() {
        assert_eq!(MetadataValue::F32(f32::NAN).to_json(), JsonValue::Null);
        assert_eq!(MetadataValue::F64(f64::INFINITY).to_json(), JsonValue::Null);
        let skipped = MetadataValue::SkippedArray {
            element_type: value_type::STRING,
            len: 262_144,
        };
        assert_eq!(skipped.to_json(), JsonValue::Null);
    }

    #[test]
    fn to_json_converts_nested_arrays() {
        let value = MetadataValue::Array(vec![
            MetadataValue::Array(vec![MetadataValue::I8(-1), MetadataValue::Bool(false)]),
            MetadataValue::String("x".into()),
        ]);

        assert_eq!(value.to_json(), json!([[-1, false], "x"]));
    }
}
