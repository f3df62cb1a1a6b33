//! Command-line options.

use std::path::PathBuf;

use clap::Parser;

/// Measures llama-runner against llama-server, nginx and llama.cpp's router mode and prints a
/// table of ratios. The figures are informational: the exit status is 0 unless a stage failed.
#[derive(Debug, Parser)]
#[command(name = "llama-runner-bench", version, about)]
pub struct Args {
    /// llama-runner binary, preferably a release build.
    #[arg(long, default_value = "target/release/llama-runner")]
    pub llama_runner: PathBuf,

    /// fake-llama-server binary, the fast upstream for the proxy overhead stage.
    #[arg(long, default_value = "target/release/fake-llama-server")]
    pub fake_llama_server: PathBuf,

    /// llama.cpp's llama-server binary.
    #[arg(long)]
    pub llama_server: PathBuf,

    /// GGUF model file that llama-server loads.
    #[arg(long)]
    pub model: PathBuf,

    /// nginx binary, the reference proxy.
    #[arg(long, default_value = "nginx")]
    pub nginx: PathBuf,

    /// Also write the results as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,

    /// `--threads` for every llama-server. Default: the number of CPUs.
    #[arg(long)]
    pub threads: Option<usize>,

    /// Measured requests per target at concurrency 1.
    #[arg(long, default_value_t = 2000)]
    pub requests_c1: usize,

    /// Measured requests per target at concurrency 64.
    #[arg(long, default_value_t = 20_000)]
    pub requests_c64: usize,

    /// Maximum time for one measured load run, in seconds. A run that reaches it stops early.
    #[arg(long, default_value_t = 30)]
    pub load_time_cap_secs: u64,

    /// Streamed requests per side for the time to first byte.
    #[arg(long, default_value_t = 20)]
    pub stream_runs: usize,

    /// Cold starts per side.
    #[arg(long, default_value_t = 5)]
    pub cold_runs: usize,

    /// Requests in the swap sequence, alternating between two models.
    #[arg(long, default_value_t = 6)]
    pub swap_requests: usize,

    /// Times the swap sequence runs on each side, each time from a fresh start.
    #[arg(long, default_value_t = 3)]
    pub swap_rounds: usize,
}
