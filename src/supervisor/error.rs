use std::time::Duration;

/// Why a model's process could not be brought to ready.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StartError {
    #[error("executable not found: {program}")]
    ExecutableNotFound { program: String },
    #[error("cannot start {program}: {message}")]
    Spawn { program: String, message: String },
    #[error("cannot find a free port: {message}")]
    NoFreePort { message: String },
    #[error("llama-server exited while loading ({status}); last output:\n{last_lines}")]
    ExitedWhileLoading { status: String, last_lines: String },
    #[error(
        "llama-server did not become healthy within the health check timeout of {}s (healthCheckTimeout); last output:\n{last_lines}",
        timeout.as_secs()
    )]
    HealthTimeout { timeout: Duration, last_lines: String },
    #[error("the start was cancelled because llama-runner is stopping the model")]
    Cancelled,
}
