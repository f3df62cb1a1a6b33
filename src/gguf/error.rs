//! The error type of the GGUF reader, the model facts and the metadata cache.

use std::path::PathBuf;

/// A failure to read or interpret a GGUF file. I/O errors are stored as text so the type is
/// `Clone` and can be shared with every caller waiting on the same cache entry.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GgufError {
    #[error("cannot read {path}: {message}")]
    Io { path: PathBuf, message: String },

    #[error("read failed at byte {offset}: {message}")]
    Read { offset: u64, message: String },

    #[error("not a GGUF file: the first four bytes are {found:02x?}, expected \"GGUF\"")]
    BadMagic { found: [u8; 4] },

    #[error("unsupported GGUF version {version}: only versions 2 and 3 are supported")]
    UnsupportedVersion { version: u32 },

    #[error("big-endian GGUF file (version field reads {raw:#010x}): only little-endian files are supported")]
    BigEndian { raw: u32 },

    #[error(
        "file truncated: {field} at byte {offset} needs {needed} bytes, but only {remaining} remain. \
         The file is incomplete or corrupt, so download it again"
    )]
    Truncated {
        /// Name of the header field being read, such as "tensor name".
        field: &'static str,
        offset: u64,
        needed: u64,
        remaining: u64,
    },

    #[error("{field}: length or count {count} at byte {offset} exceeds the maximum of {max}")]
    LimitExceeded {
        field: &'static str,
        offset: u64,
        count: u64,
        max: u64,
    },

    #[error("metadata key '{key}' has unknown value type {value_type}")]
    UnknownValueType { key: String, value_type: u32 },

    #[error("metadata key '{key}' nests arrays deeper than {max} levels")]
    NestingTooDeep { key: String, max: u32 },

    #[error("metadata key '{key}' appears more than once")]
    DuplicateKey { key: String },

    #[error("metadata strings exceed {max} bytes in total")]
    MetadataTooLarge { max: u64 },

    #[error("tensor '{name}' has {count} dimensions, the maximum is {max}")]
    TooManyDimensions { name: String, count: u32, max: u32 },

    #[error("tensor '{name}' with shape {dimensions:?} has more than i64::MAX elements")]
    ElementCountOverflow { name: String, dimensions: Vec<u64> },

    #[error(
        "tensor '{name}' of ggml type {ggml_type}: first dimension {first_dimension} is not a multiple of the block size {block_size}"
    )]
    NotBlockAligned {
        name: String,
        ggml_type: u32,
        first_dimension: u64,
        block_size: u64,
    },

    #[error("general.alignment {alignment} is not a power of two")]
    InvalidAlignment { alignment: u64 },

    #[error("tensor '{name}' appears more than once")]
    DuplicateTensor { name: String },

    #[error("split model part {part} of {count} not found: expected {expected}")]
    MissingSplitPart { part: u32, count: u32, expected: PathBuf },

    #[error("invalid split model part {path}: {message}")]
    InvalidSplit { path: PathBuf, message: String },

    #[error("{path}: {source}")]
    InFile {
        path: PathBuf,
        #[source]
        source: Box<GgufError>,
    },
}

impl GgufError {
    /// Returns the underlying error without the file path context added by the file readers.
    pub fn root(&self) -> &GgufError {
        match self {
            GgufError::InFile { source, .. } => source.root(),
            other => other,
        }
    }

    pub(crate) fn in_file(self, path: impl Into<PathBuf>) -> GgufError {
        match self {
            // Errors that already name a file keep their own path.
            GgufError::Io { .. }
            | GgufError::InFile { .. }
            | GgufError::MissingSplitPart { .. }
            | GgufError::InvalidSplit { .. } => self,
            other => GgufError::InFile {
                path: path.into(),
                source: Box::new(other),
            },
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, error: &std::io::Error) -> GgufError {
        GgufError::Io {
            path: path.into(),
            message: error.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_unwraps_nested_file_context() {
        let inner = GgufError::UnsupportedVersion { version: 1 };
        let wrapped = inner.clone().in_file("/models/a.gguf").in_file("/models/b.gguf");

        assert_eq!(wrapped.root(), &inner);
        assert!(wrapped.to_string().starts_with("/models/a.gguf: "), "{wrapped}");
    }

    #[test]
    fn message_names_the_version() {
        let message = GgufError::UnsupportedVersion { version: 1 }.to_string();

        assert!(message.contains("version 1"), "{message}");
    }
}
