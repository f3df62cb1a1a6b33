//! `llama-runner check`: every problem in a config file, as text lines or JSON.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use llama_runner::config::{
    ConfigError, ConfigProblem, ConfigReport, ROOT_PATH, check_config_file, default_config_path,
};

use super::{EXIT_INVALID_CONFIG, EXIT_UNREADABLE_CONFIG};

/// Checks the file and prints the report on stdout. Returns 0 when it is valid, 1 when it has
/// errors and 2 when it cannot be read.
pub async fn run_check(config: Option<PathBuf>, json: bool) -> anyhow::Result<ExitCode> {
    let path = match config {
        Some(path) => path,
        None => default_config_path()?,
    };

    let report = match check_config_file(&path).await {
        Ok(report) => report,
        Err(error @ ConfigError::Read { .. }) => {
            print_unreadable(&error, json);
            return Ok(ExitCode::from(EXIT_UNREADABLE_CONFIG));
        }
        Err(error) => return Err(error.into()),
    };

    if json {
        println!("{}", report.to_json());
    } else {
        print_text(&path, &report);
    }

    Ok(if report.is_valid() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_INVALID_CONFIG)
    })
}

fn print_text(path: &Path, report: &ConfigReport) {
    for line in report.lines() {
        println!("{line}");
    }
    let verdict = if report.is_valid() { "valid" } else { "invalid" };
    println!(
        "{}: {verdict}, {} error(s), {} warning(s)",
        path.display(),
        report.error_count(),
        report.warning_count()
    );
}

fn print_unreadable(error: &ConfigError, json: bool) {
    if json {
        let report = ConfigReport {
            problems: vec![ConfigProblem::error(ROOT_PATH, error.to_string())],
        };
        println!("{}", report.to_json());
    } else {
        eprintln!("error: {error}");
    }
}
