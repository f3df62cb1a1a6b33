//! Reads the machine's figures through sysinfo. It blocks on file reads, so the sampler runs it
//! on tokio's blocking threads.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use sysinfo::{CpuRefreshKind, DiskRefreshKind, Disks, MemoryRefreshKind, Networks, Pid, ProcessRefreshKind, ProcessesToUpdate, System};

use super::gpu::GpuProbe;
use super::rates::CounterRates;
use super::sample::{DiskIo, DiskSpace, Interface, Memory, Network, ProcessUsage, Swap, SystemSample};

/// A system sample with the usage of the model processes asked for.
#[derive(Debug, Default)]
pub struct Collected {
    pub system: SystemSample,
    pub processes: BTreeMap<u32, ProcessUsage>,
    pub gpu_memory_by_pid: BTreeMap<u32, u64>,
}

/// The sysinfo state kept between samples, which rates and CPU shares need.
pub struct SystemCollector {
    /// `None` where sysinfo does not support the system; samples then hold zeros.
    system: Option<System>,
    disks: Option<Disks>,
    networks: Option<Networks>,
    gpus: GpuProbe,
    own_pid: Option<Pid>,
    counters: CounterRates,
    last_read: Instant,
}

impl Default for SystemCollector {
    fn default() -> Self {
        Self::new()
    }
}

impl SystemCollector {
    /// Takes a first reading, so that the first sample already has rates and CPU shares.
    pub fn new() -> Self {
        let mut collector = Self {
            system: System::new().ok(),
            disks: Disks::new_with_refreshed_list().ok(),
            networks: Networks::new_with_refreshed_list().ok(),
            gpus: GpuProbe::default(),
            own_pid: sysinfo::get_current_pid().ok(),
            counters: CounterRates::default(),
            last_read: Instant::now(),
        };
        if collector.system.is_none() {
            tracing::warn!("system figures are not available on this system; samples hold zeros");
        }
        collector.collect(&[]);
        collector
    }

    /// Reads every figure, with the CPU and memory of the processes `pids`.
    pub fn collect(&mut self, pids: &[u32]) -> Collected {
        let now = Instant::now();
        let elapsed = now - self.last_read;
        self.last_read = now;

        let mut collected = Collected::default();
        if let Some(system) = self.system.as_mut() {
            read_system(system, &mut collected.system);
            collected.processes = read_processes(system, self.own_pid, pids, &mut collected.system);
        }
        collected.system.load_average = System::load_average()
            .map(|load| [load.one, load.five, load.fifteen])
            .unwrap_or_default();
        collected.system.process_count = count_processes(self.system.as_mut());

        if let Some(disks) = self.disks.as_mut() {
            disks.refresh_specifics(true, DiskRefreshKind::nothing().with_storage().with_io_usage());
            let (space, io) = read_disks(disks, &mut self.counters, elapsed);
            collected.system.disks = space;
            collected.system.disk_io = io;
        }
        if let Some(networks) = self.networks.as_mut() {
            networks.refresh(true);
            collected.system.network = read_networks(networks, &mut self.counters, elapsed);
        }
        if let Some(reading) = self.gpus.read() {
            collected.system.gpus = Some(reading.gpus);
            collected.gpu_memory_by_pid = reading.memory_by_pid;
        }
        collected
    }
}

fn read_system(system: &mut System, sample: &mut SystemSample) {
    system.refresh_cpu_specifics(CpuRefreshKind::nothing().with_usage());
    system.refresh_memory_specifics(MemoryRefreshKind::everything());

    sample.cpu_percent = f64::from(system.global_cpu_usage());
    sample.cpu_per_core = system.cpus().iter().map(|cpu| f64::from(cpu.usage())).collect();
    sample.memory = Memory {
        total: system.total_memory(),
        used: system.used_memory(),
        available: system.available_memory(),
    };
    sample.swap = Swap {
        total: system.total_swap(),
        used: system.used_swap(),
    };
}

/// Reads llama-runner's own process and `pids`, and returns the usage of each of `pids` found.
fn read_processes(system: &mut System, own_pid: Option<Pid>, pids: &[u32], sample: &mut SystemSample) -> BTreeMap<u32, ProcessUsage> {
    let mut wanted: Vec<Pid> = pids.iter().map(|pid| Pid::from_u32(*pid)).collect();
    wanted.extend(own_pid);
    let kind = ProcessRefreshKind::nothing().with_cpu().with_memory();
    system.refresh_processes_specifics(ProcessesToUpdate::Some(&wanted), true, kind);

    let usage = |pid: Pid| {
        system.process(pid).map(|process| ProcessUsage {
            cpu_percent: f64::from(process.cpu_usage()),
            rss: process.memory(),
        })
    };
    if let Some(own) = own_pid.and_then(usage) {
        sample.runner = own;
    }
    pids.iter()
        .filter_map(|pid| usage(Pid::from_u32(*pid)).map(|found| (*pid, found)))
        .collect()
}

/// Counts processes: on Linux from the numeric entries of `/proc`, which is cheaper than
/// reading every process.
fn count_processes(system: Option<&mut System>) -> u64 {
    #[cfg(target_os = "linux")]
    {
        let _ = system;
        std::fs::read_dir("/proc")
            .map(|entries| {
                entries
                    .flatten()
                    .filter(|entry| entry.file_name().to_str().is_some_and(|name| name.bytes().all(|byte| byte.is_ascii_digit())))
                    .count() as u64
            })
            .unwrap_or(0)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let Some(system) = system else { return 0 };
        system.refresh_processes_specifics(ProcessesToUpdate::All, true, ProcessRefreshKind::nothing());
        system.processes().len() as u64
    }
}

/// Space of each mount, and read and write rates summed over the distinct devices, so that a
/// device mounted twice is counted once.
fn read_disks(disks: &Disks, counters: &mut CounterRates, elapsed: std::time::Duration) -> (Vec<DiskSpace>, DiskIo) {
    let mut space = Vec::new();
    let mut mounts = BTreeSet::new();
    let mut devices = BTreeMap::new();

    for disk in disks.iter() {
        let mount = disk.mount_point().to_string_lossy().into_owned();
        if mounts.insert(mount.clone()) {
            let total = disk.total_space();
            space.push(DiskSpace {
                mount,
                total,
                used: total.saturating_sub(disk.available_space()),
            });
        }
        let usage = disk.usage();
        devices.insert(disk.name().to_string_lossy().into_owned(), (usage.total_read_bytes, usage.total_written_bytes));
    }

    let mut io = DiskIo::default();
    let mut names = Vec::new();
    for (device, (read, written)) in &devices {
        let read_name = format!("disk read {device}");
        let write_name = format!("disk write {device}");
        io.read_bytes_per_second += counters.update(&read_name, *read, elapsed).unwrap_or(0.0);
        io.write_bytes_per_second += counters.update(&write_name, *written, elapsed).unwrap_or(0.0);
        names.push(read_name);
        names.push(write_name);
    }
    forget_others(counters, "disk ", &names);
    (space, io)
}

fn read_networks(networks: &Networks, counters: &mut CounterRates, elapsed: std::time::Duration) -> Network {
    let mut network = Network::default();
    let mut names = Vec::new();

    for (name, data) in networks.iter() {
        let name = name.to_string_lossy().into_owned();
        let rx_name = format!("net rx {name}");
        let tx_name = format!("net tx {name}");
        let interface = Interface {
            name,
            rx_bytes_per_second: counters.update(&rx_name, data.total_received(), elapsed).unwrap_or(0.0),
            tx_bytes_per_second: counters.update(&tx_name, data.total_transmitted(), elapsed).unwrap_or(0.0),
        };
        network.rx_bytes_per_second += interface.rx_bytes_per_second;
        network.tx_bytes_per_second += interface.tx_bytes_per_second;
        network.interfaces.push(interface);
        names.push(rx_name);
        names.push(tx_name);
    }
    network.interfaces.sort_by(|left, right| left.name.cmp(&right.name));
    forget_others(counters, "net ", &names);
    network
}

/// Forgets the counters under `prefix` that this reading did not see.
fn forget_others(counters: &mut CounterRates, prefix: &str, seen: &[String]) {
    counters.retain_where(|name| !name.starts_with(prefix) || seen.iter().any(|kept| kept == name));
}
