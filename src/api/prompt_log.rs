//! The prompt log: one JSON line per request with its prompt and reply, written only when
//! `logging.prompt_logging_enabled` is on, because prompts may hold private data.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::{Value, json};

use super::timestamp::now_rfc3339;

/// The prompt log file, or nothing when prompt logging is off.
#[derive(Debug, Clone, Default)]
pub struct PromptLog {
    path: Option<Arc<PathBuf>>,
}

impl PromptLog {
    /// Creates a log that writes to `path`, or that writes nothing when `path` is `None`.
    pub fn new(path: Option<PathBuf>) -> Self {
        Self { path: path.map(Arc::new) }
    }

    /// `~/.llama-runner/prompts.log`, or `None` when the home folder is unknown.
    pub fn default_path() -> Option<PathBuf> {
        let home = std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE"))?;
        Some(PathBuf::from(home).join(".llama-runner").join("prompts.log"))
    }

    pub fn is_enabled(&self) -> bool {
        self.path.is_some()
    }

    /// Appends the request body and the reply text in the background. `reply` is `None` when the
    /// reply was not collected. A failed write is logged and otherwise ignored.
    pub fn record(&self, model: &str, endpoint: &str, request: &Value, reply: Option<&str>) {
        let Some(path) = self.path.clone() else {
            return;
        };

        let mut line = json!({
            "time": now_rfc3339(),
            "model": model,
            "endpoint": endpoint,
            "request": request,
            "reply": reply,
        })
        .to_string();
        line.push('\n');

        let model = model.to_owned();
        tokio::task::spawn_blocking(move || {
            let written = append_line(&path, &line);
            if let Err(error) = written {
                tracing::warn!(model = %model, path = %path.display(), error = %error, "cannot write the prompt log");
            }
        });
    }
}

fn append_line(path: &std::path::Path, line: &str) -> std::io::Result<()> {
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder)?;
    }
    let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
    file.write_all(line.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn disabled_log_writes_nothing() {
        let log = PromptLog::new(None);
        assert!(!log.is_enabled());
        log.record("m1", "/api/chat", &json!({"prompt": "secret"}), Some("reply"));
    }

    #[tokio::test]
    async fn enabled_log_appends_one_json_line_per_record() {
        let path = std::env::temp_dir().join(format!("llama-runner-prompts-{}.log", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let log = PromptLog::new(Some(path.clone()));

        log.record("m1", "/api/chat", &json!({"prompt": "hello"}), Some("hi there"));
        let mut text = String::new();
        for _ in 0..100 {
            text = std::fs::read_to_string(&path).unwrap_or_default();
            if !text.is_empty() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        let _ = std::fs::remove_file(&path);

        let entry: Value = serde_json::from_str(text.trim_end()).unwrap();
        assert_eq!(entry["model"], "m1");
        assert_eq!(entry["request"]["prompt"], "hello");
        assert_eq!(entry["reply"], "hi there");
    }
}
