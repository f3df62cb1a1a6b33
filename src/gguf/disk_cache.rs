//! The on-disk half of the metadata cache: one JSON file per model file version, named by a hash
//! of the model's canonical path, size and modification time.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use super::model_metadata::ModelMetadata;

/// Version of the entry layout. Raise it when `ModelMetadata` or its derivation changes, so old
/// entries are read as misses and rewritten.
const ENTRY_FORMAT_VERSION: u32 = 1;

/// Size and modification time of a model file: a change in either means the file changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Fingerprint {
    pub(super) size: u64,
    /// Modification time in nanoseconds since the Unix epoch, negative for earlier times.
    pub(super) modified_nanos: i128,
}

#[derive(Serialize, Deserialize)]
struct DiskEntry {
    format_version: u32,
    path: PathBuf,
    fingerprint: Fingerprint,
    metadata: ModelMetadata,
}

/// A folder of cache entries. Entries for model files that changed or were deleted stay on disk.
// NOTE: nothing removes stale entries. Each is a few KiB plus the model's chat template.
#[derive(Debug)]
pub(super) struct DiskCache {
    folder: PathBuf,
}

impl DiskCache {
    pub(super) fn new(folder: PathBuf) -> DiskCache {
        DiskCache { folder }
    }

    /// Returns the stored metadata for `canonical_path` at `fingerprint`. A missing, unreadable,
    /// corrupt or outdated entry is a miss, and the caller then rewrites it.
    pub(super) fn load(&self, canonical_path: &Path, fingerprint: Fingerprint) -> Option<ModelMetadata> {
        let entry_path = self.entry_path(canonical_path, fingerprint);
        let bytes = fs::read(&entry_path).ok()?;

        let entry: DiskEntry = match serde_json::from_slice(&bytes) {
            Ok(entry) => entry,
            Err(error) => {
                tracing::warn!(entry = %entry_path.display(), %error, "ignoring corrupt metadata cache entry");
                return None;
            }
        };

        // The hash in the file name can collide, so the entry names what it describes.
        let matches = entry.format_version == ENTRY_FORMAT_VERSION
            && entry.path == canonical_path
            && entry.fingerprint == fingerprint;
        matches.then_some(entry.metadata)
    }

    /// Writes the entry to a temporary file and renames it into place, so readers never see a
    /// partial entry. Failures are logged and otherwise ignored: the cache is an optimisation.
    pub(super) fn store(&self, canonical_path: &Path, fingerprint: Fingerprint, metadata: &ModelMetadata) {
        let entry_path = self.entry_path(canonical_path, fingerprint);
        let entry = DiskEntry {
            format_version: ENTRY_FORMAT_VERSION,
            path: canonical_path.to_owned(),
            fingerprint,
            metadata: metadata.clone(),
        };

        if let Err(error) = self.write_atomically(&entry_path, &entry) {
            tracing::warn!(
                entry = %entry_path.display(),
                model = %canonical_path.display(),
                %error,
                "failed to write metadata cache entry"
            );
        }
    }

    fn write_atomically(&self, entry_path: &Path, entry: &DiskEntry) -> std::io::Result<()> {
        static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

        fs::create_dir_all(&self.folder)?;
        let bytes = serde_json::to_vec(entry).map_err(std::io::Error::other)?;

        // Unique per process and call, so concurrent writers never share a temporary file.
        let temp_path = entry_path.with_extension(format!(
            "json.tmp.{}.{}",
            std::process::id(),
            TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let result = fs::File::create(&temp_path)
            .and_then(|mut file| {
                file.write_all(&bytes)?;
                file.sync_all()
            })
            .and_then(|()| fs::rename(&temp_path, entry_path));

        if result.is_err() {
            let _ = fs::remove_file(&temp_path);
        }
        result
    }

    fn entry_path(&self, canonical_path: &Path, fingerprint: Fingerprint) -> PathBuf {
        let mut hasher = Fnv1a64::new();
        hasher.write(canonical_path.to_string_lossy().as_bytes());
        hasher.write(&[0]);
        hasher.write(&fingerprint.size.to_le_bytes());
        hasher.write(&fingerprint.modified_nanos.to_le_bytes());
        self.folder.join(format!("{:016x}.json", hasher.finish()))
    }
}

/// FNV-1a, 64-bit: a stable hash for entry file names, unlike `std`'s randomly seeded hasher.
struct Fnv1a64(u64);

impl Fnv1a64 {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;

    fn new() -> Fnv1a64 {
        Fnv1a64(Self::OFFSET_BASIS)
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(Self::PRIME);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_reference_values() {
        // Test vectors from the FNV reference: "" and "a".
        let mut empty = Fnv1a64::new();
        empty.write(b"");
        let mut letter = Fnv1a64::new();
        letter.write(b"a");

        assert_eq!(empty.finish(), 0xcbf2_9ce4_8422_2325);
        assert_eq!(letter.finish(), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn entry_name_depends_on_fingerprint() {
        let cache = DiskCache::new(PathBuf::from("/cache"));
        let path = Path::new("/models/a.gguf");
        let first = Fingerprint {
            size: 10,
            modified_nanos: 1,
        };
        let touched = Fingerprint {
            size: 10,
            modified_nanos: 2,
        };

        assert_eq!(cache.entry_path(path, first), cache.entry_path(path, first));
        assert_ne!(cache.entry_path(path, first), cache.entry_path(path, touched));
    }
}
