//! Reading the key/value section of a GGUF file, skipping large arrays without holding them.

use std::collections::BTreeMap;
use std::io::{Read, Seek};

use super::error::GgufError;
use super::limits::{
    MAX_ARRAY_LEN, MAX_ARRAY_NESTING, MAX_KEY_BYTES, MAX_RETAINED_ARRAY_ELEMENTS, MAX_RETAINED_ARRAY_LEN,
    MAX_RETAINED_STRING_BYTES, MAX_STRING_BYTES,
};
use super::reader::BoundedReader;
use super::value::{MetadataValue, value_type};

/// Reads `count` key/value pairs. A repeated key is an error, as it is in llama.cpp.
pub(super) fn read_metadata<R: Read + Seek>(
    reader: &mut BoundedReader<R>,
    count: u64,
) -> Result<BTreeMap<String, MetadataValue>, GgufError> {
    let mut section = MetadataSection::default();
    let mut metadata = BTreeMap::new();

    for _ in 0..count {
        let key = reader.string(MAX_KEY_BYTES, "metadata key")?;
        section.retain_string_bytes(key.len())?;

        let value_type = reader.u32("metadata value type")?;
        let value = section.read_value(reader, &key, value_type, 0)?;

        if metadata.contains_key(&key) {
            return Err(GgufError::DuplicateKey { key });
        }
        metadata.insert(key, value);
    }

    Ok(metadata)
}

/// Running totals of what the section keeps in memory.
#[derive(Default)]
struct MetadataSection {
    retained_string_bytes: u64,
    retained_array_elements: u64,
}

impl MetadataSection {
    fn retain_string_bytes(&mut self, len: usize) -> Result<(), GgufError> {
        self.retained_string_bytes = self.retained_string_bytes.saturating_add(len as u64);
        if self.retained_string_bytes > MAX_RETAINED_STRING_BYTES {
            return Err(GgufError::MetadataTooLarge {
                max: MAX_RETAINED_STRING_BYTES,
            });
        }
        Ok(())
    }

    /// Reads one value of type `code`. `depth` counts the arrays that enclose it.
    fn read_value<R: Read + Seek>(
        &mut self,
        reader: &mut BoundedReader<R>,
        key: &str,
        code: u32,
        depth: u32,
    ) -> Result<MetadataValue, GgufError> {
        let value = match code {
            value_type::UINT8 => MetadataValue::U8(reader.u8("u8 value")?),
            value_type::INT8 => MetadataValue::I8(i8::from_le_bytes(reader.bytes("i8 value")?)),
            value_type::UINT16 => MetadataValue::U16(reader.u16("u16 value")?),
            value_type::INT16 => MetadataValue::I16(i16::from_le_bytes(reader.bytes("i16 value")?)),
            value_type::UINT32 => MetadataValue::U32(reader.u32("u32 value")?),
            value_type::INT32 => MetadataValue::I32(i32::from_le_bytes(reader.bytes("i32 value")?)),
            value_type::UINT64 => MetadataValue::U64(reader.u64("u64 value")?),
            value_type::INT64 => MetadataValue::I64(i64::from_le_bytes(reader.bytes("i64 value")?)),
            value_type::FLOAT32 => MetadataValue::F32(f32::from_le_bytes(reader.bytes("f32 value")?)),
            value_type::FLOAT64 => MetadataValue::F64(f64::from_le_bytes(reader.bytes("f64 value")?)),
            // llama.cpp writes 0 or 1. Any other byte is read as true.
            value_type::BOOL => MetadataValue::Bool(reader.u8("bool value")? != 0),
            value_type::STRING => {
                let text = reader.string(MAX_STRING_BYTES, "string value")?;
                self.retain_string_bytes(text.len())?;
                MetadataValue::String(text)
            }
            value_type::ARRAY => self.read_array(reader, key, depth + 1)?,
            unknown => {
                return Err(GgufError::UnknownValueType {
                    key: key.to_string(),
                    value_type: unknown,
                });
            }
        };
        Ok(value)
    }

    fn read_array<R: Read + Seek>(
        &mut self,
        reader: &mut BoundedReader<R>,
        key: &str,
        depth: u32,
    ) -> Result<MetadataValue, GgufError> {
        let (element_type, len) = read_array_header(reader, key, depth)?;

        let retained_after = self.retained_array_elements + len;
        if len > MAX_RETAINED_ARRAY_LEN || retained_after > MAX_RETAINED_ARRAY_ELEMENTS {
            skip_array_elements(reader, key, element_type, len, depth)?;
            return Ok(MetadataValue::SkippedArray { element_type, len });
        }
        self.retained_array_elements = retained_after;

        // `len` is at most MAX_RETAINED_ARRAY_LEN here.
        let mut items = Vec::with_capacity(len as usize);
        for _ in 0..len {
            items.push(self.read_value(reader, key, element_type, depth)?);
        }
        Ok(MetadataValue::Array(items))
    }
}

/// Reads an array's element type and length and checks that the file can hold that many
/// elements of the smallest encoding of the type.
fn read_array_header<R: Read + Seek>(
    reader: &mut BoundedReader<R>,
    key: &str,
    depth: u32,
) -> Result<(u32, u64), GgufError> {
    if depth > MAX_ARRAY_NESTING {
        return Err(GgufError::NestingTooDeep {
            key: key.to_string(),
            max: MAX_ARRAY_NESTING,
        });
    }

    let element_type = reader.u32("array element type")?;
    let len_offset = reader.offset();
    let len = reader.u64("array length")?;
    if len > MAX_ARRAY_LEN {
        return Err(GgufError::LimitExceeded {
            field: "array length",
            offset: len_offset,
            count: len,
            max: MAX_ARRAY_LEN,
        });
    }

    let min_element_bytes = value_type::min_encoded_size(element_type).ok_or_else(|| GgufError::UnknownValueType {
        key: key.to_string(),
        value_type: element_type,
    })?;
    // At most 2^32 elements of at most 12 bytes each, so the product fits in u64.
    reader.ensure(len * min_element_bytes, "array elements")?;

    Ok((element_type, len))
}

/// Moves past `len` elements of type `element_type` without keeping them.
fn skip_array_elements<R: Read + Seek>(
    reader: &mut BoundedReader<R>,
    key: &str,
    element_type: u32,
    len: u64,
    depth: u32,
) -> Result<(), GgufError> {
    if let Some(size) = value_type::fixed_size(element_type) {
        return reader.skip(len * size, "array elements");
    }

    for _ in 0..len {
        if element_type == value_type::STRING {
            reader.skip_string(MAX_STRING_BYTES, "string array element")?;
        } else {
            let (inner_type, inner_len) = read_array_header(reader, key, depth + 1)?;
            skip_array_elements(reader, key, inner_type, inner_len, depth + 1)?;
        }
    }
    Ok(())
}
