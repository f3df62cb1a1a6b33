//! Benchmarks of the metrics' cost, run by hand and printing ratios rather than asserting times:
//!
//! ```text
//! cargo test --release --test metrics_bench -- --ignored --nocapture --test-threads=1
//! ```
//!
//! docs/metrics.md records the figures measured with it.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use llama_runner::telemetry::system::SystemCollector;
use serde_json::json;
use support::runner::{Runner, config_with, model_entry};
use support::{TempDir, fake_llama_server, unique_id};

/// CPU time the current thread has used, from Linux's `/proc/thread-self/schedstat`.
fn thread_cpu_time() -> Duration {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").expect("Linux schedstat is readable");
    let nanoseconds: u64 = text.split_whitespace().next().and_then(|field| field.parse().ok()).expect("schedstat starts with ns");
    Duration::from_nanos(nanoseconds)
}

#[test]
#[ignore = "benchmark: takes 60 s"]
fn collector_cpu_cost_at_one_hertz() {
    const SAMPLES: u32 = 60;
    let mut collector = SystemCollector::new();
    let own_pid = std::process::id();
    let mut busy = Duration::ZERO;
    let started = Instant::now();

    for index in 0..SAMPLES {
        let before = thread_cpu_time();
        let collected = collector.collect(&[own_pid]);
        busy += thread_cpu_time() - before;
        if index == 0 {
            println!("first sample: {} cores, {} disks, {} interfaces, gpus: {:?}", collected.system.cpu_per_core.len(), collected.system.disks.len(), collected.system.network.interfaces.len(), collected.system.gpus.as_ref().map(Vec::len));
        }
        std::thread::sleep(Duration::from_secs(1));
    }

    let wall = started.elapsed();
    println!(
        "collector: {SAMPLES} samples at 1 Hz over {:.1} s used {:.1} ms of CPU: {:.3} % of one core, {:.2} ms per sample",
        wall.as_secs_f64(),
        busy.as_secs_f64() * 1000.0,
        busy.as_secs_f64() * 100.0 / wall.as_secs_f64(),
        busy.as_secs_f64() * 1000.0 / f64::from(SAMPLES)
    );
}

/// Sends `total` chat requests, `concurrency` at a time, half of them streamed, and returns
/// requests per second.
async fn throughput(runner: &Runner, model: &str, total: u64, concurrency: u64) -> f64 {
    let client = reqwest::Client::new();
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();

    for _ in 0..concurrency {
        let client = client.clone();
        let next = next.clone();
        let url = runner.openai_url("/v1/chat/completions");
        let model = model.to_owned();
        workers.push(tokio::spawn(async move {
            while next.fetch_add(1, Ordering::Relaxed) < total {
                let stream = next.load(Ordering::Relaxed).is_multiple_of(2);
                let body = json!({"model": model, "stream": stream, "messages": [{"role": "user", "content": "hi"}]});
                let response = client.post(&url).json(&body).send().await.unwrap();
                assert_eq!(response.status(), 200);
                response.bytes().await.unwrap();
            }
        }));
    }
    for worker in workers {
        worker.await.unwrap();
    }
    total as f64 / started.elapsed().as_secs_f64()
}

fn fake_runner(id: &str, dir: &TempDir, metrics_enabled: bool) -> Runner {
    let model_file = dir.path().join("model.gguf");
    std::fs::write(&model_file, b"GGUF").unwrap();
    let models = vec![model_entry(id, &fake_llama_server(), &model_file, json!({}))];
    let settings = json!({"metrics": {"enabled": metrics_enabled}});
    Runner::start_with_env(config_with(models, settings), &[("FAKE_CHUNKS", "20".into())])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: sends thousands of requests"]
async fn proxy_throughput_with_metrics_on_and_off() {
    const TOTAL: u64 = 2_000;
    const CONCURRENCY: u64 = 8;
    const ROUNDS: usize = 3;

    let dir = TempDir::new("metrics-bench");
    let on_id = unique_id("bench-on");
    let off_id = unique_id("bench-off");
    let on = fake_runner(&on_id, &dir, true);
    let off = fake_runner(&off_id, &dir, false);
    // Load both models and warm the connections before measuring.
    throughput(&on, &on_id, 50, CONCURRENCY).await;
    throughput(&off, &off_id, 50, CONCURRENCY).await;

    let mut ratios = Vec::new();
    for round in 0..ROUNDS {
        let with_metrics = throughput(&on, &on_id, TOTAL, CONCURRENCY).await;
        let without = throughput(&off, &off_id, TOTAL, CONCURRENCY).await;
        println!("round {round}: {with_metrics:.0} requests/s with metrics, {without:.0} without: ratio {:.3}", with_metrics / without);
        ratios.push(with_metrics / without);
    }
    ratios.sort_by(f64::total_cmp);
    println!("median ratio with/without metrics: {:.3} (target at least 0.95)", ratios[ROUNDS / 2]);
}
