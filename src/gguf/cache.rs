//! A metadata cache in memory and on disk, so listing models reads each model file only once
//! per size and modification time.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::UNIX_EPOCH;

use super::derive_metadata::model_metadata;
use super::disk_cache::{DiskCache, Fingerprint};
use super::error::GgufError;
use super::model_metadata::ModelMetadata;

/// Model metadata by path. A file counts as unchanged while its size and modification time stay
/// the same.
// NOTE: only the given file is checked, so a split model whose later parts change without the
// first part changing keeps its old totals until the first part is touched.
#[derive(Debug)]
pub struct MetadataCache {
    /// Keyed by the path as the caller gave it, so `cached` needs no path resolution.
    memory: Mutex<HashMap<PathBuf, MemoryEntry>>,
    disk: Option<DiskCache>,
}

#[derive(Debug, Clone)]
struct MemoryEntry {
    fingerprint: Fingerprint,
    metadata: Arc<ModelMetadata>,
}

impl MetadataCache {
    /// Creates a cache that also keeps entries as JSON files in `disk_dir`, created on first
    /// write, when one is given.
    pub fn new(disk_dir: Option<PathBuf>) -> Self {
        MetadataCache {
            memory: Mutex::new(HashMap::new()),
            disk: disk_dir.map(DiskCache::new),
        }
    }

    /// Returns the metadata of the model at `path` from memory, else from disk, else by reading
    /// the file (and, for a split model, its other parts). Blocking: call it from
    /// `spawn_blocking` in async code.
    pub fn get(&self, path: &Path) -> Result<Arc<ModelMetadata>, GgufError> {
        let fingerprint = fingerprint(path)?;
        if let Some(metadata) = self.memory_entry(path, fingerprint) {
            return Ok(metadata);
        }

        let canonical_path = path.canonicalize().map_err(|error| GgufError::io(path, &error))?;
        let from_disk = self
            .disk
            .as_ref()
            .and_then(|disk| disk.load(&canonical_path, fingerprint));

        let metadata = match from_disk {
            Some(metadata) => Arc::new(metadata),
            None => {
                let metadata = model_metadata(path)?;
                tracing::debug!(path = %path.display(), "read model metadata from file");
                if let Some(disk) = &self.disk {
                    disk.store(&canonical_path, fingerprint, &metadata);
                }
                Arc::new(metadata)
            }
        };

        let entry = MemoryEntry {
            fingerprint,
            metadata: Arc::clone(&metadata),
        };
        self.memory
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(path.to_owned(), entry);
        Ok(metadata)
    }

    /// Returns the metadata held in memory for `path` if the file's size and modification time
    /// still match. Does no I/O beyond one `stat`.
    pub fn cached(&self, path: &Path) -> Option<Arc<ModelMetadata>> {
        let fingerprint = fingerprint(path).ok()?;
        self.memory_entry(path, fingerprint)
    }

    fn memory_entry(&self, path: &Path, fingerprint: Fingerprint) -> Option<Arc<ModelMetadata>> {
        let memory = self.memory.lock().unwrap_or_else(PoisonError::into_inner);
        memory
            .get(path)
            .filter(|entry| entry.fingerprint == fingerprint)
            .map(|entry| Arc::clone(&entry.metadata))
    }
}

/// Returns `$HOME/.llama-runner/metadata_cache`, or `None` when `HOME` is unset or empty.
pub fn default_cache_dir() -> Option<PathBuf> {
    let home = std::env::var_os("HOME").filter(|home| !home.is_empty())?;
    Some(PathBuf::from(home).join(".llama-runner").join("metadata_cache"))
}

fn fingerprint(path: &Path) -> Result<Fingerprint, GgufError> {
    let metadata = std::fs::metadata(path).map_err(|error| GgufError::io(path, &error))?;
    let modified = metadata.modified().map_err(|error| GgufError::io(path, &error))?;

    let modified_nanos = match modified.duration_since(UNIX_EPOCH) {
        Ok(after) => i128::try_from(after.as_nanos()).unwrap_or(i128::MAX),
        Err(before) => -i128::try_from(before.duration().as_nanos()).unwrap_or(i128::MAX),
    };
    Ok(Fingerprint {
        size: metadata.len(),
        modified_nanos,
    })
}
