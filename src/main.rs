use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use tokio_util::sync::CancellationToken;
use tracing_subscriber::EnvFilter;

use llama_runner::config::{default_config_path, load_or_create_config};
use llama_runner::server::BoundServer;

/// Starts llama.cpp's llama-server on demand for each requested model and serves the OpenAI,
/// Ollama and LM Studio APIs in front of it.
#[derive(Parser)]
#[command(name = "llama-runner", version, about)]
struct Cli {
    /// Log level or filter (error, warn, info, debug, trace, or a tracing filter such as
    /// "llama_runner=debug"). Overrides RUST_LOG.
    #[arg(long, global = true)]
    log_level: Option<String>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the APIs, starting models as requests name them.
    Serve {
        /// Config file; a starter file is written there when it does not exist.
        /// Default: ~/.llama-runner/config.json.
        #[arg(long)]
        config: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.log_level.as_deref());

    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };

    let result = match cli.command {
        Command::Serve { config } => runtime.block_on(serve(config)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(level: Option<&str>) {
    let filter = match level {
        Some(level) => EnvFilter::new(level),
        None => EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
    };
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}

async fn serve(config: Option<PathBuf>) -> anyhow::Result<()> {
    let path = match config {
        Some(path) => path,
        None => default_config_path()?,
    };
    let loaded = load_or_create_config(&path, |created| {
        eprintln!("llama-runner: no config file found; wrote a starter config to {}", created.display());
    })?;
    for warning in &loaded.warnings {
        tracing::warn!(path = %warning.path, "config: {}", warning.message);
    }
    tracing::info!(config = %loaded.path.display(), models = loaded.settings.models.len(), "config loaded");

    let server = BoundServer::bind(loaded.settings).await.context("cannot start the API servers")?;
    let shutdown = CancellationToken::new();
    tokio::spawn(cancel_on_signal(shutdown.clone()));
    server.serve(shutdown).await;
    Ok(())
}

/// Cancels `shutdown` on the first SIGINT or SIGTERM.
async fn cancel_on_signal(shutdown: CancellationToken) {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(signal) => signal,
            Err(error) => {
                tracing::error!(error = %error, "cannot listen for SIGTERM");
                let _ = interrupt.await;
                shutdown.cancel();
                return;
            }
        };
        tokio::select! {
            _ = interrupt => tracing::info!(signal = "SIGINT", "shutdown requested"),
            _ = terminate.recv() => tracing::info!(signal = "SIGTERM", "shutdown requested"),
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
    shutdown.cancel();
}
