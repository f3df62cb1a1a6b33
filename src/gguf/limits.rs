//! Bounds the reader enforces on lengths and counts read from a file, so a malformed or hostile
//! header costs bounded memory and time. Every length is also checked against the bytes left in
//! the file before anything is allocated.

/// Maximum byte length of a metadata string value. Chat templates reach a few hundred KiB.
pub(super) const MAX_STRING_BYTES: u64 = 16 * 1024 * 1024;

/// Maximum byte length of a metadata key.
pub(super) const MAX_KEY_BYTES: u64 = 64 * 1024;

/// Maximum byte length of a tensor name. ggml itself allows 63 bytes (`GGML_MAX_NAME`).
pub(super) const MAX_TENSOR_NAME_BYTES: u64 = 4 * 1024;

/// Maximum element count of one metadata array.
pub(super) const MAX_ARRAY_LEN: u64 = 1 << 32;

/// Arrays with more elements than this are skipped and kept only as element type and length.
/// Token lists, merges, scores and token types are far longer.
pub(super) const MAX_RETAINED_ARRAY_LEN: u64 = 1024;

/// Maximum number of array elements kept across the whole file. Arrays past it are skipped.
pub(super) const MAX_RETAINED_ARRAY_ELEMENTS: u64 = 1 << 20;

/// Maximum total bytes of keys and string values kept across the whole file.
pub(super) const MAX_RETAINED_STRING_BYTES: u64 = 256 * 1024 * 1024;

/// Maximum depth of arrays inside arrays.
pub(super) const MAX_ARRAY_NESTING: u32 = 8;

pub(super) const MAX_METADATA_COUNT: u64 = 1_000_000;

pub(super) const MAX_TENSOR_COUNT: u64 = 1_000_000;

/// Maximum dimensions of one tensor. ggml uses 4 (`GGML_MAX_DIMS`).
pub(super) const MAX_DIMENSIONS: u32 = 8;

/// Smallest encoding of a key/value pair: key length (8), value type (4), one-byte value.
pub(super) const MIN_METADATA_ENTRY_BYTES: u64 = 8 + 4 + 1;

/// Smallest encoding of a tensor info: name length (8), dimension count (4), type (4), offset (8).
pub(super) const MIN_TENSOR_INFO_BYTES: u64 = 8 + 4 + 4 + 8;
