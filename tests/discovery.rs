//! Models found under `models_dir` are listed like configured ones, without being started.

mod support;

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};
use support::processes::pids_with_argument;
use support::runner::Runner;
use support::{TempDir, fake_llama_server, real_assets};

/// Creates a models folder with the real model (as a symbolic link), projectors, a split model, a
/// nested model, a file a configured model uses, a file whose id is taken, and a non-model file.
/// Discovery reads only names, so every file but the real model is a 4-byte GGUF magic.
fn models_folder(dir: &TempDir) -> std::path::PathBuf {
    let models = dir.path().join("models");
    std::fs::create_dir_all(models.join("nested")).unwrap();
    std::os::unix::fs::symlink(real_assets().model, models.join("gemma-3-270m-q4_k_m.gguf")).unwrap();
    for name in [
        "mmproj-gemma-3-f16.gguf",
        "Gemma-MMPROJ-Q8.gguf",
        "big-00001-of-00002.gguf",
        "big-00002-of-00002.gguf",
        "nested/other.gguf",
        "configured.gguf",
        "m1.gguf",
    ] {
        std::fs::write(models.join(name), b"GGUF").unwrap();
    }
    std::fs::write(models.join("README.txt"), b"not a model").unwrap();
    models
}

/// `Configured` uses a file inside the folder; `First` takes the id `m1.gguf` would get.
fn config_for(dir: &TempDir, models: &Path, runtime: &Path) -> Value {
    let first = dir.path().join("first.gguf");
    std::fs::write(&first, minimal_gguf()).unwrap();
    json!({
        "models_dir": models,
        "default_runtime": runtime,
        "default_parameters": {"ctx_size": 1024},
        "models": {
            "Configured": {"model_id": "configured-model", "model_path": models.join("configured.gguf")},
            "First": {"model_id": "m1:latest", "model_path": first},
        },
    })
}

/// A GGUF version 3 header with no tensors and no metadata.
fn minimal_gguf() -> Vec<u8> {
    let mut header = b"GGUF".to_vec();
    header.extend(3u32.to_le_bytes());
    header.extend(0u64.to_le_bytes());
    header.extend(0u64.to_le_bytes());
    header
}

async fn listed_ids(runner: &Runner) -> Vec<String> {
    let listing: Value = reqwest::get(runner.openai_url("/v1/models")).await.unwrap().json().await.unwrap();
    let mut ids: Vec<String> = listing["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|model| model["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn discovered_models_are_listed_without_starting() {
    let dir = TempDir::new("discovery");
    let models = models_folder(&dir);
    let runner = Runner::start(config_for(&dir, &models, &fake_llama_server()));

    let ids = listed_ids(&runner).await;

    assert_eq!(ids, ["big", "configured-model", "gemma-3-270m-q4_k_m", "m1:latest", "other"]);
    assert!(pids_with_argument("gemma-3-270m-q4_k_m").is_empty(), "listing started a model");
    let output = runner.output_text();
    assert!(output.contains("id 'm1' is already used by model 'First'"), "{output}");
}

#[test]
fn check_reports_a_taken_id_as_a_warning() {
    let dir = TempDir::new("discovery-check");
    let runtime = dir.path().join("runtime.sh");
    std::fs::write(&runtime, "#!/bin/sh\necho 'version: 1 (fake)'\n").unwrap();
    std::fs::set_permissions(&runtime, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    // `check` parses every discovered header, so the files it keeps are whole GGUF headers. The
    // projector and the second split part are skipped by name before any read.
    let models = dir.path().join("models");
    std::fs::create_dir_all(&models).unwrap();
    for name in ["tiny.gguf", "m1.gguf", "configured.gguf"] {
        std::fs::write(models.join(name), minimal_gguf()).unwrap();
    }
    for name in ["mmproj-tiny.gguf", "big-00002-of-00002.gguf"] {
        std::fs::write(models.join(name), b"not GGUF").unwrap();
    }
    let config_path = dir.path().join("config.json");
    std::fs::write(&config_path, config_for(&dir, &models, &runtime).to_string()).unwrap();

    let output = Command::new(env!("CARGO_BIN_EXE_llama-runner"))
        .args(["check", "--json", "--config"])
        .arg(&config_path)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();

    assert_eq!(output.status.code(), Some(0), "{report}");
    let problems = report["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{report}");
    assert_eq!(problems[0]["severity"], "warning");
    assert_eq!(problems[0]["path"], "models_dir");
    assert!(problems[0]["message"].as_str().unwrap().contains("id 'm1' is already used by model 'First'"), "{report}");
}
