//! A llama-runner process started from the built binary with a generated config.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

use super::TempDir;
use super::processes::wait_until;

/// A running `llama-runner serve`, killed when dropped.
pub struct Runner {
    pub child: Child,
    pub openai_port: u16,
    pub ollama_port: u16,
    pub management_port: u16,
    pub config_path: PathBuf,
    pub output: Arc<Mutex<Vec<String>>>,
    _dir: TempDir,
}

/// A free loopback port. The test binds it a moment later; a collision fails loudly.
pub fn free_port() -> u16 {
    free_ports::<1>()[0]
}

/// `N` distinct free loopback ports: all are held until every one is chosen, so none repeats.
pub fn free_ports<const N: usize>() -> [u16; N] {
    let listeners: Vec<TcpListener> = (0..N).map(|_| TcpListener::bind("127.0.0.1:0").unwrap()).collect();
    std::array::from_fn(|index| listeners[index].local_addr().unwrap().port())
}

impl Runner {
    /// Starts llama-runner with `config` (a JSON object whose `proxies` and `dashboard` ports
    /// are set to free ports) and waits until its OpenAI port accepts connections.
    pub fn start(config: Value) -> Self {
        Self::start_with_env(config, &[])
    }

    pub fn start_with_env(mut config: Value, environment: &[(&str, String)]) -> Self {
        let dir = TempDir::new("runner");
        let [openai_port, ollama_port, management_port] = free_ports::<3>();
        // Other keys of these sections, such as `api_key`, are kept.
        for (section, port) in [("lmstudio", openai_port), ("ollama", ollama_port)] {
            config["proxies"][section]["enabled"] = json!(true);
            config["proxies"][section]["port"] = json!(port);
        }
        config["dashboard"]["enabled"] = json!(true);
        config["dashboard"]["port"] = json!(management_port);
        let config_path = dir.path().join("config.json");
        std::fs::write(&config_path, serde_json::to_vec_pretty(&config).unwrap()).unwrap();

        let mut command = Command::new(env!("CARGO_BIN_EXE_llama-runner"));
        command
            .args(["serve", "--config"])
            .arg(&config_path)
            .env("RUST_LOG", "llama_runner=debug")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (name, value) in environment {
            command.env(name, value);
        }
        let mut child = command.spawn().expect("llama-runner starts");

        let output = Arc::new(Mutex::new(Vec::new()));
        let stderr = child.stderr.take().unwrap();
        let sink = output.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if std::env::var_os("LLAMA_RUNNER_TEST_ECHO").is_some() {
                    eprintln!("[llama-runner] {line}");
                }
                sink.lock().unwrap().push(line);
            }
        });

        let runner = Self {
            child,
            openai_port,
            ollama_port,
            management_port,
            config_path,
            output,
            _dir: dir,
        };
        let ready = wait_until(Duration::from_secs(20), || {
            std::net::TcpStream::connect(("127.0.0.1", openai_port)).is_ok()
        });
        assert!(ready, "llama-runner did not listen; output:\n{}", runner.output_text());
        runner
    }

    pub fn openai_url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.openai_port)
    }

    pub fn management_url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.management_port)
    }

    pub fn ollama_url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.ollama_port)
    }

    pub fn output_text(&self) -> String {
        self.output.lock().unwrap().join("\n")
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM and waits for the exit status.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        self.child.wait().expect("wait for llama-runner")
    }
}

impl Drop for Runner {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
            let stopped = wait_until(Duration::from_secs(15), || matches!(self.child.try_wait(), Ok(Some(_))));
            if !stopped {
                let _ = self.child.kill();
                let _ = self.child.wait();
            }
        }
    }
}

/// A model entry that runs `program` on `model_path` under API id `id`.
pub fn model_entry(id: &str, program: &std::path::Path, model_path: &std::path::Path, parameters: Value) -> (String, Value) {
    (
        id.to_owned(),
        json!({
            "model_id": id,
            "model_path": model_path,
            "llama_cpp_runtime": program.to_string_lossy(),
            "parameters": parameters,
        }),
    )
}

/// A config with `models` and the top-level `settings` merged in.
pub fn config_with(models: Vec<(String, Value)>, settings: Value) -> Value {
    let mut config = settings;
    let models: serde_json::Map<String, Value> = models.into_iter().collect();
    config["models"] = Value::Object(models);
    config
}
