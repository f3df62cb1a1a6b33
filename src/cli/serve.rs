//! `llama-runner serve`: load the config, refuse to start when it has errors, serve until a signal.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use tokio_util::sync::CancellationToken;

use llama_runner::config::{ConfigError, LoadedConfig, default_config_path, load_or_create_config};
use llama_runner::server::BoundServer;

use super::{EXIT_INVALID_CONFIG, EXIT_UNREADABLE_CONFIG};

pub async fn serve(config: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let path = match config {
        Some(path) => path,
        None => default_config_path()?,
    };
    let loaded = load_or_create_config(&path, |created| {
        eprintln!("llama-runner: no config file found; wrote a starter config to {}", created.display());
    });
    let loaded = match loaded {
        Ok(loaded) => loaded,
        Err(error) => return Ok(report_load_error(error)?),
    };
    log_loaded(&loaded);

    let server = BoundServer::bind(loaded.settings)
        .await
        .context("cannot start the API servers")?
        .reload_from(loaded.path.clone());
    let shutdown = CancellationToken::new();
    tokio::spawn(cancel_on_signal(shutdown.clone()));
    server.serve(shutdown).await;
    Ok(ExitCode::SUCCESS)
}

/// Prints the same report as `llama-runner check` for an invalid file and returns its exit status;
/// other errors are returned as they are.
fn report_load_error(error: ConfigError) -> Result<ExitCode, ConfigError> {
    match error {
        ConfigError::Invalid { ref problems, .. } => {
            for problem in problems {
                eprintln!("{problem}");
            }
            eprintln!("error: {error}; llama-runner did not start. Run `llama-runner check` for the full check");
            Ok(ExitCode::from(EXIT_INVALID_CONFIG))
        }
        ConfigError::Read { .. } => {
            eprintln!("error: {error}");
            Ok(ExitCode::from(EXIT_UNREADABLE_CONFIG))
        }
        other => Err(other),
    }
}

fn log_loaded(loaded: &LoadedConfig) {
    for warning in &loaded.warnings {
        tracing::warn!(path = %warning.path, "config: {}", warning.message);
    }
    tracing::info!(
        config = %loaded.path.display(),
        models = loaded.settings.models.len(),
        discovered = loaded.discovered.len(),
        "config loaded"
    );
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
