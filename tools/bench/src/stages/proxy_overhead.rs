//! Proxy overhead: latency and throughput of non-streamed requests to a fast fake upstream,
//! sent directly, through nginx and through llama-runner.

use std::time::Duration;

use bytes::Bytes;
use serde_json::json;

use crate::http::{HttpClient, client, post_json_ok};
use crate::latency::millis;
use crate::load::{LoadOutcome, LoadPlan, run_load};
use crate::nginx::Nginx;
use crate::ports::free_port;
use crate::process::resident_set_size;
use crate::report::{Report, Row, Verdict};
use crate::runner::{ModelEntry, Runner};
use crate::stages::Setup;

const FAKE_MODEL_ID: &str = "bench-fake";
const PATH: &str = "/v1/chat/completions";

/// Warm-up requests are this fraction of the measured ones, and are not counted.
const WARMUP_DIVISOR: usize = 10;
const WARMUP_TIME_CAP: Duration = Duration::from_secs(10);

/// Measured requests are split into this many rounds per target.
const ROUNDS: usize = 5;

/// Targets from the project's performance goals, in milliseconds and as a fraction of nginx.
const C1_ADDED_P50_LIMIT_MS: f64 = 0.1;
const C1_ADDED_P99_LIMIT_MS: f64 = 0.5;
const C64_THROUGHPUT_FLOOR: f64 = 0.9;

/// Results of one concurrency level, one per target.
struct Level {
    concurrency: usize,
    direct: LoadOutcome,
    nginx: LoadOutcome,
    runner: LoadOutcome,
}

pub async fn run(setup: &Setup, report: &mut Report) -> anyhow::Result<()> {
    let dir = setup.stage_dir("proxy-overhead")?;
    let upstream_port = free_port()?;
    let fake = ModelEntry {
        id: FAKE_MODEL_ID.to_owned(),
        runtime: setup.args.fake_llama_server.clone(),
        model_path: setup.args.model.clone(),
        parameters: json!({"port": upstream_port}),
    };
    // The fake inherits llama-runner's environment: one content chunk per completion.
    let environment = [("FAKE_CHUNKS", "1".to_owned())];
    let runner = Runner::start(setup.llama_runner(), &dir, 1, &[fake], &environment).await?;

    // The first request starts the fake on the pinned port, so every target reaches one process.
    let body = json!({
        "model": FAKE_MODEL_ID,
        "messages": [{"role": "user", "content": "Hi"}],
        "max_tokens": 4,
    });
    post_json_ok(
        &client(1),
        runner.port,
        PATH,
        &body,
        Duration::from_secs(30),
    )
    .await?;
    let nginx = Nginx::start(&setup.args.nginx, &setup.stage_dir("nginx")?, upstream_port).await?;
    let body = Bytes::from(body.to_string());

    let round_time_cap = Duration::from_secs(setup.args.load_time_cap_secs) / ROUNDS as u32;
    let targets = [
        ("direct", upstream_port),
        ("nginx", nginx.port),
        ("llama-runner", runner.port),
    ];
    for (concurrency, requests) in [(1, setup.args.requests_c1), (64, setup.args.requests_c64)] {
        let clients: Vec<HttpClient> = targets.iter().map(|_| client(concurrency)).collect();
        for ((_, port), http) in targets.iter().zip(&clients) {
            let warmup = LoadPlan {
                concurrency,
                requests: (requests / WARMUP_DIVISOR).max(concurrency),
                time_cap: WARMUP_TIME_CAP,
            };
            run_load(http, *port, PATH, body.clone(), warmup).await;
        }

        // The targets take turns in short rounds, so a burst of other work on the machine
        // lands on all of them rather than on whichever ran at that moment.
        let mut outcomes: Vec<LoadOutcome> =
            targets.iter().map(|_| LoadOutcome::default()).collect();
        let plan = LoadPlan {
            concurrency,
            requests: (requests / ROUNDS).max(concurrency),
            time_cap: round_time_cap,
        };
        for _ in 0..ROUNDS {
            for (((_, port), http), outcome) in targets.iter().zip(&clients).zip(&mut outcomes) {
                outcome.absorb(run_load(http, *port, PATH, body.clone(), plan).await);
            }
        }

        for ((name, _), outcome) in targets.iter().zip(&outcomes) {
            describe(report, name, concurrency, outcome);
            if outcome.latencies.is_empty() {
                anyhow::bail!(
                    "no request to {name} succeeded at concurrency {concurrency}: {}",
                    outcome
                        .first_error
                        .as_deref()
                        .unwrap_or("no error recorded")
                );
            }
        }

        let runner_outcome = outcomes.pop().expect("three targets were measured");
        let nginx_outcome = outcomes.pop().expect("three targets were measured");
        let direct_outcome = outcomes.pop().expect("three targets were measured");
        push_rows(
            report,
            &Level {
                concurrency,
                direct: direct_outcome,
                nginx: nginx_outcome,
                runner: runner_outcome,
            },
        );
    }

    let loaded_bytes = resident_set_size(runner.process.pid())? as f64;
    report.rows.push(Row {
        measure: "RSS after the load runs, fake model loaded".to_owned(),
        value: loaded_bytes / 1e6,
        unit: "MB",
        baseline_name: "-".to_owned(),
        baseline: None,
        ratio: None,
        target: "-".to_owned(),
        verdict: Verdict::Info,
    });

    nginx.stop()?;
    runner.stop()
}

fn describe(report: &mut Report, name: &str, concurrency: usize, outcome: &LoadOutcome) {
    let mut line = format!(
        "c={concurrency} {name}: p50 {:.3} ms, p99 {:.3} ms, {:.0} req/s, {} requests in {:.2} s, {} errors",
        millis(outcome.p50()),
        millis(outcome.p99()),
        outcome.requests_per_second(),
        outcome.latencies.len(),
        outcome.elapsed.as_secs_f64(),
        outcome.errors,
    );
    if outcome.capped {
        line.push_str(" (stopped by the time cap)");
    }
    if let Some(error) = &outcome.first_error {
        line.push_str(&format!("; first error: {error}"));
    }
    report.note(line);
}

fn push_rows(report: &mut Report, level: &Level) {
    let c = level.concurrency;
    let added = |outcome: &LoadOutcome, p99: bool| {
        let (proxied, direct) = if p99 {
            (outcome.p99(), level.direct.p99())
        } else {
            (outcome.p50(), level.direct.p50())
        };
        millis(proxied) - millis(direct)
    };

    for (label, p99, limit) in [
        ("p50", false, C1_ADDED_P50_LIMIT_MS),
        ("p99", true, C1_ADDED_P99_LIMIT_MS),
    ] {
        let value = added(&level.runner, p99);
        let (target, verdict) = if c == 1 {
            (
                format!("<= {limit} ms"),
                Verdict::from_check(value <= limit),
            )
        } else {
            ("-".to_owned(), Verdict::Info)
        };
        report.rows.push(Row {
            measure: format!("c={c} {label} latency added over direct"),
            value,
            unit: "ms",
            baseline_name: "nginx adds".to_owned(),
            baseline: Some(added(&level.nginx, p99)),
            ratio: None,
            target,
            verdict,
        });
    }

    let runner_rate = level.runner.requests_per_second();
    let nginx_rate = level.nginx.requests_per_second();
    let ratio = runner_rate / nginx_rate;
    let (target, verdict) = if c == 64 {
        (
            format!(">= {C64_THROUGHPUT_FLOOR}x nginx"),
            Verdict::from_check(ratio >= C64_THROUGHPUT_FLOOR),
        )
    } else {
        ("-".to_owned(), Verdict::Info)
    };
    report.rows.push(Row {
        measure: format!("c={c} throughput"),
        value: runner_rate,
        unit: "req/s",
        baseline_name: "nginx".to_owned(),
        baseline: Some(nginx_rate),
        ratio: Some(ratio),
        target,
        verdict,
    });
}
