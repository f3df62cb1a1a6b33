//! Total and available memory of the machine and of each NVIDIA GPU, read once for `"auto"`.

use nvml_wrapper::Nvml;

/// Memory of one GPU in bytes, as NVML reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GpuMemory {
    pub index: u32,
    pub total: u64,
    pub free: u64,
}

/// Memory in bytes. `gpus` is empty without NVML or without an NVIDIA GPU.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SystemMemory {
    pub cpu_total: u64,
    pub cpu_available: u64,
    pub gpus: Vec<GpuMemory>,
}

impl SystemMemory {
    /// Reads the machine's memory (or the cgroup's, when lower) through sysinfo and the GPUs
    /// through NVML. Blocking: NVML loads the driver library on first use.
    pub fn read() -> SystemMemory {
        let mut system = match sysinfo::System::new() {
            Ok(system) => system,
            Err(error) => {
                tracing::warn!(error = %error, "cannot read the system memory: the memory budget for the CPU is 0");
                return SystemMemory {
                    gpus: read_gpus(),
                    ..SystemMemory::default()
                };
            }
        };
        system.refresh_memory();
        let mut cpu_total = system.total_memory();
        let mut cpu_available = system.available_memory();

        // In a container the cgroup limit, not the machine, bounds what the models may use.
        if let Some(cgroup) = system.cgroup_limits() {
            cpu_total = cpu_total.min(cgroup.total_memory);
            cpu_available = cpu_available.min(cgroup.free_memory);
        }

        SystemMemory {
            cpu_total,
            cpu_available,
            gpus: read_gpus(),
        }
    }
}

fn read_gpus() -> Vec<GpuMemory> {
    let nvml = match Nvml::init() {
        Ok(nvml) => nvml,
        Err(error) => {
            tracing::debug!(error = %error, "NVML is not available: no GPU memory is budgeted");
            return Vec::new();
        }
    };
    let count = match nvml.device_count() {
        Ok(count) => count,
        Err(error) => {
            tracing::warn!(error = %error, "cannot count GPUs through NVML: no GPU memory is budgeted");
            return Vec::new();
        }
    };

    let mut gpus = Vec::new();
    for index in 0..count {
        let memory = nvml.device_by_index(index).and_then(|device| device.memory_info());
        match memory {
            Ok(memory) => gpus.push(GpuMemory {
                index,
                total: memory.total,
                free: memory.free,
            }),
            Err(error) => tracing::warn!(gpu = index, error = %error, "cannot read GPU memory through NVML; the GPU is not budgeted"),
        }
    }
    gpus
}
