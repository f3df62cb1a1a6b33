use super::*;
use crate::scheduler::{ModelState, SHUTDOWN_REASON};

#[test]
fn unload_idle_stops_now() {
    let mut harness = Harness::new(1);
    harness.load(0, 1, "a");
    harness.send(1, finish(1));

    assert_eq!(
        harness.send(2, unload("a")),
        vec![stop("a", StopReason::Unload)]
    );
    assert_eq!(harness.scheduler.model_state("a"), ModelState::Stopping);
}

#[test]
fn unload_busy_drains_then_stops() {
    let mut harness = Harness::new(1);
    harness.load(0, 1, "a");

    assert_eq!(harness.send(1, unload("a")), vec![]);
    assert_eq!(harness.scheduler.model_state("a"), ModelState::Draining);

    assert_eq!(harness.send(2, arrive(2, "a")), vec![]);
    assert_eq!(harness.scheduler.queued("a"), 1);

    assert_eq!(
        harness.send(3, finish(1)),
        vec![stop("a", StopReason::Unload)]
    );

    // The request queued during the drain starts the model again.
    assert_eq!(harness.send(4, stopped("a")), vec![start("a")]);
}

#[test]
fn unload_starting_stops_after_ready() {
    let mut harness = Harness::new(1);
    harness.send(0, arrive(1, "a"));

    assert_eq!(harness.send(1, unload("a")), vec![]);
    assert_eq!(harness.scheduler.model_state("a"), ModelState::Starting);

    assert_eq!(harness.send(2, ready("a")), vec![admit(1, "a")]);
    assert_eq!(harness.scheduler.model_state("a"), ModelState::Draining);

    assert_eq!(
        harness.send(3, finish(1)),
        vec![stop("a", StopReason::Unload)]
    );
}

#[test]
fn unload_starting_with_empty_queue_stops_on_ready() {
    let mut harness = Harness::new(1);
    harness.send(0, arrive(1, "a"));
    harness.send(1, unload("a"));
    harness.send(1, cancel(1));

    assert_eq!(
        harness.send(2, ready("a")),
        vec![stop("a", StopReason::Unload)]
    );
}

#[test]
fn unload_stopped_does_nothing() {
    let mut harness = Harness::new(1);
    harness.load(0, 1, "a");
    harness.send(1, finish(1));
    harness.send(2, unload("a"));
    harness.send(3, stopped("a"));

    assert_eq!(harness.send(4, unload("a")), vec![]);
    assert_eq!(harness.scheduler.model_state("a"), ModelState::Stopped);
}

#[test]
fn unload_overrides_swap_drain() {
    let mut harness = Harness::new(1);
    harness.load(0, 1, "a");
    harness.send(1, arrive(2, "b"));
    harness.send(2, unload("a"));

    // Without b's claim a still stops, because the unload is not undone.
    harness.send(3, cancel(2));
    assert_eq!(harness.scheduler.model_state("a"), ModelState::Draining);
    assert_eq!(
        harness.send(4, finish(1)),
        vec![stop("a", StopReason::Unload)]
    );
}

#[test]
fn shutdown_rejects_queued_and_stops_all() {
    let mut harness = Harness::new(2);
    harness.load(0, 1, "a");
    harness.send(1, arrive(2, "b"));
    harness.send(2, arrive(3, "c"));

    let actions = harness.send(3, Input::Shutdown);

    assert_eq!(
        actions,
        vec![
            reject(2, "b", SHUTDOWN_REASON),
            reject(3, "c", SHUTDOWN_REASON),
            stop("a", StopReason::Shutdown),
            stop("b", StopReason::Shutdown),
        ]
    );
    assert_eq!(harness.scheduler.model_state("a"), ModelState::Stopping);
    assert_eq!(harness.scheduler.model_state("b"), ModelState::Stopping);
    assert!(harness.scheduler.is_shutting_down());
}

#[test]
fn shutdown_skips_models_already_stopping() {
    let mut harness = Harness::new(1);
    harness.load(0, 1, "a");
    harness.send(1, finish(1));
    harness.send(2, unload("a"));

    assert_eq!(harness.send(3, Input::Shutdown), vec![]);
    assert_eq!(harness.send(4, Input::Shutdown), vec![]);
}

#[test]
fn shutdown_rejects_later_requests() {
    let mut harness = Harness::new(1);
    harness.send(0, Input::Shutdown);

    assert_eq!(
        harness.send(1, arrive(1, "a")),
        vec![reject(1, "a", SHUTDOWN_REASON)]
    );
    assert!(harness.scheduler.running_models().is_empty());
}

#[test]
fn shutdown_ignores_late_ready_and_frees_slots() {
    let mut harness = Harness::new(1);
    harness.load(0, 1, "a");
    harness.send(1, Input::Shutdown);

    assert_eq!(harness.send(2, ready("a")), vec![]);
    assert_eq!(harness.send(3, finish(1)), vec![]);
    assert_eq!(harness.send(4, stopped("a")), vec![]);
    assert!(harness.scheduler.running_models().is_empty());
}
