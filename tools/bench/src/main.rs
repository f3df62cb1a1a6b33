//! llama-runner's benchmark: proxy overhead against nginx, time to first byte and cold start
//! against llama-server, model swaps against llama.cpp's router mode, and idle memory.
//! Every server it starts binds 127.0.0.1 and is stopped before the bench exits.

#![forbid(unsafe_code)]

mod args;
mod cpu_time;
mod http;
mod latency;
mod load;
mod machine;
mod nginx;
mod ports;
mod process;
mod report;
mod runner;
mod stages;
mod streaming;

use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;

use crate::args::Args;
use crate::cpu_time::Clock;
use crate::machine::Machine;
use crate::report::Report;
use crate::stages::Setup;

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("bench: failed to start the tokio runtime: {error}");
            return ExitCode::FAILURE;
        }
    };

    // Ctrl-C drops the running stage, and with it the guards that stop its servers.
    let outcome = runtime.block_on(async {
        tokio::select! {
            outcome = run(args) => outcome,
            _ = tokio::signal::ctrl_c() => Err(anyhow::anyhow!("interrupted")),
        }
    });
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("bench: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs every stage, prints the table and returns whether all stages completed.
async fn run(args: Args) -> anyhow::Result<bool> {
    for (name, path) in [
        ("--llama-runner", &args.llama_runner),
        ("--fake-llama-server", &args.fake_llama_server),
        ("--llama-server", &args.llama_server),
        ("--model", &args.model),
    ] {
        if !path.exists() {
            anyhow::bail!("{name} {} does not exist", path.display());
        }
    }

    let scratch = tempfile::Builder::new()
        .prefix("llama-runner-bench-")
        .tempdir()
        .context("cannot create a temporary folder")?;
    let machine = Machine::detect();
    let setup = Setup {
        threads: args.threads.unwrap_or(machine.cpus),
        args,
        scratch: scratch.path().to_owned(),
    };
    let mut report = Report {
        machine: Some(machine.clone()),
        ..Report::default()
    };
    eprintln!("bench: machine: {}", machine.summary());

    let run_clock = Clock::start();
    let clock = Clock::start();
    eprintln!("bench: stage 1/5: proxy overhead");
    let result = stages::proxy_overhead::run(&setup, &mut report).await;
    finish_stage("proxy overhead", &clock, result, &mut report);

    let clock = Clock::start();
    eprintln!("bench: stage 2/5: time to first byte");
    let result = stages::first_byte::run(&setup, &mut report).await;
    finish_stage("time to first byte", &clock, result, &mut report);

    let clock = Clock::start();
    eprintln!("bench: stage 3/5: cold start");
    let result = stages::cold_start::run(&setup, &mut report).await;
    finish_stage("cold start", &clock, result, &mut report);

    let clock = Clock::start();
    eprintln!("bench: stage 4/5: swap sequence");
    let result = stages::swap::run(&setup, &mut report).await;
    finish_stage("swap sequence", &clock, result, &mut report);

    let clock = Clock::start();
    eprintln!("bench: stage 5/5: idle memory");
    let result = stages::idle_memory::run(&setup, &mut report).await;
    finish_stage("idle memory", &clock, result, &mut report);

    report.note(run_clock.describe("whole run"));
    report.note(format!(
        "load average at the end: {}",
        machine::load_average()
    ));

    println!("Machine: {}\n", machine.summary());
    println!("{}\n", report.table());
    for note in &report.notes {
        println!("- {note}");
    }
    for failure in &report.failures {
        println!("- FAILED: {failure}");
    }

    if let Some(path) = &setup.args.json {
        let text = serde_json::to_string_pretty(&report)?;
        std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(report.failures.is_empty())
}

/// Records a stage's time and error. A failed stage does not stop the stages after it, but the
/// bench exits non-zero.
fn finish_stage(name: &str, clock: &Clock, result: anyhow::Result<()>, report: &mut Report) {
    report.note(clock.describe(&format!("stage {name}")));
    if let Err(error) = result {
        eprintln!("bench: stage {name} failed: {error:#}");
        report.failures.push(format!("{name}: {error:#}"));
    }
}
