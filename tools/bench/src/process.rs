//! Servers the bench starts as child processes, and how they are stopped with everything they
//! started.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

/// Time a server gets to exit after SIGTERM before it is sent SIGKILL.
const STOP_GRACE: Duration = Duration::from_secs(15);

/// Time a leftover descendant gets after SIGTERM before it is sent SIGKILL.
const DESCENDANT_GRACE: Duration = Duration::from_secs(5);

/// A running server whose output goes to a log file. Dropping it stops it.
pub struct ServerProcess {
    name: String,
    child: Child,
    log_path: PathBuf,
    stopped: bool,
}

impl ServerProcess {
    /// Starts `command` with its stdout and stderr appended to `log_path`.
    pub fn spawn(name: &str, mut command: Command, log_path: &Path) -> anyhow::Result<Self> {
        let log = File::create(log_path)
            .with_context(|| format!("cannot create log file {}", log_path.display()))?;
        let log_for_stderr = log.try_clone()?;
        command
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_for_stderr);

        let child = command
            .spawn()
            .with_context(|| format!("cannot start {name} ({:?})", command.get_program()))?;
        Ok(Self {
            name: name.to_owned(),
            child,
            log_path: log_path.to_owned(),
            stopped: false,
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Fails when the process has already exited, with the end of its log.
    pub fn ensure_running(&mut self) -> anyhow::Result<()> {
        if let Some(status) = self.child.try_wait()? {
            anyhow::bail!(
                "{} exited early with {status}; last log lines:\n{}",
                self.name,
                self.log_tail()
            );
        }
        Ok(())
    }

    /// Returns the last 20 lines of the process's log.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log_path).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// Sends SIGTERM, waits, then sends SIGKILL if needed. Descendants still alive after the
    /// server exited are stopped the same way. Their PIDs are returned, because a server should
    /// stop its own children.
    pub fn stop(&mut self) -> Vec<u32> {
        if self.stopped {
            return Vec::new();
        }
        self.stopped = true;

        let descendants = descendants_of(self.child.id());
        let pid = Pid::from_raw(self.child.id() as i32);
        let _ = kill(pid, Signal::SIGTERM);
        let exited = wait_until(STOP_GRACE, || matches!(self.child.try_wait(), Ok(Some(_))));
        if !exited {
            eprintln!(
                "bench: {} ignored SIGTERM for {STOP_GRACE:?}; sending SIGKILL",
                self.name
            );
            let _ = self.child.kill();
            let _ = self.child.wait();
        }

        let leftovers: Vec<u32> = descendants
            .into_iter()
            .filter(|pid| is_alive(*pid))
            .collect();
        for leftover in &leftovers {
            stop_pid(*leftover);
        }
        leftovers
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let leftovers = self.stop();
        if !leftovers.is_empty() {
            eprintln!(
                "bench: {} left processes {leftovers:?} running after it exited; they were stopped",
                self.name
            );
        }
    }
}

/// Reads `VmRSS` from `/proc/PID/status`, in bytes.
pub fn resident_set_size(pid: u32) -> anyhow::Result<u64> {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path).with_context(|| format!("cannot read {path}"))?;
    let kilobytes = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| {
            value
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .with_context(|| format!("no VmRSS line in {path}"))?;
    Ok(kilobytes * 1024)
}

/// Polls `condition` every 10 ms until it is true or `limit` passes, and returns whether it became true.
fn wait_until(limit: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if condition() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn stop_pid(pid: u32) {
    let target = Pid::from_raw(pid as i32);
    let _ = kill(target, Signal::SIGTERM);
    if !wait_until(DESCENDANT_GRACE, || !is_alive(pid)) {
        let _ = kill(target, Signal::SIGKILL);
    }
}

/// PIDs of every live process below `root` in the process tree, found through `/proc/*/stat`.
fn descendants_of(root: u32) -> Vec<u32> {
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|name| name.parse::<u32>().ok())
        else {
            continue;
        };
        if let Some((parent, _)) = stat_fields(pid) {
            children.entry(parent).or_default().push(pid);
        }
    }

    let mut found = Vec::new();
    let mut pending = vec![root];
    while let Some(pid) = pending.pop() {
        for child in children.get(&pid).into_iter().flatten() {
            found.push(*child);
            pending.push(*child);
        }
    }
    found
}

/// Reads the parent PID and the state letter of `pid` from `/proc/PID/stat`.
fn stat_fields(pid: u32) -> Option<(u32, char)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may contain spaces and brackets, so fields are read after its last ')'.
    let (_, rest) = stat.rsplit_once(") ")?;
    let mut fields = rest.split_whitespace();
    let state = fields.next()?.chars().next()?;
    let parent = fields.next()?.parse().ok()?;
    Some((parent, state))
}

fn is_alive(pid: u32) -> bool {
    stat_fields(pid).is_some_and(|(_, state)| state != 'Z' && state != 'X')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_rss_is_positive() {
        assert!(resident_set_size(std::process::id()).unwrap() > 0);
    }

    #[test]
    fn stop_kills_child_and_grandchild() {
        let dir = tempfile::tempdir().unwrap();
        let mut command = Command::new("sh");
        command.args(["-c", "sleep 30 & wait"]);
        let mut server = ServerProcess::spawn("sh", command, &dir.path().join("log")).unwrap();
        assert!(wait_until(Duration::from_secs(5), || !descendants_of(
            server.pid()
        )
        .is_empty()));
        let grandchildren = descendants_of(server.pid());

        server.stop();

        assert!(grandchildren.iter().all(|pid| !is_alive(*pid)));
    }
}
