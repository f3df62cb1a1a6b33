//! Placement within a memory budget: packing, eviction order, rejection and waiting. Budgets
//! and footprints are small byte counts, as only their sums matter.

use super::*;
use crate::scheduler::ModelState;

/// Starts `name` with `bytes` on the CPU for request `request`, makes it ready, and finishes
/// the request so that the model is idle.
fn load_idle(harness: &mut Harness, seconds: u64, request: RequestId, name: &str, bytes: u64) {
    harness.send(seconds, set_cpu_footprint(name, bytes));
    harness.load(seconds, request, name);
    harness.send(seconds, finish(request));
}

#[test]
fn models_that_fit_run_side_by_side() {
    let mut harness = Harness::with_cpu_budget(8, 10);
    load_idle(&mut harness, 0, 1, "a", 4);
    load_idle(&mut harness, 1, 2, "b", 4);

    harness.send(2, set_cpu_footprint("c", 2));
    assert_eq!(harness.send(2, arrive(3, "c")), vec![start("c")]);
    assert_eq!(harness.scheduler.running_models().len(), 3);
    assert_eq!(harness.scheduler.memory_in_use(), Footprint::on(Device::Cpu, 10));
}

#[test]
fn overflow_evicts_least_recently_used() {
    let mut harness = Harness::with_cpu_budget(8, 10);
    load_idle(&mut harness, 0, 1, "a", 4);
    load_idle(&mut harness, 1, 2, "b", 4);

    // Four processes would be allowed, but 8 + 5 bytes exceed the budget.
    harness.send(2, set_cpu_footprint("c", 5));
    assert_eq!(harness.send(2, arrive(3, "c")), vec![stop("a", StopReason::Swap)]);
    assert_eq!(harness.scheduler.model_state("b"), ModelState::Ready);

    assert_eq!(harness.send(3, stopped("a")), vec![start("c")]);
    assert_eq!(harness.send(4, ready("c")), vec![admit(3, "c")]);
}

#[test]
fn eviction_stops_once_enough_is_free() {
    let mut harness = Harness::with_cpu_budget(8, 10);
    load_idle(&mut harness, 0, 1, "a", 3);
    load_idle(&mut harness, 1, 2, "b", 3);
    load_idle(&mut harness, 2, 3, "c", 3);

    // 9 + 7 bytes: evicting a leaves 13, evicting b too leaves 10, which fits.
    harness.send(3, set_cpu_footprint("d", 7));
    assert_eq!(
        harness.send(3, arrive(4, "d")),
        vec![stop("a", StopReason::Swap), stop("b", StopReason::Swap)]
    );
    assert_eq!(harness.scheduler.model_state("c"), ModelState::Ready);

    assert_eq!(harness.send(4, stopped("a")), vec![]);
    assert_eq!(harness.send(5, stopped("b")), vec![start("d")]);
}

#[test]
fn idle_model_is_evicted_before_busy_one() {
    let mut harness = Harness::with_cpu_budget(8, 10);
    harness.send(0, set_cpu_footprint("a", 6));
    harness.load(0, 1, "a");
    load_idle(&mut harness, 1, 2, "b", 3);

    // a is older but busy with request 1, so idle b goes.
    harness.send(2, set_cpu_footprint("c", 4));
    assert_eq!(harness.send(2, arrive(3, "c")), vec![stop("b", StopReason::Swap)]);
    assert_eq!(harness.scheduler.model_state("a"), ModelState::Ready);
    assert_eq!(harness.scheduler.in_flight("a"), 1);
}

#[test]
fn busy_victim_drains_and_the_newcomer_waits() {
    let mut harness = Harness::with_cpu_budget(8, 10);
    harness.send(0, set_cpu_footprint("a", 6));
    harness.load(0, 1, "a");

    harness.send(1, set_cpu_footprint("b", 6));
    assert_eq!(harness.send(1, arrive(2, "b")), vec![]);
    assert_eq!(harness.scheduler.model_state("a"), ModelState::Draining);
    assert_eq!(harness.send(2, arrive(3, "b")), vec![]);
    assert_eq!(harness.scheduler.queued("b"), 2);

    assert_eq!(harness.send(3, finish(1)), vec![stop("a", StopReason::Swap)]);
    assert_eq!(harness.send(4, stopped("a")), vec![start("b")]);
    assert_eq!(harness.send(5, ready("b")), vec![admit(2, "b"), admit(3, "b")]);
}

#[test]
fn oversized_model_rejected_at_once() {
    let mut harness = Harness::with_cpu_budget(8, 10);
    load_idle(&mut harness, 0, 1, "a", 4);
    harness.send(1, set_cpu_footprint("huge", 12));

    let actions = harness.send(1, arrive(2, "huge"));

    assert_eq!(actions.len(), 1, "{actions:?}");
    let Action::Reject { request, model: rejected, reason } = &actions[0] else {
        panic!("expected a reject, got {actions:?}");
    };
    assert_eq!((*request, rejected.as_ref()), (2, "huge"));
    assert!(reason.contains("estimate 12 bytes"), "{reason}");
    assert!(reason.contains("budget 10 bytes"), "{reason}");
    assert_eq!(harness.scheduler.model_state("a"), ModelState::Ready);
    assert_eq!(harness.scheduler.budget_rejection("huge").as_deref(), Some(reason.as_str()));
}

#[test]
fn footprint_raised_while_queued_rejects_the_queue() {
    let mut harness = Harness::with_cpu_budget(1, 10);
    harness.send(0, set_cpu_footprint("a", 6));
    harness.load(0, 1, "a");
    harness.send(1, set_cpu_footprint("b", 6));
    harness.send(1, arrive(2, "b"));

    let actions = harness.send(2, set_cpu_footprint("b", 11));

    assert!(matches!(actions.as_slice(), [Action::Reject { request: 2, .. }]), "{actions:?}");
    // Nothing waits for a's slot any more, so a serves on.
    assert_eq!(harness.scheduler.model_state("a"), ModelState::Ready);
}

#[test]
fn smaller_model_waits_its_turn() {
    let mut harness = Harness::with_cpu_budget(8, 10);
    harness.send(0, set_cpu_footprint("a", 8));
    harness.load(0, 1, "a");
    harness.send(1, set_cpu_footprint("b", 6));
    harness.send(1, arrive(2, "b"));

    // c would fit beside a, but b waits first.
    harness.send(2, set_cpu_footprint("c", 1));
    assert_eq!(harness.send(2, arrive(3, "c")), vec![]);
    assert_eq!(harness.scheduler.model_state("c"), ModelState::Stopped);

    harness.send(3, finish(1));
    assert_eq!(harness.send(4, stopped("a")), vec![start("b"), start("c")]);
}

#[test]
fn model_without_footprint_counts_as_no_memory() {
    let mut harness = Harness::with_cpu_budget(8, 10);
    load_idle(&mut harness, 0, 1, "a", 10);

    assert_eq!(harness.send(1, arrive(2, "unknown")), vec![start("unknown")]);
    assert_eq!(harness.scheduler.memory_in_use(), Footprint::on(Device::Cpu, 10));
}

#[test]
fn count_limit_still_applies_with_a_budget() {
    let mut harness = Harness::with_cpu_budget(1, 100);
    load_idle(&mut harness, 0, 1, "a", 1);

    harness.send(1, set_cpu_footprint("b", 1));
    assert_eq!(harness.send(1, arrive(2, "b")), vec![stop("a", StopReason::Swap)]);
}

#[test]
fn victim_must_free_the_device_that_is_short() {
    let budget = MemoryBudget::new([(Device::Cpu, 10), (Device::Gpu(0), 10)]);
    let mut harness = Harness::with_budget(8, Some(budget));
    harness.send(0, Input::SetFootprint {
        model: model("cpu-model"),
        footprint: Some(Footprint::on(Device::Cpu, 8)),
    });
    harness.load(0, 1, "cpu-model");
    harness.send(0, finish(1));
    harness.send(1, Input::SetFootprint {
        model: model("gpu-model"),
        footprint: Some(Footprint::on(Device::Gpu(0), 8)),
    });
    harness.load(1, 2, "gpu-model");
    harness.send(1, finish(2));

    // cpu-model is the least recently used, but only gpu-model frees GPU memory.
    harness.send(2, Input::SetFootprint {
        model: model("new"),
        footprint: Some([(Device::Cpu, 1), (Device::Gpu(0), 5)].into_iter().collect()),
    });
    assert_eq!(harness.send(2, arrive(3, "new")), vec![stop("gpu-model", StopReason::Swap)]);
    assert_eq!(harness.scheduler.model_state("cpu-model"), ModelState::Ready);
}

#[test]
fn running_process_keeps_its_start_footprint() {
    let mut harness = Harness::with_cpu_budget(8, 10);
    load_idle(&mut harness, 0, 1, "a", 4);

    harness.send(1, set_cpu_footprint("a", 9));
    assert_eq!(harness.scheduler.memory_in_use(), Footprint::on(Device::Cpu, 4));

    harness.send(2, set_cpu_footprint("b", 6));
    assert_eq!(harness.send(2, arrive(2, "b")), vec![start("b")]);
}

#[test]
fn drained_victim_returns_when_the_claim_is_cancelled() {
    let mut harness = Harness::with_cpu_budget(8, 10);
    harness.send(0, set_cpu_footprint("a", 6));
    harness.load(0, 1, "a");
    harness.send(1, set_cpu_footprint("b", 6));
    harness.send(1, arrive(2, "b"));
    harness.send(2, arrive(3, "a"));
    assert_eq!(harness.scheduler.model_state("a"), ModelState::Draining);

    assert_eq!(harness.send(3, cancel(2)), vec![admit(3, "a")]);
    assert_eq!(harness.scheduler.model_state("a"), ModelState::Ready);
}

#[test]
fn full_slots_and_short_memory_evict_once() {
    let budget = MemoryBudget::new([(Device::Cpu, 10), (Device::Gpu(0), 10)]);
    let mut harness = Harness::with_budget(2, Some(budget));
    harness.send(0, Input::SetFootprint {
        model: model("cpu-model"),
        footprint: Some(Footprint::on(Device::Cpu, 2)),
    });
    harness.load(0, 1, "cpu-model");
    harness.send(0, finish(1));
    harness.send(1, Input::SetFootprint {
        model: model("gpu-model"),
        footprint: Some(Footprint::on(Device::Gpu(0), 8)),
    });
    harness.load(1, 2, "gpu-model");
    harness.send(1, finish(2));

    // Both slots are taken and the GPU is short: evicting gpu-model frees both, so the least
    // recently used cpu-model stays.
    harness.send(2, Input::SetFootprint {
        model: model("new"),
        footprint: Some(Footprint::on(Device::Gpu(0), 5)),
    });
    assert_eq!(harness.send(2, arrive(3, "new")), vec![stop("gpu-model", StopReason::Swap)]);
    assert_eq!(harness.scheduler.model_state("cpu-model"), ModelState::Ready);
}
