//! GGUF model files: a header reader that never touches tensor data, the model facts the
//! listing APIs show, and a cache of those facts in memory and on disk.
//!
//! The format is described in llama.cpp's `ggml/src/gguf.cpp` and `gguf-py/gguf/constants.py`:
//! magic "GGUF", a u32 version, u64 tensor and key/value counts, the key/value pairs, then one
//! info per tensor (name, dimensions, ggml type, data offset), all little-endian.

mod cache;
mod derive_metadata;
mod disk_cache;
mod error;
mod file_type;
mod ggml_type;
mod limits;
mod metadata_section;
mod model_metadata;
mod parse;
mod reader;
mod split;
mod tensor;
mod value;

#[cfg(test)]
mod tests;

pub use cache::{MetadataCache, default_cache_dir};
pub use derive_metadata::model_metadata;
pub use error::GgufError;
pub use file_type::file_type_name;
pub use ggml_type::{GgmlTypeLayout, ggml_type_layout};
pub use model_metadata::ModelMetadata;
pub use parse::{GgufFile, parse_gguf, read_gguf_file};
pub use split::split_part_paths;
pub use tensor::TensorInfo;
pub use value::{MetadataValue, value_type};
