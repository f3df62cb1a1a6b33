//! The metadata cache: a file is read again only when its size or modification time changes.

use std::fs::{File, FileTimes};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::TempFolder;
use super::builder::GgufBuilder;
use crate::gguf::{GgufError, MetadataCache, default_cache_dir};

/// Writes a model with the given architecture. Names of equal length give files of equal size.
fn write_model(path: &Path, architecture: &str) {
    let builder = GgufBuilder::new(3)
        .string("general.architecture", architecture)
        .tensor("output.weight", &[32], 0);
    std::fs::write(path, builder.build()).unwrap();
}

fn set_modified(path: &Path, modified: SystemTime) {
    let file = File::options().write(true).open(path).unwrap();
    file.set_times(FileTimes::new().set_modified(modified)).unwrap();
}

/// Replaces the model's content with a same-size file and restores its modification time.
fn replace_keeping_fingerprint(path: &Path, architecture: &str) {
    let modified = std::fs::metadata(path).unwrap().modified().unwrap();
    write_model(path, architecture);
    set_modified(path, modified);
}

fn entry_files(folder: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(folder)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    entries.sort();
    entries
}

#[test]
fn second_get_does_not_reread_unchanged_file() {
    let folder = TempFolder::new("cache-memory");
    let model = folder.path().join("model.gguf");
    write_model(&model, "llama");
    let cache = MetadataCache::new(None);

    let first = cache.get(&model).unwrap();
    replace_keeping_fingerprint(&model, "mamba");
    let second = cache.get(&model).unwrap();

    assert_eq!(first.architecture.as_deref(), Some("llama"));
    assert!(Arc::ptr_eq(&first, &second));
}

#[test]
fn changed_modification_time_rereads_file() {
    let folder = TempFolder::new("cache-mtime");
    let model = folder.path().join("model.gguf");
    write_model(&model, "llama");
    let cache = MetadataCache::new(None);
    cache.get(&model).unwrap();

    replace_keeping_fingerprint(&model, "mamba");
    let modified = std::fs::metadata(&model).unwrap().modified().unwrap();
    set_modified(&model, modified + Duration::from_secs(1));

    assert_eq!(cache.cached(&model), None);
    assert_eq!(cache.get(&model).unwrap().architecture.as_deref(), Some("mamba"));
}

#[test]
fn cached_reports_memory_entries_only() {
    let folder = TempFolder::new("cache-cached");
    let model = folder.path().join("model.gguf");
    write_model(&model, "llama");
    let cache = MetadataCache::new(None);

    assert_eq!(cache.cached(&model), None);
    let loaded = cache.get(&model).unwrap();

    let cached = cache.cached(&model).expect("entry after get");
    assert!(Arc::ptr_eq(&loaded, &cached));
    assert_eq!(cache.cached(&folder.path().join("other.gguf")), None);
}

#[test]
fn disk_entry_survives_new_cache_instance() {
    let folder = TempFolder::new("cache-disk");
    let model = folder.path().join("model.gguf");
    let disk = folder.path().join("metadata_cache");
    write_model(&model, "llama");
    MetadataCache::new(Some(disk.clone())).get(&model).unwrap();

    replace_keeping_fingerprint(&model, "mamba");
    let fresh = MetadataCache::new(Some(disk.clone()));

    assert_eq!(fresh.cached(&model), None, "a new instance starts with empty memory");
    assert_eq!(fresh.get(&model).unwrap().architecture.as_deref(), Some("llama"));
    assert_eq!(entry_files(&disk).len(), 1, "no temporary files are left behind");
}

#[test]
fn corrupt_disk_entry_is_ignored_and_rewritten() {
    let folder = TempFolder::new("cache-corrupt");
    let model = folder.path().join("model.gguf");
    let disk = folder.path().join("metadata_cache");
    write_model(&model, "llama");
    MetadataCache::new(Some(disk.clone())).get(&model).unwrap();
    let entry = entry_files(&disk).pop().unwrap();

    replace_keeping_fingerprint(&model, "mamba");
    std::fs::write(&entry, b"{\"format_version\": 1, \"path\":").unwrap();
    let metadata = MetadataCache::new(Some(disk.clone())).get(&model).unwrap();

    assert_eq!(metadata.architecture.as_deref(), Some("mamba"));
    let rewritten: serde_json::Value = serde_json::from_slice(&std::fs::read(&entry).unwrap()).unwrap();
    assert_eq!(rewritten["metadata"]["architecture"], "mamba");
}

#[test]
fn unwritable_disk_folder_still_returns_metadata() {
    let folder = TempFolder::new("cache-unwritable");
    let model = folder.path().join("model.gguf");
    let blocker = folder.path().join("not-a-folder");
    write_model(&model, "llama");
    std::fs::write(&blocker, b"file").unwrap();

    let cache = MetadataCache::new(Some(blocker.join("metadata_cache")));

    assert_eq!(cache.get(&model).unwrap().architecture.as_deref(), Some("llama"));
}

#[test]
fn missing_model_is_io_error() {
    let cache = MetadataCache::new(None);

    let error = cache.get(Path::new("/nonexistent/model.gguf")).unwrap_err();

    assert!(matches!(error, GgufError::Io { .. }), "{error:?}");
}

#[test]
fn cache_is_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<MetadataCache>();

    let folder = TempFolder::new("cache-threads");
    let model = folder.path().join("model.gguf");
    write_model(&model, "llama");
    let cache = Arc::new(MetadataCache::new(None));

    let handles: Vec<_> = (0..4)
        .map(|_| {
            let cache = Arc::clone(&cache);
            let model = model.clone();
            std::thread::spawn(move || cache.get(&model).unwrap().architecture.clone())
        })
        .collect();

    for handle in handles {
        assert_eq!(handle.join().unwrap().as_deref(), Some("llama"));
    }
}

#[test]
fn default_folder_is_under_home() {
    let Some(folder) = default_cache_dir() else {
        return;
    };

    assert!(folder.ends_with(".llama-runner/metadata_cache"), "{}", folder.display());
}
