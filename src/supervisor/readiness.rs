use std::time::Duration;

use bytes::Bytes;
use http_body_util::Empty;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tokio::sync::watch;
use tokio::time::Instant;

use super::error::StartError;
use super::process::ProcessExit;

/// llama-server returns 503 on `/health` while it loads, so polling often forwards the first
/// request soon after it turns 200.
const POLL_INTERVAL: Duration = Duration::from_millis(25);

/// Maximum time a single health request may take before it counts as "not ready yet".
const REQUEST_TIMEOUT: Duration = Duration::from_secs(2);

pub(crate) enum ReadinessFailure {
    Exited(ProcessExit),
    TimedOut,
}

impl ReadinessFailure {
    pub(crate) fn into_start_error(self, timeout: Duration, last_lines: String) -> StartError {
        match self {
            ReadinessFailure::Exited(exit) => StartError::ExitedWhileLoading {
                status: exit.status,
                last_lines,
            },
            ReadinessFailure::TimedOut => StartError::HealthTimeout { timeout, last_lines },
        }
    }
}

/// Polls `GET http://127.0.0.1:{port}/health` until it returns 200, the process exits, or
/// `timeout` passes.
pub(crate) async fn wait_until_healthy(
    port: u16,
    timeout: Duration,
    mut exit: watch::Receiver<Option<ProcessExit>>,
) -> Result<(), ReadinessFailure> {
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let uri: hyper::Uri = format!("http://127.0.0.1:{port}/health")
        .parse()
        .expect("a loopback URI with a port is valid");
    let deadline = Instant::now() + timeout;

    loop {
        if let Some(exit) = exit.borrow().clone() {
            return Err(ReadinessFailure::Exited(exit));
        }
        if Instant::now() >= deadline {
            return Err(ReadinessFailure::TimedOut);
        }

        let probe = tokio::time::timeout(REQUEST_TIMEOUT, client.get(uri.clone()));
        if let Ok(Ok(response)) = probe.await
            && response.status() == hyper::StatusCode::OK
        {
            return Ok(());
        }

        let pause = tokio::time::sleep_until((Instant::now() + POLL_INTERVAL).min(deadline));
        tokio::select! {
            _ = pause => {}
            _ = exit.changed() => {}
        }
    }
}
