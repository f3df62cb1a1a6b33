//! Idle memory: llama-runner's resident set size right after it starts, with no model loaded.

use std::time::Duration;

use crate::process::resident_set_size;
use crate::report::{Report, Row, Verdict};
use crate::runner::Runner;
use crate::stages::Setup;

/// Pause after llama-runner listens, so start-up allocations have settled before the reading.
const SETTLE: Duration = Duration::from_millis(500);

/// Target for idle RSS, in bytes (20 MB, decimal).
const TARGET_BYTES: f64 = 20_000_000.0;

pub async fn run(setup: &Setup, report: &mut Report) -> anyhow::Result<()> {
    let dir = setup.stage_dir("idle-memory")?;
    let models = [
        setup.real_model_entry("bench-gemma-a", setup.real_parameters()),
        setup.real_model_entry("bench-gemma-b", setup.real_parameters()),
    ];
    let runner = Runner::start(setup.llama_runner(), &dir, 1, &models, &[]).await?;
    tokio::time::sleep(SETTLE).await;

    let bytes = resident_set_size(runner.process.pid())? as f64;
    runner.stop()?;

    report.rows.push(Row {
        measure: "idle RSS, no model loaded".to_owned(),
        value: bytes / 1e6,
        unit: "MB",
        baseline_name: "-".to_owned(),
        baseline: None,
        ratio: None,
        target: "<= 20 MB".to_owned(),
        verdict: Verdict::from_check(bytes <= TARGET_BYTES),
    });
    Ok(())
}
