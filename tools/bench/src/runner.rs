//! A llama-runner process started with a config file that the bench writes.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::Context;
use serde_json::{Map, Value, json};

use crate::ports::{free_port, wait_for_port};
use crate::process::ServerProcess;

/// Time llama-runner gets to bind its API port after it starts.
const LISTEN_LIMIT: Duration = Duration::from_secs(20);

/// One entry under `models` in llama-runner's config.
pub struct ModelEntry {
    pub id: String,
    pub runtime: PathBuf,
    pub model_path: PathBuf,
    /// llama-server flags as llama-runner's `parameters` object, `port` included.
    pub parameters: Value,
}

/// A running `llama-runner serve` whose OpenAI port is `port`.
pub struct Runner {
    pub process: ServerProcess,
    pub port: u16,
}

impl Runner {
    /// Writes a config with `models` into `dir`, starts `binary serve --config` with the extra
    /// environment `environment`, and waits until it listens.
    pub async fn start(
        binary: &Path,
        dir: &Path,
        concurrent_runners: usize,
        models: &[ModelEntry],
        environment: &[(&str, String)],
    ) -> anyhow::Result<Self> {
        let port = free_port()?;
        let config = config_json(port, free_port()?, concurrent_runners, models);
        let config_path = dir.join("llama-runner.json");
        std::fs::write(&config_path, serde_json::to_vec_pretty(&config)?)
            .with_context(|| format!("cannot write {}", config_path.display()))?;

        let mut command = Command::new(binary);
        command
            .args(["--log-level", "warn", "serve", "--config"])
            .arg(&config_path);
        for (name, value) in environment {
            command.env(name, value);
        }
        let mut process =
            ServerProcess::spawn("llama-runner", command, &dir.join("llama-runner.log"))?;
        wait_for_port(&mut process, "llama-runner", port, LISTEN_LIMIT).await?;
        Ok(Self { process, port })
    }

    /// Stops llama-runner and fails when it left model processes running after it exited.
    pub fn stop(mut self) -> anyhow::Result<()> {
        let leftovers = self.process.stop();
        if !leftovers.is_empty() {
            anyhow::bail!(
                "llama-runner left processes {leftovers:?} running after SIGTERM; the bench stopped them"
            );
        }
        Ok(())
    }
}

/// Builds llama-runner's config: the OpenAI port on 127.0.0.1, the Ollama port disabled, no
/// idle unloading, and a 120 s health check timeout.
fn config_json(
    openai_port: u16,
    ollama_port: u16,
    concurrent_runners: usize,
    models: &[ModelEntry],
) -> Value {
    let mut entries = Map::new();
    for model in models {
        entries.insert(
            model.id.clone(),
            json!({
                "model_path": model.model_path,
                "llama_cpp_runtime": model.runtime,
                "parameters": model.parameters,
            }),
        );
    }

    json!({
        "concurrentRunners": concurrent_runners,
        "healthCheckTimeout": 120,
        "ttl": 0,
        "host": "127.0.0.1",
        "proxies": {
            "lmstudio": {"enabled": true, "port": openai_port},
            "ollama": {"enabled": false, "port": ollama_port},
        },
        "models": entries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_lists_models_by_id() {
        let models = [ModelEntry {
            id: "m1".to_owned(),
            runtime: PathBuf::from("/bin/llama-server"),
            model_path: PathBuf::from("/models/x.gguf"),
            parameters: json!({"ctx_size": 1024, "port": 9000}),
        }];

        let config = config_json(1234, 1235, 1, &models);

        assert_eq!(config["proxies"]["lmstudio"]["port"], 1234);
        assert_eq!(config["proxies"]["ollama"]["enabled"], false);
        assert_eq!(config["host"], "127.0.0.1");
        assert_eq!(config["models"]["m1"]["model_path"], "/models/x.gguf");
        assert_eq!(
            config["models"]["m1"]["llama_cpp_runtime"],
            "/bin/llama-server"
        );
        assert_eq!(config["models"]["m1"]["parameters"]["port"], 9000);
    }
}
