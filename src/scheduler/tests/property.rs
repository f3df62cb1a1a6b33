//! Drives the scheduler with seeded pseudo-random inputs and checks its contract after every step.

use std::collections::HashMap;

use super::driver::{Driver, Outcome, Phase};
use super::*;

const MODELS: [&str; 4] = ["a:7b", "org/b-GGUF", "c", "d:latest"];

/// SplitMix64, so every seed replays the same sequence.
pub(super) struct Random(pub(super) u64);

impl Random {
    pub(super) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut mixed = self.0;
        mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        mixed ^ (mixed >> 31)
    }

    pub(super) fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }

    fn pick<T: Clone>(&mut self, items: &[T]) -> Option<T> {
        if items.is_empty() {
            return None;
        }
        Some(items[self.below(items.len())].clone())
    }
}

/// Sends one random input, sometimes a stale or unknown one that the scheduler must tolerate.
fn random_step(driver: &mut Driver, random: &mut Random) {
    driver.seconds += random.below(3) as u64;
    let name = MODELS[random.below(MODELS.len())];

    match random.below(100) {
        0..=29 => driver.arrive(name),
        30..=37 => {
            if let Some(request) = random.pick(&driver.requests_where(|o| o == Outcome::Pending)) {
                driver.cancel(request);
            }
        }
        38..=59 => {
            let active =
                driver.requests_where(|o| matches!(o, Outcome::Admitted { done: false, .. }));
            if let Some(request) = random.pick(&active) {
                driver.finish(request);
            }
        }
        60..=71 => {
            if let Some(model) = random.pick(&driver.models_in(Phase::Starting)) {
                driver.report_ready(model);
            }
        }
        72..=74 => {
            if let Some(model) = random.pick(&driver.models_in(Phase::Starting)) {
                let input = Input::ProcessStartFailed {
                    model: model.clone(),
                    reason: "exit status 1".into(),
                };
                driver.process_ended(model, input);
            }
        }
        75..=84 => {
            if let Some(model) = random.pick(&driver.models_in(Phase::Stopping)) {
                driver.process_ended(model.clone(), Input::ProcessStopped { model });
            }
        }
        85..=86 => {
            if let Some(model) = random.pick(&driver.models_in(Phase::Ready)) {
                let input = Input::ProcessExited {
                    model: model.clone(),
                    reason: "signal 9".into(),
                };
                driver.process_ended(model, input);
            }
        }
        87..=89 => {
            let ttl = random.pick(&[None, Some(0), Some(3), Some(20)]).flatten();
            driver.send(set_ttl(name, ttl));
        }
        90..=91 => driver.send(unload(name)),
        92..=95 => driver.send(Input::Tick),
        // Reports the scheduler must tolerate: unknown ids and process events out of order.
        96 => driver.send(finish(random.next() | (1 << 63))),
        97 => {
            let phase = driver
                .processes
                .get(&model(name))
                .map(|process| process.phase);
            if phase != Some(Phase::Starting) {
                driver.send(ready(name));
            }
        }
        98 => driver.send(cancel(random.next() | (1 << 63))),
        _ => driver.send(Input::Tick),
    }
}

#[test]
fn random_inputs_keep_contract() {
    let mut totals: HashMap<String, usize> = HashMap::new();

    for seed in 0..300_u64 {
        let mut random = Random(seed);
        let max_running = 1 + (seed % 3) as usize;
        let mut driver = Driver::new(max_running);

        for _ in 0..400 {
            random_step(&mut driver, &mut random);
        }
        driver.run_to_quiet();

        // Shutdown stops every process, so none is left Starting.
        driver.send(Input::Shutdown);
        assert!(driver.models_in(Phase::Starting).is_empty(), "seed {seed}");
        for model in driver.models_in(Phase::Stopping) {
            driver.process_ended(model.clone(), Input::ProcessStopped { model });
        }

        assert!(
            driver.harness.scheduler.running_models().is_empty(),
            "seed {seed}"
        );
        let pending = driver.requests_where(|o| o == Outcome::Pending);
        assert!(
            pending.is_empty(),
            "seed {seed} left requests without an outcome: {pending:?}"
        );

        for (kind, count) in driver.action_counts {
            *totals.entry(kind).or_default() += count;
        }
    }

    // Guards against a generator change that quietly stops reaching some paths.
    eprintln!("actions over all seeds: {totals:?}");
    for kind in [
        "start",
        "admit",
        "reject",
        "stop:swap",
        "stop:ttl",
        "stop:unload",
        "stop:shutdown",
    ] {
        assert!(
            totals.get(kind).is_some_and(|&count| count >= 50),
            "{kind}: {totals:?}"
        );
    }
}

/// Footprints drawn for the memory runs, against a CPU budget of 10 bytes: most fit beside
/// others, some only alone, and 12 never fits.
const FOOTPRINTS: [u64; 7] = [0, 1, 3, 4, 6, 10, 12];

#[test]
fn random_inputs_keep_memory_budget() {
    let mut totals: HashMap<String, usize> = HashMap::new();

    for seed in 0..300_u64 {
        let mut random = Random(seed ^ 0x5EED);
        let max_running = 1 + (seed % 4) as usize;
        let budget = MemoryBudget::new([(Device::Cpu, 10)]);
        let mut driver = Driver::with_budget(max_running, Some(budget));
        for name in MODELS {
            let bytes = FOOTPRINTS[random.below(FOOTPRINTS.len())];
            driver.send(set_cpu_footprint(name, bytes));
        }

        for _ in 0..400 {
            if random.below(100) < 4 {
                let name = MODELS[random.below(MODELS.len())];
                let bytes = FOOTPRINTS[random.below(FOOTPRINTS.len())];
                driver.send(set_cpu_footprint(name, bytes));
            }
            random_step(&mut driver, &mut random);
        }
        driver.run_to_quiet();

        driver.send(Input::Shutdown);
        for model in driver.models_in(Phase::Stopping) {
            driver.process_ended(model.clone(), Input::ProcessStopped { model });
        }
        assert!(driver.harness.scheduler.running_models().is_empty(), "seed {seed}");
        let pending = driver.requests_where(|o| o == Outcome::Pending);
        assert!(pending.is_empty(), "seed {seed} left requests without an outcome: {pending:?}");

        for (kind, count) in driver.action_counts {
            *totals.entry(kind).or_default() += count;
        }
    }

    eprintln!("actions over all seeds: {totals:?}");
    for kind in ["start", "admit", "reject", "stop:swap", "stop:ttl", "stop:unload"] {
        assert!(totals.get(kind).is_some_and(|&count| count >= 50), "{kind}: {totals:?}");
    }
}
