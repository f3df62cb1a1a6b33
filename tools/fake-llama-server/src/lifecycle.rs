//! Process-level behaviour: PID files, the grandchild, simulated load and exit on signals.

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use tokio::signal::unix::{Signal, SignalKind, signal};

use crate::args::SLEEP_FOREVER_FLAG;
use crate::settings::{FakeSettings, FaultMode};

/// Exit code of `exit_during_load`.
const LOAD_FAILURE_EXIT_CODE: i32 = 3;

pub fn append_pid(path: &Path, pid: u32) -> io::Result<()> {
    let mut file = OpenOptions::new().create(true).append(true).open(path)?;
    file.write_all(format!("{pid}\n").as_bytes())
}

/// Starts a copy of this binary that sleeps until killed. It stays in this process's group
/// and outlives this process, so a caller can check that stopping kills the whole group.
/// Returns the grandchild's PID. The `Child` handle is dropped without waiting on it.
pub fn spawn_grandchild(pid_file: Option<&Path>) -> io::Result<u32> {
    let child = Command::new(std::env::current_exe()?)
        .arg(SLEEP_FOREVER_FLAG)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let pid = child.id();

    if let Some(path) = pid_file {
        std::fs::write(path, format!("{pid}\n"))?;
    }
    Ok(pid)
}

/// Prints llama-server-like load messages to stderr and, in `exit_during_load` mode, exits
/// with code 3 halfway through the load time. Otherwise it announces readiness once the load
/// time has passed.
pub async fn simulate_load(settings: &FakeSettings, model: &str) {
    eprintln!("llama_model_loader: loading model from {model}");
    eprintln!("load_tensors: loading model tensors, this can take a while... (fake)");

    if settings.mode == FaultMode::ExitDuringLoad {
        tokio::time::sleep(settings.load_time / 2).await;
        eprintln!(
            "llama_model_load: error loading model: fake failure (FAKE_MODE=exit_during_load)"
        );
        eprintln!("main: error: failed to load model '{model}'");
        std::process::exit(LOAD_FAILURE_EXIT_CODE);
    }

    tokio::time::sleep(settings.load_time).await;
    eprintln!("main: model loaded");
    eprintln!("main: server is listening, starting the main loop");
}

/// SIGTERM and SIGINT handlers. Installing them replaces the default action, which would
/// kill the process, so they are installed before the PID file is written.
pub struct StopSignals {
    terminate: Signal,
    interrupt: Signal,
}

impl StopSignals {
    pub fn install() -> io::Result<Self> {
        Ok(Self {
            terminate: signal(SignalKind::terminate())?,
            interrupt: signal(SignalKind::interrupt())?,
        })
    }

    /// Waits for SIGTERM or SIGINT and returns its name. In `ignore_sigterm` mode it logs and
    /// ignores both, so only SIGKILL stops the process.
    pub async fn wait(&mut self, mode: FaultMode) -> &'static str {
        loop {
            let name = tokio::select! {
                _ = self.terminate.recv() => "SIGTERM",
                _ = self.interrupt.recv() => "SIGINT",
            };

            if mode != FaultMode::IgnoreSigterm {
                return name;
            }
            eprintln!("fake-llama-server: FAKE_MODE=ignore_sigterm: ignoring {name}");
        }
    }
}

/// Body of the grandchild started by [`spawn_grandchild`].
pub fn sleep_forever() -> ! {
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}
