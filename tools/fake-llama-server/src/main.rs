//! Test double of llama.cpp's `llama-server` with fault injection, for llama-runner's tests.
//! It accepts llama-server's command line, serves its OpenAI-compatible endpoints with fixed
//! content, and takes its faults from `FAKE_*` environment variables (see `settings`).

#![forbid(unsafe_code)]

mod app;
mod args;
mod completion_body;
mod completions;
mod echo;
mod embeddings;
mod error_body;
mod lifecycle;
mod request_log;
mod settings;
mod stream;
mod tool_calls;

use std::process::ExitCode;

use tokio::net::TcpListener;
use tokio::time::Instant;

use crate::args::ServerArgs;
use crate::settings::{FakeSettings, FaultMode};

/// Exit code for an invalid command line or environment, as clap uses.
const USAGE_EXIT_CODE: u8 = 2;

fn main() -> ExitCode {
    let args = match args::parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(error) => {
            eprintln!("fake-llama-server: {error}");
            return ExitCode::from(USAGE_EXIT_CODE);
        }
    };
    if args.sleep_forever {
        lifecycle::sleep_forever();
    }

    let settings = match FakeSettings::from_env() {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("fake-llama-server: {error}");
            return ExitCode::from(USAGE_EXIT_CODE);
        }
    };

    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("fake-llama-server: failed to start the tokio runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(run(args, settings))
}

async fn run(args: ServerArgs, settings: FakeSettings) -> ExitCode {
    let started_at = Instant::now();

    let mut stop_signals = match lifecycle::StopSignals::install() {
        Ok(stop_signals) => stop_signals,
        Err(error) => {
            eprintln!("fake-llama-server: failed to install signal handlers: {error}");
            return ExitCode::FAILURE;
        }
    };

    if let Some(path) = &settings.pid_file
        && let Err(error) = lifecycle::append_pid(path, std::process::id())
    {
        eprintln!(
            "fake-llama-server: failed to write FAKE_PID_FILE {}: {error}",
            path.display()
        );
        return ExitCode::FAILURE;
    }

    // Bound before the simulated load, so callers see 503 while loading.
    let listener = match TcpListener::bind((args.host.as_str(), args.port)).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!(
                "fake-llama-server: failed to bind {}:{}: {error}",
                args.host, args.port
            );
            return ExitCode::FAILURE;
        }
    };
    let address = match listener.local_addr() {
        Ok(address) => address,
        Err(error) => {
            eprintln!("fake-llama-server: failed to read the bound address: {error}");
            return ExitCode::FAILURE;
        }
    };
    println!("fake-llama-server listening on {address}");
    eprintln!(
        "main: HTTP server is listening, hostname: {}, port: {}, mode: {}",
        address.ip(),
        address.port(),
        settings.mode.name()
    );

    if settings.mode == FaultMode::ForkGrandchild {
        match lifecycle::spawn_grandchild(settings.grandchild_pid_file.as_deref()) {
            Ok(pid) => {
                eprintln!("fake-llama-server: FAKE_MODE=fork_grandchild: started grandchild {pid}")
            }
            Err(error) => {
                eprintln!("fake-llama-server: failed to start the grandchild: {error}");
                return ExitCode::FAILURE;
            }
        }
    }

    let model_path = args
        .model
        .clone()
        .unwrap_or_else(|| "(no --model)".to_owned());
    let load_settings = settings.clone();
    tokio::spawn(async move { lifecycle::simulate_load(&load_settings, &model_path).await });

    let mode = settings.mode;
    let router = app::app(app::AppState::new(settings, args.model_id(), started_at));

    // The process exits on a signal without draining open responses, because
    // `hang_before_first_byte` responses never finish.
    tokio::select! {
        served = axum::serve(listener, router) => {
            if let Err(error) = served {
                eprintln!("fake-llama-server: server failed: {error}");
            }
            ExitCode::FAILURE
        }
        name = stop_signals.wait(mode) => {
            eprintln!("fake-llama-server: received {name}, exiting");
            ExitCode::SUCCESS
        }
    }
}
