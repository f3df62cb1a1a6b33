//! Builds small GGUF files in memory for the tests.

use crate::gguf::value::value_type;
use crate::gguf::{MetadataValue, TensorInfo};

/// Alignment of the tensor data section when `general.alignment` is absent.
const DEFAULT_ALIGNMENT: usize = 32;

pub(super) struct GgufBuilder {
    version: u32,
    /// Key, value type code and encoded value.
    metadata: Vec<(String, u32, Vec<u8>)>,
    tensors: Vec<TensorInfo>,
}

impl GgufBuilder {
    pub(super) fn new(version: u32) -> GgufBuilder {
        GgufBuilder {
            version,
            metadata: Vec::new(),
            tensors: Vec::new(),
        }
    }

    pub(super) fn value(mut self, key: &str, value: &MetadataValue) -> GgufBuilder {
        let mut encoded = Vec::new();
        encode_value(value, &mut encoded);
        self.metadata.push((key.to_string(), type_code(value), encoded));
        self
    }

    pub(super) fn string(self, key: &str, text: &str) -> GgufBuilder {
        self.value(key, &MetadataValue::String(text.to_string()))
    }

    pub(super) fn u32(self, key: &str, number: u32) -> GgufBuilder {
        self.value(key, &MetadataValue::U32(number))
    }

    /// Adds a value whose encoding is given as raw bytes, for malformed inputs.
    pub(super) fn raw(mut self, key: &str, code: u32, encoded: Vec<u8>) -> GgufBuilder {
        self.metadata.push((key.to_string(), code, encoded));
        self
    }

    /// Adds a string array of `len` tokens, longer than the reader keeps.
    pub(super) fn token_list(self, key: &str, len: usize) -> GgufBuilder {
        let mut encoded = Vec::new();
        encoded.extend_from_slice(&value_type::STRING.to_le_bytes());
        encoded.extend_from_slice(&(len as u64).to_le_bytes());
        for index in 0..len {
            encode_string(&format!("token{index}"), &mut encoded);
        }
        self.raw(key, value_type::ARRAY, encoded)
    }

    /// Adds a tensor whose data follows the previous tensor's, aligned to 32 bytes.
    pub(super) fn tensor(mut self, name: &str, dimensions: &[u64], ggml_type: u32) -> GgufBuilder {
        let offset = self.data_len().next_multiple_of(DEFAULT_ALIGNMENT as u64);
        self.tensors.push(TensorInfo {
            name: name.to_string(),
            dimensions: dimensions.to_vec(),
            ggml_type,
            offset,
        });
        self
    }

    /// Returns the end of the last tensor's data, relative to the data section.
    fn data_len(&self) -> u64 {
        self.tensors
            .last()
            .map_or(0, |tensor| tensor.offset + tensor.byte_size().unwrap_or(0))
    }

    /// Returns the header bytes only: everything the parser reads.
    pub(super) fn header(&self) -> Vec<u8> {
        let mut bytes = b"GGUF".to_vec();
        bytes.extend_from_slice(&self.version.to_le_bytes());
        bytes.extend_from_slice(&(self.tensors.len() as u64).to_le_bytes());
        bytes.extend_from_slice(&(self.metadata.len() as u64).to_le_bytes());

        for (key, code, encoded) in &self.metadata {
            encode_string(key, &mut bytes);
            bytes.extend_from_slice(&code.to_le_bytes());
            bytes.extend_from_slice(encoded);
        }

        for tensor in &self.tensors {
            encode_string(&tensor.name, &mut bytes);
            bytes.extend_from_slice(&(tensor.dimensions.len() as u32).to_le_bytes());
            for dimension in &tensor.dimensions {
                bytes.extend_from_slice(&dimension.to_le_bytes());
            }
            bytes.extend_from_slice(&tensor.ggml_type.to_le_bytes());
            bytes.extend_from_slice(&tensor.offset.to_le_bytes());
        }
        bytes
    }

    /// Returns a whole file: header, padding and zeroed tensor data. A file without tensors
    /// ends after the header.
    pub(super) fn build(&self) -> Vec<u8> {
        let mut bytes = self.header();
        if self.tensors.is_empty() {
            return bytes;
        }
        bytes.resize(bytes.len().next_multiple_of(DEFAULT_ALIGNMENT), 0);
        bytes.resize(bytes.len() + self.data_len() as usize, 0);
        bytes
    }
}

fn type_code(value: &MetadataValue) -> u32 {
    match value {
        MetadataValue::U8(_) => value_type::UINT8,
        MetadataValue::I8(_) => value_type::INT8,
        MetadataValue::U16(_) => value_type::UINT16,
        MetadataValue::I16(_) => value_type::INT16,
        MetadataValue::U32(_) => value_type::UINT32,
        MetadataValue::I32(_) => value_type::INT32,
        MetadataValue::U64(_) => value_type::UINT64,
        MetadataValue::I64(_) => value_type::INT64,
        MetadataValue::F32(_) => value_type::FLOAT32,
        MetadataValue::F64(_) => value_type::FLOAT64,
        MetadataValue::Bool(_) => value_type::BOOL,
        MetadataValue::String(_) => value_type::STRING,
        MetadataValue::Array(_) | MetadataValue::SkippedArray { .. } => value_type::ARRAY,
    }
}

fn encode_string(text: &str, out: &mut Vec<u8>) {
    out.extend_from_slice(&(text.len() as u64).to_le_bytes());
    out.extend_from_slice(text.as_bytes());
}

fn encode_value(value: &MetadataValue, out: &mut Vec<u8>) {
    match value {
        MetadataValue::U8(number) => out.push(*number),
        MetadataValue::I8(number) => out.extend_from_slice(&number.to_le_bytes()),
        MetadataValue::U16(number) => out.extend_from_slice(&number.to_le_bytes()),
        MetadataValue::I16(number) => out.extend_from_slice(&number.to_le_bytes()),
        MetadataValue::U32(number) => out.extend_from_slice(&number.to_le_bytes()),
        MetadataValue::I32(number) => out.extend_from_slice(&number.to_le_bytes()),
        MetadataValue::U64(number) => out.extend_from_slice(&number.to_le_bytes()),
        MetadataValue::I64(number) => out.extend_from_slice(&number.to_le_bytes()),
        MetadataValue::F32(number) => out.extend_from_slice(&number.to_le_bytes()),
        MetadataValue::F64(number) => out.extend_from_slice(&number.to_le_bytes()),
        MetadataValue::Bool(flag) => out.push(u8::from(*flag)),
        MetadataValue::String(text) => encode_string(text, out),
        MetadataValue::Array(items) => {
            let element_type = items.first().map_or(value_type::UINT8, type_code);
            out.extend_from_slice(&element_type.to_le_bytes());
            out.extend_from_slice(&(items.len() as u64).to_le_bytes());
            for item in items {
                encode_value(item, out);
            }
        }
        MetadataValue::SkippedArray { .. } => unreachable!("tests encode only values they hold"),
    }
}
