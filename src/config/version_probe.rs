//! Running `<runtime> --version` to show that a runtime starts at all.

use std::path::Path;
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::Command;

/// Time one runtime has to exit after `--version`. llama-server prints its version and exits at
/// once. A program that ignores the flag and starts serving would otherwise hang the check.
pub const VERSION_PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// Output kept from each stream of the probe; the version is one or two lines.
const MAX_OUTPUT_BYTES: u64 = 64 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error("cannot run it: {0}")]
    Spawn(#[source] std::io::Error),
    #[error("`--version` failed with {status}{detail}")]
    Failed { status: ExitStatus, detail: String },
    #[error("`--version` did not finish within {} s, so the process was killed", .0.as_secs())]
    TimedOut(Duration),
}

/// Runs `program --version` and returns the first line it printed. The process runs in its own
/// process group on Unix, and the whole group is killed when `limit` passes.
pub async fn probe_version(program: &Path, limit: Duration) -> Result<String, ProbeError> {
    let mut command = Command::new(program);
    command
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    #[cfg(unix)]
    command.process_group(0);
    let mut child = command.spawn().map_err(ProbeError::Spawn)?;

    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let run = async {
        let (status, stdout, stderr) = tokio::join!(child.wait(), read_limited(stdout), read_limited(stderr));
        (status, stdout, stderr)
    };
    let outcome = tokio::time::timeout(limit, run).await;

    let Ok((status, stdout, stderr)) = outcome else {
        kill_process_group(&child);
        let _ = child.kill().await;
        return Err(ProbeError::TimedOut(limit));
    };
    let status = status.map_err(ProbeError::Spawn)?;

    let first_line = |text: &str| text.lines().map(str::trim).find(|line| !line.is_empty()).map(str::to_owned);
    if status.success() {
        return Ok(first_line(&stdout).or_else(|| first_line(&stderr)).unwrap_or_default());
    }
    let last_line = stderr.lines().map(str::trim).rfind(|line| !line.is_empty());
    Err(ProbeError::Failed {
        status,
        detail: last_line.map(|line| format!(": {line}")).unwrap_or_default(),
    })
}

async fn read_limited(stream: Option<impl AsyncRead + Unpin>) -> String {
    let Some(stream) = stream else {
        return String::new();
    };
    let mut bytes = Vec::new();
    let _ = stream.take(MAX_OUTPUT_BYTES).read_to_end(&mut bytes).await;
    String::from_utf8_lossy(&bytes).into_owned()
}

#[cfg(unix)]
fn kill_process_group(child: &tokio::process::Child) {
    use nix::sys::signal::{Signal, killpg};
    use nix::unistd::Pid;

    if let Some(pid) = child.id().and_then(|pid| i32::try_from(pid).ok()) {
        let _ = killpg(Pid::from_raw(pid), Signal::SIGKILL);
    }
}

#[cfg(not(unix))]
fn kill_process_group(_child: &tokio::process::Child) {}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn script(name: &str, body: &str) -> std::path::PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let path = std::env::temp_dir().join(format!("llama-runner-probe-{name}-{}", std::process::id()));
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    #[tokio::test]
    async fn version_line_is_returned() {
        let path = script("ok", "echo 'version: 1 (abc)' >&2");
        let version = probe_version(&path, VERSION_PROBE_TIMEOUT).await;
        let _ = std::fs::remove_file(&path);
        assert_eq!(version.unwrap(), "version: 1 (abc)");
    }

    #[tokio::test]
    async fn failing_probe_reports_status_and_last_line() {
        let path = script("fails", "echo 'error while loading shared libraries: libggml.so' >&2; exit 127");
        let error = probe_version(&path, VERSION_PROBE_TIMEOUT).await.unwrap_err();
        let _ = std::fs::remove_file(&path);
        let message = error.to_string();
        assert!(message.contains("127"), "{message}");
        assert!(message.contains("libggml.so"), "{message}");
    }

    #[tokio::test]
    async fn hanging_probe_times_out() {
        let path = script("hangs", "sleep 100");
        let started = std::time::Instant::now();
        let error = probe_version(&path, Duration::from_millis(300)).await.unwrap_err();
        let _ = std::fs::remove_file(&path);
        assert!(matches!(error, ProbeError::TimedOut(_)), "{error:?}");
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
