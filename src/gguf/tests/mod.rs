//! Tests of the GGUF reader, the derived model facts and the cache against files built here
//! and against the real test model.

mod builder;
mod cache;
mod fuzz;
mod malformed;
mod model_facts;
mod parse;
mod real_model;
mod split_model;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// A folder under the system temporary folder, removed on drop.
pub(super) struct TempFolder {
    path: PathBuf,
}

impl TempFolder {
    pub(super) fn new(label: &str) -> TempFolder {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let index = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("llama-runner-gguf-{label}-{}-{index}", std::process::id()));
        std::fs::create_dir_all(&path).expect("temporary folder is writable");
        TempFolder { path }
    }

    pub(super) fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempFolder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Returns the real test model from `GGUF_MODEL` or the test asset cache, or `None` with a note
/// on stderr when it has not been fetched (`scripts/fetch-test-assets.sh`).
pub(super) fn real_model_path() -> Option<PathBuf> {
    let path = std::env::var_os("GGUF_MODEL").map(PathBuf::from).or_else(|| {
        let cache = std::env::var_os("LLAMA_RUNNER_TEST_CACHE")
            .map(PathBuf::from)
            .or_else(|| Some(PathBuf::from(std::env::var_os("HOME")?).join(".cache/llama-runner-test")))?;
        Some(cache.join("gemma3-270m-q4-k-m-1.0.0/gemma-3-270m-q4_k_m.gguf"))
    })?;

    if path.is_file() {
        Some(path)
    } else {
        eprintln!(
            "skipping: real test model {} not found; run scripts/fetch-test-assets.sh",
            path.display()
        );
        None
    }
}
