//! The machine the bench ran on, for the report.

use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    /// First `model name` line of `/proc/cpuinfo`.
    pub cpu_model: String,
    /// CPUs this process may run on, as `nproc` prints.
    pub cpus: usize,
    pub kernel: String,
    /// 1, 5 and 15 minute load averages when the bench started. Other work on the machine
    /// skews every figure, so a reader should see how busy it was.
    pub load_average_at_start: String,
}

impl Machine {
    pub fn detect() -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu_model = cpuinfo
            .lines()
            .find_map(|line| line.strip_prefix("model name"))
            .and_then(|rest| rest.split_once(':'))
            .map_or_else(|| "unknown".to_owned(), |(_, name)| name.trim().to_owned());
        let cpus = std::thread::available_parallelism().map_or(1, |count| count.get());
        let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").map_or_else(
            |_| "unknown".to_owned(),
            |release| release.trim().to_owned(),
        );

        Self {
            cpu_model,
            cpus,
            kernel,
            load_average_at_start: load_average(),
        }
    }

    pub fn summary(&self) -> String {
        format!(
            "{} CPUs ({}), Linux {}, load average {} at the start",
            self.cpus, self.cpu_model, self.kernel, self.load_average_at_start
        )
    }
}

/// Returns the 1, 5 and 15 minute load averages from `/proc/loadavg`.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|| "unknown".to_owned())
}
