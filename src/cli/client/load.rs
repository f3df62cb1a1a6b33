//! `llama-runner load ID`: starts a model and shows the time elapsed until it is ready.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use http::{Method, StatusCode};
use tokio::time::Instant;

use super::http::{ManagementClient, error_message, model_path};
use super::table::format_duration;

/// How often the progress line is redrawn on a terminal.
const PROGRESS_INTERVAL: Duration = Duration::from_millis(100);

/// Loads `id`, drawing `loading ID… 3.2 s` on stderr while the request is pending. Prints
/// `ID ready in 3.4 s` (or the model's JSON with `json`) and exits 0 when it is ready, and
/// exits 1 with the server's reason when it failed to start.
pub async fn load_model(client: &ManagementClient, id: &str, json: bool) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let path = model_path(id, "/load");
    let request = client.send(Method::POST, &path, None);
    let response = with_progress(id, started, request).await;
    let elapsed = started.elapsed().as_secs_f64();
    let response = response?;

    if response.status == StatusCode::SERVICE_UNAVAILABLE && response.body.get("model").is_some() {
        if json {
            println!("{:#}", response.body);
        }
        let reason = error_message(&response.body, response.status);
        eprintln!("error: {id} failed to load after {elapsed:.1} s: {reason}");
        return Ok(ExitCode::FAILURE);
    }
    let model = response.into_success()?;

    if json {
        println!("{model:#}");
        return Ok(ExitCode::SUCCESS);
    }
    // A model that became ready during the request has been up for less than the request took.
    // A model that was running already has been up for longer.
    match model["uptime_seconds"].as_f64() {
        Some(uptime) if uptime > elapsed => {
            println!("{id} was already loaded (up {})", format_duration(uptime));
        }
        _ => println!("{id} ready in {elapsed:.1} s"),
    }
    Ok(ExitCode::SUCCESS)
}

/// Awaits `request` while showing progress on stderr: a line redrawn with `\r` on a terminal,
/// else one `loading ID…` line so that logs stay readable.
async fn with_progress<T>(id: &str, started: Instant, request: impl Future<Output = T>) -> T {
    let mut stderr = std::io::stderr();
    if !stderr.is_terminal() {
        let _ = writeln!(stderr, "loading {id}…");
        return request.await;
    }

    tokio::pin!(request);
    let mut ticks = tokio::time::interval(PROGRESS_INTERVAL);
    let result = loop {
        tokio::select! {
            result = &mut request => break result,
            _ = ticks.tick() => {
                let _ = write!(stderr, "\rloading {id}… {:.1} s", started.elapsed().as_secs_f64());
                let _ = stderr.flush();
            }
        }
    };
    // Erases the progress line so that the result is printed in its place.
    let _ = write!(stderr, "\r\x1b[2K");
    let _ = stderr.flush();
    result
}
