//! Memory-aware placement against count-based placement on a scripted mix of requests, run
//! through the pure scheduler with a simulated clock. `placement_benchmark_figures` prints the
//! figures that docs/memory.md reports:
//!
//! ```text
//! cargo test --lib placement_benchmark_figures -- --ignored --nocapture
//! ```

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::time::Duration;

use super::property::Random;
use super::*;

const GIB: u64 = 1 << 30;
/// One GPU's worth of memory.
const BUDGET: u64 = 24 * GIB;
/// Models and their footprints in GiB, as on one 24 GB GPU with models from 2 to 20 GB.
const MODELS: [(&str, u64); 5] = [("m2", 2), ("m4", 4), ("m7", 7), ("m13", 13), ("m20", 20)];
/// Relative request counts of the models: small models are asked for more often.
const POPULARITY: [usize; 5] = [30, 25, 20, 15, 10];
const SESSIONS: usize = 150;

/// Simulated time in milliseconds.
type Millis = u64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    Arrive(RequestId),
    Ready(usize),
    Stopped(usize),
    Done(RequestId),
}

/// One request of the script: when it arrives, which model, how long it is served.
#[derive(Debug, Clone, Copy)]
struct ScriptedRequest {
    at: Millis,
    model: usize,
    service: Millis,
}

#[derive(Debug, Default, Clone, Copy, PartialEq)]
struct Figures {
    swaps: usize,
    starts: usize,
    rejected: usize,
    total_wait_seconds: f64,
    max_wait_seconds: f64,
    /// The maximum memory the simulated processes used at once, in GiB.
    peak_gib: f64,
}

/// Chat-like sessions: each picks a model by popularity and sends one to four requests a few
/// seconds apart. A new session starts every 1 s to `1 + spread` s.
fn script(seed: u64, spread_seconds: u64) -> Vec<ScriptedRequest> {
    let mut random = Random(seed);
    let total: usize = POPULARITY.iter().sum();
    let mut requests = Vec::new();
    let mut session_start: Millis = 0;

    for _ in 0..SESSIONS {
        session_start += 1_000 + random.below(spread_seconds as usize * 1_000) as Millis;
        let mut pick = random.below(total);
        let model = POPULARITY.iter().position(|share| {
            let hit = pick < *share;
            pick = pick.saturating_sub(*share);
            hit
        });
        let model = model.unwrap_or(0);

        let mut at = session_start;
        for _ in 0..1 + random.below(4) {
            let service = 1_000 + random.below(4_000) as Millis;
            requests.push(ScriptedRequest { at, model, service });
            at += service + 2_000 + random.below(3_000) as Millis;
        }
    }
    requests
}

/// Load time grows with the model: 1 s plus 0.5 s per GiB. Stopping takes 0.5 s.
fn load_millis(model: usize) -> Millis {
    1_000 + MODELS[model].1 * 500
}

fn simulate(requests: &[ScriptedRequest], max_running: usize, budget: Option<MemoryBudget>) -> Figures {
    let mut harness = Harness::with_budget(max_running, budget);
    let index_of: HashMap<&str, usize> = MODELS.iter().enumerate().map(|(index, (name, _))| (*name, index)).collect();
    for (name, gib) in MODELS {
        harness.scheduler.handle(set_cpu_footprint(name, gib * GIB), harness.start);
    }

    let mut events: BinaryHeap<Reverse<(Millis, Event)>> = BinaryHeap::new();
    for (id, request) in requests.iter().enumerate() {
        events.push(Reverse((request.at, Event::Arrive(id as RequestId))));
    }

    let mut figures = Figures::default();
    let mut resident: HashMap<usize, u64> = HashMap::new();
    while let Some(Reverse((now, event))) = events.pop() {
        let input = match event {
            Event::Arrive(id) => arrive(id, MODELS[requests[id as usize].model].0),
            Event::Ready(model) => ready(MODELS[model].0),
            Event::Stopped(model) => {
                resident.remove(&model);
                stopped(MODELS[model].0)
            }
            Event::Done(id) => finish(id),
        };
        let actions = harness.scheduler.handle(input, harness.start + Duration::from_millis(now));

        for action in actions {
            match action {
                Action::StartProcess { model } => {
                    let index = index_of[model.as_ref()];
                    figures.starts += 1;
                    resident.insert(index, MODELS[index].1);
                    events.push(Reverse((now + load_millis(index), Event::Ready(index))));
                }
                Action::StopProcess { model, reason } => {
                    if reason == StopReason::Swap {
                        figures.swaps += 1;
                    }
                    events.push(Reverse((now + 500, Event::Stopped(index_of[model.as_ref()]))));
                }
                Action::Admit { request, .. } => {
                    let scripted = requests[request as usize];
                    let wait = (now - scripted.at) as f64 / 1000.0;
                    figures.total_wait_seconds += wait;
                    figures.max_wait_seconds = figures.max_wait_seconds.max(wait);
                    events.push(Reverse((now + scripted.service, Event::Done(request))));
                }
                Action::Reject { .. } => figures.rejected += 1,
            }
        }
        figures.peak_gib = figures.peak_gib.max(resident.values().sum::<u64>() as f64);
    }
    figures
}

fn memory_aware(requests: &[ScriptedRequest]) -> Figures {
    let budget = MemoryBudget::new([(Device::Cpu, BUDGET)]);
    simulate(requests, MODELS.len(), Some(budget))
}

/// Returns the largest count at which any set of models fits the budget. The two largest
/// (20 + 13 GiB) do not fit 24 GiB, so only one model may run.
fn safe_count() -> usize {
    let mut sizes: Vec<u64> = MODELS.iter().map(|(_, gib)| gib * GIB).collect();
    sizes.sort_unstable_by(|a, b| b.cmp(a));
    let mut sum = 0;
    sizes.iter().take_while(|size| {
        sum += **size;
        sum <= BUDGET
    })
    .count()
    .max(1)
}

#[test]
fn memory_aware_placement_waits_less_within_budget() {
    let requests = script(7, 12);
    let aware = memory_aware(&requests);
    let counted = simulate(&requests, safe_count(), None);
    let unsafe_count = simulate(&requests, 2, None);

    assert_eq!(aware.rejected, 0);
    assert!(aware.peak_gib <= 24.0, "{aware:?}");
    assert!(aware.total_wait_seconds < counted.total_wait_seconds, "memory-aware {aware:?}, count-based {counted:?}");
    assert!(aware.swaps < unsafe_count.swaps, "memory-aware {aware:?}, count 2 {unsafe_count:?}");
    assert!(unsafe_count.peak_gib > 24.0, "count 2 should exceed the budget: {unsafe_count:?}");
}

#[test]
#[ignore = "prints benchmark figures"]
fn placement_benchmark_figures() {
    println!("budget 24 GiB; models {MODELS:?} GiB; {SESSIONS} sessions per seed");
    println!("load | seed | placement | swaps | starts | total wait s | max wait s | peak GiB");
    for (load, spread) in [("heavy", 6), ("light", 12)] {
        for seed in [1, 7, 42] {
            let requests = script(seed, spread);
            let aware = memory_aware(&requests);
            let runs = [
                ("memory budget", aware),
                ("count 1 (safe)", simulate(&requests, safe_count(), None)),
                ("count 2 (unsafe)", simulate(&requests, 2, None)),
            ];
            for (label, figures) in runs {
                println!(
                    "{load} | {seed} | {label} | {} | {} | {:.1} | {:.1} | {:.0}",
                    figures.swaps, figures.starts, figures.total_wait_seconds, figures.max_wait_seconds, figures.peak_gib
                );
            }
            let safe = runs[1].1;
            println!(
                "{load} | {seed} | ratio memory/count-1 | swaps {:.2} | wait {:.2}",
                aware.swaps as f64 / safe.swaps.max(1) as f64,
                aware.total_wait_seconds / safe.total_wait_seconds.max(f64::MIN_POSITIVE)
            );
        }
    }
}
