//! The llama-server flags that change how much memory a process needs, read from a model's
//! flags. Spellings and defaults follow llama.cpp's `common/arg.cpp` (2026).

use super::cache_type::{CacheType, UnknownCacheType};
use super::tensor_override::{InvalidOverride, TensorOverride};

/// llama-server's default physical batch size (`--ubatch-size`), in tokens.
const DEFAULT_UBATCH: u64 = 512;
/// llama-server's default logical batch size (`--batch-size`), in tokens.
const DEFAULT_BATCH: u64 = 2048;
/// Slots llama-server runs when `--parallel` is unset or -1 ("auto"). It then also unifies the
/// KV cache (`tools/server/server.cpp`).
pub const AUTO_PARALLEL: u64 = 4;

/// How many layers go to the GPUs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GpuLayers {
    /// `auto` (the default) or `all`. This estimate puts every layer on the GPUs, which is what
    /// llama.cpp does when they fit.
    All,
    Count(u64),
}

/// Memory-relevant launch settings. `None` means the flag was not given.
#[derive(Debug, Clone, PartialEq)]
pub struct LaunchOptions {
    /// `--ctx-size`. `None` or 0 means the trained context length.
    pub context_size: Option<u64>,
    pub gpu_layers: GpuLayers,
    /// `--override-tensor` rules in the order given, then the ones `--cpu-moe` and
    /// `--n-cpu-moe` imply.
    pub tensor_overrides: Vec<TensorOverride>,
    pub cache_type_k: CacheType,
    pub cache_type_v: CacheType,
    /// `--parallel`, or `None` for auto.
    pub parallel: Option<u64>,
    /// `--kv-unified` / `--no-kv-unified`.
    pub kv_unified: Option<bool>,
    /// False with `--no-kv-offload`: the KV cache stays in system memory.
    pub kv_offload: bool,
    /// The physical batch size: the smaller of `--ubatch-size` and `--batch-size`.
    pub ubatch_size: u64,
    /// False only with `--flash-attn off`; auto counts as on.
    pub flash_attention: bool,
    pub swa_full: bool,
    /// `--tensor-split` proportions, one per GPU.
    pub tensor_split: Vec<f64>,
    /// `--split-mode none`: everything on the main GPU.
    pub single_gpu: bool,
    pub main_gpu: u32,
    /// `--mmproj` path: the multimodal projector, loaded beside the model.
    pub projector: Option<std::path::PathBuf>,
    /// False with `--no-mmproj-offload`.
    pub projector_offload: bool,
    /// False with `--no-repack`: the CPU backend keeps quantized weights in their file layout.
    pub repack: bool,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LaunchOptionsError {
    #[error("invalid value '{value}' for {flag}: expected {expected}")]
    InvalidValue {
        flag: String,
        value: String,
        expected: &'static str,
    },
    #[error("{flag} needs a value")]
    MissingValue { flag: String },
    #[error(transparent)]
    CacheType(#[from] UnknownCacheType),
    #[error(transparent)]
    Override(#[from] InvalidOverride),
}

impl Default for LaunchOptions {
    fn default() -> Self {
        LaunchOptions {
            context_size: None,
            gpu_layers: GpuLayers::All,
            tensor_overrides: Vec::new(),
            cache_type_k: CacheType::F16,
            cache_type_v: CacheType::F16,
            parallel: None,
            kv_unified: None,
            kv_offload: true,
            ubatch_size: DEFAULT_UBATCH,
            flash_attention: true,
            swa_full: false,
            tensor_split: Vec::new(),
            single_gpu: false,
            main_gpu: 0,
            projector: None,
            projector_offload: true,
            repack: true,
        }
    }
}

impl LaunchOptions {
    /// Reads the flags as `llama_runner::config::launch_arguments` writes them: `--name value`
    /// pairs and bare switches, with any number of leading dashes. `--name=value` works too.
    /// The last occurrence of a flag wins, as in llama.cpp.
    pub fn from_flags(flags: &[String]) -> Result<LaunchOptions, LaunchOptionsError> {
        let mut options = LaunchOptions::default();
        let mut batch = DEFAULT_BATCH;
        let mut ubatch = DEFAULT_UBATCH;
        let mut cpu_moe_overrides = Vec::new();

        let mut reader = FlagReader { flags, index: 0 };
        while let Some((name, inline_value)) = reader.next_flag() {
            let mut value = || reader.value(inline_value.clone());

            match name.as_str() {
                "c" | "ctx-size" => options.context_size = Some(number(&name, &value()?)?),
                "ngl" | "gpu-layers" | "n-gpu-layers" => options.gpu_layers = gpu_layers(&name, &value()?)?,
                "ot" | "override-tensor" => {
                    for rule in value()?.split(',').filter(|rule| !rule.is_empty()) {
                        options.tensor_overrides.push(TensorOverride::parse(rule)?);
                    }
                }
                "cmoe" | "cpu-moe" => cpu_moe_overrides = vec![TensorOverride::all_experts_on_cpu()],
                "ncmoe" | "n-cpu-moe" => cpu_moe_overrides = TensorOverride::first_experts_on_cpu(number(&name, &value()?)?),
                "ctk" | "cache-type-k" => options.cache_type_k = value()?.parse()?,
                "ctv" | "cache-type-v" => options.cache_type_v = value()?.parse()?,
                "np" | "parallel" => options.parallel = parallel(&name, &value()?)?,
                "kvu" | "kv-unified" => options.kv_unified = Some(true),
                "no-kvu" | "no-kv-unified" => options.kv_unified = Some(false),
                "nkvo" | "no-kv-offload" => options.kv_offload = false,
                "kvo" | "kv-offload" => options.kv_offload = true,
                "ub" | "ubatch-size" => ubatch = number(&name, &value()?)?,
                "b" | "batch-size" => batch = number(&name, &value()?)?,
                "fa" | "flash-attn" => options.flash_attention = reader.flash_attention(inline_value),
                "swa-full" => options.swa_full = true,
                "ts" | "tensor-split" => options.tensor_split = proportions(&name, &value()?)?,
                "sm" | "split-mode" => options.single_gpu = value()?.eq_ignore_ascii_case("none"),
                "mg" | "main-gpu" => options.main_gpu = u32::try_from(number(&name, &value()?)?).unwrap_or(u32::MAX),
                "mm" | "mmproj" => options.projector = Some(value()?.into()),
                "no-mmproj-offload" => options.projector_offload = false,
                "mmproj-offload" => options.projector_offload = true,
                "nr" | "no-repack" => options.repack = false,
                _ => {}
            }
        }

        options.ubatch_size = ubatch.min(batch).max(1);
        options.tensor_overrides.extend(cpu_moe_overrides);
        Ok(options)
    }

    /// Returns the slot count and whether the KV cache is unified, resolving "auto" as
    /// llama-server does: 4 slots sharing one unified cache.
    pub fn slots(&self) -> (u64, bool) {
        match self.parallel {
            None => (AUTO_PARALLEL, self.kv_unified.unwrap_or(true)),
            Some(slots) => (slots.max(1), self.kv_unified.unwrap_or(false)),
        }
    }
}

/// Walks a flag list, taking a value after each flag that needs one.
struct FlagReader<'a> {
    flags: &'a [String],
    index: usize,
}

impl FlagReader<'_> {
    /// Returns the next flag's name without leading dashes, and its `=value` part if any.
    fn next_flag(&mut self) -> Option<(String, Option<String>)> {
        let flag = self.flags.get(self.index)?;
        self.index += 1;

        let bare = flag.trim_start_matches('-');
        Some(match bare.split_once('=') {
            Some((name, value)) if flag.starts_with('-') => (name.to_owned(), Some(value.to_owned())),
            _ => (bare.to_owned(), None),
        })
    }

    /// Returns the value of the flag just read: its `=value` part, else the next argument.
    fn value(&mut self, inline_value: Option<String>) -> Result<String, LaunchOptionsError> {
        if let Some(value) = inline_value {
            return Ok(value);
        }
        let flag = self.flags[self.index - 1].clone();
        let value = self
            .flags
            .get(self.index)
            .cloned()
            .ok_or(LaunchOptionsError::MissingValue { flag })?;
        self.index += 1;
        Ok(value)
    }

    /// Reads `--flash-attn [on|off|auto]`. Older llama-server builds take it as a bare switch,
    /// so a following argument that is no such value is left for the next flag.
    fn flash_attention(&mut self, inline_value: Option<String>) -> bool {
        let next = inline_value.clone().or_else(|| self.flags.get(self.index).cloned());
        let enabled = match next.as_deref().map(str::to_ascii_lowercase).as_deref() {
            Some("off" | "false" | "0" | "disabled") => false,
            Some("on" | "true" | "1" | "enabled" | "auto") => true,
            _ => return true,
        };
        if inline_value.is_none() {
            self.index += 1;
        }
        enabled
    }
}

fn number(flag: &str, value: &str) -> Result<u64, LaunchOptionsError> {
    value.trim().parse().map_err(|_| LaunchOptionsError::InvalidValue {
        flag: format!("--{flag}"),
        value: value.to_owned(),
        expected: "a non-negative integer",
    })
}

fn gpu_layers(flag: &str, value: &str) -> Result<GpuLayers, LaunchOptionsError> {
    match value.trim() {
        "auto" | "all" | "-1" => Ok(GpuLayers::All),
        other => number(flag, other).map(GpuLayers::Count),
    }
}

fn parallel(flag: &str, value: &str) -> Result<Option<u64>, LaunchOptionsError> {
    match value.trim() {
        "-1" | "auto" => Ok(None),
        other => number(flag, other).map(Some),
    }
}

fn proportions(flag: &str, value: &str) -> Result<Vec<f64>, LaunchOptionsError> {
    value
        .split([',', '/'])
        .map(|part| {
            part.trim()
                .parse::<f64>()
                .ok()
                .filter(|share| share.is_finite() && *share >= 0.0)
                .ok_or_else(|| LaunchOptionsError::InvalidValue {
                    flag: format!("--{flag}"),
                    value: value.to_owned(),
                    expected: "comma-separated non-negative proportions such as 3,1",
                })
        })
        .collect()
}

#[cfg(test)]
#[path = "launch_options_tests.rs"]
mod tests;
