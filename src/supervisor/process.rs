use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use process_wrap::tokio::{ChildWrapper, CommandWrap, KillOnDrop, ProcessGroup};
use tokio::io::AsyncRead;
use tokio::sync::watch;
use tokio::time::Instant;
use tokio_util::codec::{AnyDelimiterCodec, FramedRead};
use tokio_util::sync::CancellationToken;

use super::error::StartError;
use super::exit_status::describe_exit_status;
use super::launch::{ROUTER_ENVIRONMENT, launch_command_line};
use super::log_buffer::LogBuffer;
use super::readiness::wait_until_healthy;
use super::termination::terminate_group;
use crate::config::ModelSpec;

/// Maximum output line kept, in bytes. The rest of a longer line is dropped.
const MAX_LINE_BYTES: usize = 16 * 1024;

/// Output lines quoted in a start failure.
const FAILURE_TAIL_LINES: usize = 20;

/// The end of a model process: its exit status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessExit {
    /// "exit code 1", "killed by signal 9 (SIGKILL)", or why waiting failed.
    pub status: String,
}

/// One running llama-server (or wrapper) process and the process group it leads.
#[derive(Debug)]
pub struct ModelProcess {
    pub model: Arc<str>,
    pub pid: u32,
    pub port: u16,
    pub started_at: Instant,
    pub logs: Arc<LogBuffer>,
    exit: watch::Receiver<Option<ProcessExit>>,
}

impl ModelProcess {
    /// Starts the model's process on `port` and waits until `GET /health` returns 200.
    ///
    /// Fails as soon as the process exits, after `health_timeout`, or when `cancel` fires; in
    /// each case the whole process group is gone when this returns.
    pub async fn start(
        spec: &ModelSpec,
        port: u16,
        health_timeout: Duration,
        stop_grace: Duration,
        cancel: CancellationToken,
    ) -> Result<Self, StartError> {
        let logs = Arc::new(LogBuffer::new(LogBuffer::DEFAULT_CAPACITY));
        Self::start_with_logs(spec, port, health_timeout, stop_grace, cancel, logs).await
    }

    /// Like [`start`](Self::start), with the process's output going to `logs`, so that callers
    /// can show it while the model loads and after a failed start.
    pub async fn start_with_logs(
        spec: &ModelSpec,
        port: u16,
        health_timeout: Duration,
        stop_grace: Duration,
        cancel: CancellationToken,
        logs: Arc<LogBuffer>,
    ) -> Result<Self, StartError> {
        let process = Self::spawn(spec, port, logs)?;

        let readiness = tokio::select! {
            readiness = wait_until_healthy(port, health_timeout, process.exit.clone()) => readiness,
            _ = cancel.cancelled() => {
                process.stop(stop_grace).await;
                return Err(StartError::Cancelled);
            }
        };

        match readiness {
            Ok(()) => Ok(process),
            Err(readiness_failure) => {
                process.stop(stop_grace).await;
                let mut last_lines = process.last_lines();
                if let Some(pinned) = spec.pinned_port
                    && port_is_taken(pinned)
                {
                    last_lines = format!("port {pinned} (parameters.port) is already in use by another program\n{last_lines}");
                }
                Err(readiness_failure.into_start_error(health_timeout, last_lines))
            }
        }
    }

    fn spawn(spec: &ModelSpec, port: u16, logs: Arc<LogBuffer>) -> Result<Self, StartError> {
        let program = spec.runtime.program.clone();
        let arguments = launch_command_line(spec, port);

        let mut command = CommandWrap::with_new(&program, |command| {
            command
                .args(&arguments)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            for variable in ROUTER_ENVIRONMENT {
                command.env_remove(variable);
            }
        });
        command.wrap(ProcessGroup::leader()).wrap(KillOnDrop);
        #[cfg(target_os = "linux")]
        command.wrap(super::parent_death::ParentDeathSignal::new());
        // NOTE: Windows needs a job object with kill-on-close instead of a process group
        // (process_wrap::tokio::JobObject). Only the Linux target is installed where this was
        // written, so that branch has never been compiled.

        let mut child = command.spawn().map_err(|error| match error.kind() {
            std::io::ErrorKind::NotFound => StartError::ExecutableNotFound {
                program: program.clone(),
            },
            _ => StartError::Spawn {
                program: program.clone(),
                message: error.to_string(),
            },
        })?;
        let pid = child.id().unwrap_or_default();

        let mut captures = Vec::new();
        if let Some(stdout) = child.stdout().take() {
            captures.push(tokio::spawn(capture_lines(stdout, spec.id.clone(), logs.clone())));
        }
        if let Some(stderr) = child.stderr().take() {
            captures.push(tokio::spawn(capture_lines(stderr, spec.id.clone(), logs.clone())));
        }

        let (exit_sender, exit) = watch::channel(None);
        tokio::spawn(wait_for_exit(child, captures, exit_sender));

        tracing::info!(model = %spec.id, pid, port, program = %program, "model process started");
        Ok(Self {
            model: spec.id.clone(),
            pid,
            port,
            started_at: Instant::now(),
            logs,
            exit,
        })
    }

    /// Returns the exit, once the process has exited.
    pub fn exit(&self) -> Option<ProcessExit> {
        self.exit.borrow().clone()
    }

    /// Waits until the process exits.
    pub async fn exited(&self) -> ProcessExit {
        let mut exit = self.exit.clone();
        match exit.wait_for(Option::is_some).await {
            Ok(status) => status.clone().unwrap_or_else(unknown_exit),
            Err(_) => self.exit().unwrap_or_else(unknown_exit),
        }
    }

    /// Returns the last lines of output, joined for an error message.
    pub fn last_lines(&self) -> String {
        self.logs.tail(FAILURE_TAIL_LINES).join("\n")
    }

    /// Sends SIGTERM to the process group, then SIGKILL after `grace` if any member remains.
    pub async fn stop(&self, grace: Duration) {
        terminate_group(self.pid, grace).await;
        // The leader is reaped by its waiting task; give that a moment so `exit` is filled.
        let _ = tokio::time::timeout(Duration::from_secs(1), self.exited()).await;
    }
}

/// True when nothing can bind `port` on loopback: another program listens there.
fn port_is_taken(port: u16) -> bool {
    std::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, port)).is_err()
}

fn unknown_exit() -> ProcessExit {
    ProcessExit {
        status: "exit status unknown".to_owned(),
    }
}

/// Maximum wait, after the process exits, for its last output lines to be read. A descendant
/// that keeps the pipes open would otherwise hold the exit report back indefinitely.
const OUTPUT_DRAIN_LIMIT: Duration = Duration::from_millis(500);

async fn wait_for_exit(
    mut child: Box<dyn ChildWrapper>,
    captures: Vec<tokio::task::JoinHandle<()>>,
    exit: watch::Sender<Option<ProcessExit>>,
) {
    let status = match child.wait().await {
        Ok(status) => describe_exit_status(&status),
        Err(error) => format!("cannot wait for the process: {error}"),
    };
    // The exit is published after the output is read to its end, so that error messages
    // quoting the last lines include what the process wrote just before exiting.
    let drained = async {
        for capture in captures {
            let _ = capture.await;
        }
    };
    let _ = tokio::time::timeout(OUTPUT_DRAIN_LIMIT, drained).await;
    exit.send_replace(Some(ProcessExit { status }));
}

async fn capture_lines(pipe: impl AsyncRead + Unpin, model: Arc<str>, logs: Arc<LogBuffer>) {
    let codec = AnyDelimiterCodec::new_with_max_length(b"\n".to_vec(), Vec::new(), MAX_LINE_BYTES);
    let mut lines = FramedRead::new(pipe, codec);

    while let Some(frame) = lines.next().await {
        let line: Bytes = match frame {
            Ok(line) => line,
            // An over-long line is skipped up to its end; the pipe itself is still readable.
            Err(tokio_util::codec::AnyDelimiterCodecError::MaxChunkLengthExceeded) => continue,
            Err(_) => break,
        };
        let text = String::from_utf8_lossy(&line).trim_end_matches('\r').to_owned();
        tracing::debug!(model = %model, line = %text, "model output");
        logs.push(text);
    }
}
