//! The command line: `serve`, `check` and `schema`, and the client commands (`ps`, `models`,
//! `load`, `unload`, `logs`, `status`) that call a running instance's management API.

pub mod check;
pub mod client;
pub mod serve;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Exit status of `check` and `serve` when the config file has errors.
pub const EXIT_INVALID_CONFIG: u8 = 1;
/// Exit status of `check` and `serve` when the config file cannot be read.
pub const EXIT_UNREADABLE_CONFIG: u8 = 2;

/// Starts llama.cpp's llama-server on demand for each requested model and serves the OpenAI,
/// Ollama and LM Studio APIs in front of it.
#[derive(Parser)]
#[command(name = "llama-runner", version, about)]
pub struct Cli {
    /// Log level or filter (error, warn, info, debug, trace, or a tracing filter such as
    /// "llama_runner=debug"). Overrides RUST_LOG.
    #[arg(long, global = true)]
    pub log_level: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Serve the APIs, starting models as requests name them.
    Serve {
        /// Config file; a starter file is written there when it does not exist.
        /// Default: ~/.llama-runner/config.json.
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Check a config file and report every problem with its JSON path. Exits 0 when the file is
    /// valid (warnings allowed), 1 when it has errors, 2 when it cannot be read.
    Check {
        /// Config file. Default: ~/.llama-runner/config.json.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Print {"valid": bool, "problems": [{"severity", "path", "message"}]} instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Print the JSON Schema of the config file, for editors (see "$schema").
    Schema,
    #[command(flatten)]
    Client(client::ClientCommand),
}
