//! The `FAKE_REQUEST_LOG` file: one JSON line per completion request received and one per
//! client that disconnected before its response finished.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::{Value, json};

#[derive(Debug, Clone, Default)]
pub struct RequestLog {
    path: Option<Arc<PathBuf>>,
}

impl RequestLog {
    pub fn new(path: Option<PathBuf>) -> Self {
        Self {
            path: path.map(Arc::new),
        }
    }

    pub fn record_request(&self, path: &str, model: Option<&str>, stream: bool, body: &[u8]) {
        self.append(&json!({
            "path": path,
            "model": model,
            "stream": stream,
            "body_len": body.len(),
            "body_sha256": crate::echo::sha256_hex(body),
        }));
    }

    /// Starts watching one response. The returned guard records a disconnect when it is
    /// dropped before [`DisconnectGuard::finish`], which happens when hyper drops the
    /// handler future or the streaming body because the client went away.
    pub fn watch_response(&self, path: &'static str) -> DisconnectGuard {
        DisconnectGuard {
            log: self.clone(),
            path,
            finished: false,
        }
    }

    fn append(&self, entry: &Value) {
        let Some(path) = &self.path else {
            return;
        };

        // One write per line, so lines from concurrent requests do not interleave.
        let mut line = entry.to_string();
        line.push('\n');

        let written = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path.as_path())
            .and_then(|mut file| file.write_all(line.as_bytes()));
        if let Err(error) = written {
            eprintln!(
                "fake-llama-server: failed to append to request log {}: {error}",
                path.display()
            );
        }
    }
}

#[derive(Debug)]
pub struct DisconnectGuard {
    log: RequestLog,
    path: &'static str,
    finished: bool,
}

impl DisconnectGuard {
    /// Marks the response as fully produced, so dropping the guard records nothing.
    pub fn finish(mut self) {
        self.finished = true;
    }
}

impl Drop for DisconnectGuard {
    fn drop(&mut self) {
        if !self.finished {
            self.log
                .append(&json!({ "event": "disconnected", "path": self.path }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_log(name: &str) -> PathBuf {
        let path = std::env::temp_dir().join(format!(
            "fake-llama-server-{}-{name}.jsonl",
            std::process::id()
        ));
        let _ = std::fs::remove_file(&path);
        path
    }

    fn read_lines(path: &PathBuf) -> Vec<Value> {
        std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    }

    #[test]
    fn request_line_has_contract_fields() {
        let path = temp_log("request");
        let log = RequestLog::new(Some(path.clone()));

        log.record_request("/v1/completions", None, true, b"{\"x\":1}");

        let lines = read_lines(&path);
        assert_eq!(lines.len(), 1);
        assert_eq!(
            lines[0],
            json!({
                "path": "/v1/completions",
                "model": null,
                "stream": true,
                "body_len": 7,
                "body_sha256": crate::echo::sha256_hex(b"{\"x\":1}"),
            })
        );
        std::fs::remove_file(path).unwrap();
    }

    #[test]
    fn dropped_guard_records_disconnect() {
        let path = temp_log("disconnect");
        let log = RequestLog::new(Some(path.clone()));

        drop(log.watch_response("/v1/chat/completions"));
        log.watch_response("/v1/chat/completions").finish();

        let lines = read_lines(&path);
        assert_eq!(
            lines,
            vec![json!({"event": "disconnected", "path": "/v1/chat/completions"})]
        );
        std::fs::remove_file(path).unwrap();
    }
}
