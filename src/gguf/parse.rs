//! Parsing a GGUF header: magic, version, the key/value section and the tensor infos. The tensor
//! data that follows is never read.

use std::collections::{BTreeMap, HashSet};
use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::Path;

use super::error::GgufError;
use super::ggml_type::ggml_type_layout;
use super::limits::{
    MAX_DIMENSIONS, MAX_METADATA_COUNT, MAX_TENSOR_COUNT, MAX_TENSOR_NAME_BYTES, MIN_METADATA_ENTRY_BYTES,
    MIN_TENSOR_INFO_BYTES,
};
use super::metadata_section::read_metadata;
use super::reader::BoundedReader;
use super::tensor::TensorInfo;
use super::value::MetadataValue;

const GGUF_MAGIC: [u8; 4] = *b"GGUF";

/// Alignment of the tensor data section when `general.alignment` is absent, in bytes.
const DEFAULT_ALIGNMENT: u64 = 32;

/// Read buffer size for model files. Large enough that skipping a token list of short strings
/// costs few system calls.
const READ_BUFFER_BYTES: usize = 256 * 1024;

/// The header of one GGUF file.
#[derive(Debug, Clone, PartialEq)]
pub struct GgufFile {
    pub version: u32,
    pub metadata: BTreeMap<String, MetadataValue>,
    pub tensors: Vec<TensorInfo>,
}

/// Opens `path` and parses its GGUF header through a buffered reader. Parse errors carry the
/// path as `GgufError::InFile`.
pub fn read_gguf_file(path: &Path) -> Result<GgufFile, GgufError> {
    let file = File::open(path).map_err(|error| GgufError::io(path, &error))?;
    parse_gguf(BufReader::with_capacity(READ_BUFFER_BYTES, file)).map_err(|error| error.in_file(path))
}

/// Parses a GGUF header (versions 2 and 3, little-endian) starting at the reader's current
/// position. The reader should be buffered because the header is read in small pieces.
pub fn parse_gguf<R: Read + Seek>(reader: R) -> Result<GgufFile, GgufError> {
    let mut reader = BoundedReader::new(reader)?;

    let magic = reader.bytes::<4>("magic")?;
    if magic != GGUF_MAGIC {
        return Err(GgufError::BadMagic { found: magic });
    }

    let version = reader.u32("version")?;
    check_version(version)?;

    let tensor_count = read_count(&mut reader, "tensor count", MAX_TENSOR_COUNT)?;
    let metadata_count = read_count(&mut reader, "metadata key/value count", MAX_METADATA_COUNT)?;

    // Both counts are at most 10^6, so this cannot overflow.
    let min_bytes = tensor_count * MIN_TENSOR_INFO_BYTES + metadata_count * MIN_METADATA_ENTRY_BYTES;
    reader.ensure(min_bytes, "metadata and tensor infos")?;

    let metadata = read_metadata(&mut reader, metadata_count)?;
    let tensors = read_tensor_infos(&mut reader, tensor_count)?;
    check_tensor_data_fits(&reader, &metadata, &tensors)?;

    Ok(GgufFile {
        version,
        metadata,
        tensors,
    })
}

fn check_version(version: u32) -> Result<(), GgufError> {
    match version {
        2 | 3 => Ok(()),
        // A big-endian file stores its version with the bytes swapped.
        raw if matches!(raw.swap_bytes(), 1..=3) => Err(GgufError::BigEndian { raw }),
        other => Err(GgufError::UnsupportedVersion { version: other }),
    }
}

fn read_count<R: Read + Seek>(reader: &mut BoundedReader<R>, field: &'static str, max: u64) -> Result<u64, GgufError> {
    let offset = reader.offset();
    let count = reader.u64(field)?;
    if count > max {
        return Err(GgufError::LimitExceeded {
            field,
            offset,
            count,
            max,
        });
    }
    Ok(count)
}

fn read_tensor_infos<R: Read + Seek>(reader: &mut BoundedReader<R>, count: u64) -> Result<Vec<TensorInfo>, GgufError> {
    // `count` was checked against the bytes left, so this allocation is bounded by the file size.
    let mut tensors = Vec::with_capacity(count as usize);
    let mut names = HashSet::new();

    for _ in 0..count {
        let tensor = read_tensor_info(reader)?;
        if !names.insert(tensor.name.clone()) {
            return Err(GgufError::DuplicateTensor { name: tensor.name });
        }
        tensors.push(tensor);
    }

    Ok(tensors)
}

fn read_tensor_info<R: Read + Seek>(reader: &mut BoundedReader<R>) -> Result<TensorInfo, GgufError> {
    let name = reader.string(MAX_TENSOR_NAME_BYTES, "tensor name")?;

    let dimension_count = reader.u32("tensor dimension count")?;
    if dimension_count > MAX_DIMENSIONS {
        return Err(GgufError::TooManyDimensions {
            name,
            count: dimension_count,
            max: MAX_DIMENSIONS,
        });
    }
    let mut dimensions = Vec::with_capacity(dimension_count as usize);
    for _ in 0..dimension_count {
        dimensions.push(reader.u64("tensor dimension")?);
    }

    let ggml_type = reader.u32("tensor type")?;
    let offset = reader.u64("tensor data offset")?;

    // ggml stores element counts as int64_t.
    let element_count = dimensions.iter().try_fold(1i64, |product, dimension| {
        product.checked_mul(i64::try_from(*dimension).ok()?)
    });
    if element_count.is_none() {
        return Err(GgufError::ElementCountOverflow { name, dimensions });
    }

    // llama.cpp rejects rows that are not whole blocks. Unknown types are kept, with unknown size.
    if let Some(layout) = ggml_type_layout(ggml_type) {
        let first_dimension = dimensions.first().copied().unwrap_or(1);
        if first_dimension % layout.block_size != 0 {
            return Err(GgufError::NotBlockAligned {
                name,
                ggml_type,
                first_dimension,
                block_size: layout.block_size,
            });
        }
    }

    Ok(TensorInfo {
        name,
        dimensions,
        ggml_type,
        offset,
    })
}

/// Checks, without reading it, that the file is long enough to hold the tensor data the infos
/// describe, which catches an incomplete download. Tensors of unknown ggml types count with
/// zero bytes.
fn check_tensor_data_fits<R: Read + Seek>(
    reader: &BoundedReader<R>,
    metadata: &BTreeMap<String, MetadataValue>,
    tensors: &[TensorInfo],
) -> Result<(), GgufError> {
    if tensors.is_empty() {
        return Ok(());
    }

    let alignment = match metadata.get("general.alignment") {
        None => DEFAULT_ALIGNMENT,
        Some(value) => match value.as_u64() {
            Some(alignment) if alignment.is_power_of_two() => alignment,
            other => {
                return Err(GgufError::InvalidAlignment {
                    alignment: other.unwrap_or(0),
                });
            }
        },
    };

    let header_end = reader.offset();
    let padding = header_end
        .checked_next_multiple_of(alignment)
        .map_or(u64::MAX, |data_start| data_start - header_end);
    let data_end = tensors
        .iter()
        .map(|tensor| tensor.offset.saturating_add(tensor.byte_size().unwrap_or(0)))
        .max()
        .unwrap_or(0);

    reader.ensure(padding.saturating_add(data_end), "tensor data")
}
