//! Finding model processes through /proc.

use std::time::{Duration, Instant};

/// PIDs of live (not zombie) processes whose command line contains `needle` as one argument.
pub fn pids_with_argument(needle: &str) -> Vec<u32> {
    let mut pids = Vec::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return pids;
    };
    for entry in entries.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|name| name.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(command_line) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
            continue;
        };
        let matches = command_line.split(|byte| *byte == 0).any(|argument| argument == needle.as_bytes());
        if matches && !is_zombie(pid) {
            pids.push(pid);
        }
    }
    pids
}

pub fn is_alive(pid: u32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists() && !is_zombie(pid)
}

fn is_zombie(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| stat.rsplit_once(") ").map(|(_, rest)| rest.starts_with('Z')))
        .unwrap_or(true)
}

/// Polls `condition` every 20 ms until it holds or `limit` passes; returns whether it held.
pub fn wait_until(limit: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if condition() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Reads `--port N` from the command line of the process serving `alias`.
pub fn listening_port_of(alias: &str) -> u16 {
    let pid = pids_with_argument(alias)[0];
    let command_line = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap();
    let arguments: Vec<String> = command_line
        .split(|byte| *byte == 0)
        .map(|argument| String::from_utf8_lossy(argument).into_owned())
        .collect();
    let index = arguments.iter().position(|argument| argument == "--port").unwrap();
    arguments[index + 1].parse().unwrap()
}
