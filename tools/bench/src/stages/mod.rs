//! The bench's stages. Each starts the servers it needs, measures, stops them, and adds rows to
//! the report.

pub mod cold_start;
pub mod first_byte;
pub mod idle_memory;
pub mod proxy_overhead;
pub mod swap;

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::args::Args;
use crate::runner::ModelEntry;

/// API id of the real model in llama-runner's config, also passed to llama-server as `--alias`.
pub const REAL_MODEL_ID: &str = "bench-gemma";

/// Inputs every stage shares: the options, the thread count and a scratch folder.
pub struct Setup {
    pub args: Args,
    pub threads: usize,
    pub scratch: PathBuf,
}

impl Setup {
    /// Creates and returns an empty folder under the scratch folder for one stage.
    pub fn stage_dir(&self, name: &str) -> anyhow::Result<PathBuf> {
        let dir = self.scratch.join(name);
        std::fs::create_dir_all(&dir)?;
        Ok(dir)
    }

    /// llama-server flags for the real model, as llama-runner's `parameters`.
    pub fn real_parameters(&self) -> Value {
        json!({"ctx_size": 1024, "threads": self.threads})
    }

    /// Returns the same flags as llama-server arguments, as llama-runner renders them.
    pub fn real_flags(&self) -> Vec<String> {
        vec![
            "--ctx-size".to_owned(),
            "1024".to_owned(),
            "--threads".to_owned(),
            self.threads.to_string(),
        ]
    }

    /// Builds a llama-runner model entry that serves the real model under `id`.
    pub fn real_model_entry(&self, id: &str, parameters: Value) -> ModelEntry {
        ModelEntry {
            id: id.to_owned(),
            runtime: self.args.llama_server.clone(),
            model_path: self.args.model.clone(),
            parameters,
        }
    }

    pub fn llama_runner(&self) -> &Path {
        &self.args.llama_runner
    }
}

/// Builds a short chat completion request for the real model.
pub fn chat_body(model: &str, stream: bool) -> Value {
    json!({
        "model": model,
        "messages": [{"role": "user", "content": "Say hello in one word."}],
        "max_tokens": 4,
        "stream": stream,
    })
}
