//! CPU time used on the whole machine against CPU time used by the bench and the servers it
//! started, to show how much other work ran during a bench run.

use nix::unistd::{SysconfVar, sysconf};

/// Cumulative CPU seconds at one moment.
#[derive(Debug, Clone, Copy)]
pub struct CpuTime {
    /// Non-idle time of all CPUs, from the first line of `/proc/stat`.
    pub machine: f64,
    /// This process's time plus that of its children that have exited and been waited for,
    /// which by the end of a run are all the servers the bench started and their own children.
    pub own: f64,
}

impl CpuTime {
    pub fn now() -> Option<Self> {
        let ticks_per_second = sysconf(SysconfVar::CLK_TCK).ok().flatten()? as f64;
        let machine = machine_busy_ticks()? as f64 / ticks_per_second;
        let own = own_ticks()? as f64 / ticks_per_second;
        Some(Self { machine, own })
    }

    /// CPU seconds that processes outside the bench's process tree used since `start`.
    pub fn others_since(&self, start: &CpuTime) -> f64 {
        let machine = self.machine - start.machine;
        let own = self.own - start.own;
        (machine - own).max(0.0)
    }
}

/// Wall time and CPU time since a starting point.
pub struct Clock {
    cpu: Option<CpuTime>,
    wall: std::time::Instant,
}

impl Clock {
    pub fn start() -> Self {
        Self {
            cpu: CpuTime::now(),
            wall: std::time::Instant::now(),
        }
    }

    /// Describes the time since the start: wall seconds, then CPU seconds used by the bench's
    /// process tree and by every other process. Servers still running are not yet counted as
    /// the bench's, so call this after they have stopped.
    pub fn describe(&self, label: &str) -> String {
        let wall = self.wall.elapsed().as_secs_f64();
        match (self.cpu, CpuTime::now()) {
            (Some(start), Some(end)) => format!(
                "{label}: {wall:.0} s, CPU time {:.1} s by the bench and the servers it started, \
                 {:.1} s by other processes on the machine",
                end.own - start.own,
                end.others_since(&start),
            ),
            _ => format!("{label}: {wall:.0} s, CPU time not available"),
        }
    }
}

/// Sum of the user, nice, system, irq, softirq and steal columns of the `cpu` line.
fn machine_busy_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().next()?.strip_prefix("cpu ")?;
    let columns: Vec<u64> = line
        .split_whitespace()
        .filter_map(|value| value.parse().ok())
        .collect();
    let busy_columns = [0, 1, 2, 5, 6, 7];
    Some(
        busy_columns
            .iter()
            .filter_map(|index| columns.get(*index))
            .sum(),
    )
}

/// utime + stime + cutime + cstime of this process, fields 14 to 17 of `/proc/self/stat`.
fn own_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields are counted after the command name's closing bracket, where field 3 starts.
    let (_, rest) = stat.rsplit_once(") ")?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let times = fields.get(11..15)?;
    times.iter().map(|value| value.parse::<u64>().ok()).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_time_grows_with_work() {
        let start = CpuTime::now().unwrap();
        let mut total = 0u64;
        for value in 0..20_000_000u64 {
            total = total.wrapping_add(value * value);
        }
        std::hint::black_box(total);
        let end = CpuTime::now().unwrap();

        assert!(end.own >= start.own);
        assert!(end.machine >= start.machine);
    }
}
