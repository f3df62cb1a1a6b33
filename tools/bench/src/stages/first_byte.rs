//! Time to the first streamed byte with the real model loaded, directly and through llama-runner.

use std::time::Duration;

use crate::http::{client, post_json_ok};
use crate::latency::{median, millis};
use crate::ports::free_port;
use crate::report::{Report, Row, Verdict};
use crate::runner::Runner;
use crate::stages::{REAL_MODEL_ID, Setup, chat_body};
use crate::streaming::{StreamTiming, time_stream};

/// Maximum time for one warm streamed request.
const REQUEST_LIMIT: Duration = Duration::from_secs(60);

/// Maximum time for the first request, the model load included.
const LOAD_LIMIT: Duration = Duration::from_secs(120);

pub async fn run(setup: &Setup, report: &mut Report) -> anyhow::Result<()> {
    let dir = setup.stage_dir("first-byte")?;
    let model_port = free_port()?;
    let mut parameters = setup.real_parameters();
    parameters["port"] = model_port.into();
    let models = [setup.real_model_entry(REAL_MODEL_ID, parameters)];
    let runner = Runner::start(setup.llama_runner(), &dir, 1, &models, &[]).await?;

    // One request through llama-runner loads the model on the pinned port. One more on each
    // side opens the keep-alive connections that the measured requests reuse.
    let http = client(2);
    let plain = chat_body(REAL_MODEL_ID, false);
    post_json_ok(
        &http,
        runner.port,
        "/v1/chat/completions",
        &plain,
        LOAD_LIMIT,
    )
    .await?;
    let streamed = chat_body(REAL_MODEL_ID, true);
    time_stream(&http, model_port, &streamed, REQUEST_LIMIT).await?;
    time_stream(&http, runner.port, &streamed, REQUEST_LIMIT).await?;

    // The sides alternate, so drift in the machine's load affects both alike.
    let mut direct = Vec::new();
    let mut proxied = Vec::new();
    for _ in 0..setup.args.stream_runs {
        direct.push(time_stream(&http, model_port, &streamed, REQUEST_LIMIT).await?);
        proxied.push(time_stream(&http, runner.port, &streamed, REQUEST_LIMIT).await?);
    }
    runner.stop()?;

    let first_bytes = |timings: &[StreamTiming]| {
        let samples: Vec<Duration> = timings.iter().map(|timing| timing.first_byte).collect();
        millis(median(&samples).unwrap_or_default())
    };
    let first_tokens = |timings: &[StreamTiming]| {
        let samples: Vec<Duration> = timings.iter().map(|timing| timing.first_token).collect();
        millis(median(&samples).unwrap_or_default())
    };
    let direct_byte = first_bytes(&direct);
    let proxied_byte = first_bytes(&proxied);
    report.note(format!(
        "warm stream, median of {} runs: first byte direct {direct_byte:.3} ms, through llama-runner {proxied_byte:.3} ms; \
         first token direct {:.3} ms, through llama-runner {:.3} ms",
        setup.args.stream_runs,
        first_tokens(&direct),
        first_tokens(&proxied),
    ));

    report.rows.push(Row {
        measure: "warm time to first streamed byte (median)".to_owned(),
        value: proxied_byte,
        unit: "ms",
        baseline_name: "direct".to_owned(),
        baseline: Some(direct_byte),
        ratio: Some(proxied_byte / direct_byte),
        target: "-".to_owned(),
        verdict: Verdict::Info,
    });
    Ok(())
}
