use super::*;
use crate::scheduler::ModelState;

#[test]
fn start_failure_rejects_all_queued() {
    let mut harness = Harness::new(1);
    harness.send(0, arrive(1, "a"));
    harness.send(0, arrive(2, "a"));

    let actions = harness.send(1, start_failed("a", "health check timed out after 60 s"));

    assert_eq!(
        actions,
        vec![
            reject(1, "a", "health check timed out after 60 s"),
            reject(2, "a", "health check timed out after 60 s"),
        ]
    );
    assert_eq!(harness.scheduler.model_state("a"), ModelState::Stopped);
    assert_eq!(harness.scheduler.queued("a"), 0);
    assert!(harness.scheduler.running_models().is_empty());
}

#[test]
fn start_failure_frees_slot_for_next_model() {
    let mut harness = Harness::new(1);
    harness.send(0, arrive(1, "a"));
    harness.send(0, arrive(2, "b"));

    let actions = harness.send(1, start_failed("a", "exit status 1"));

    assert_eq!(actions, vec![reject(1, "a", "exit status 1"), start("b")]);
}

#[test]
fn start_failure_returns_victim_to_ready() {
    let mut harness = Harness::new(2);
    harness.load(0, 1, "a");
    harness.send(1, arrive(2, "b"));
    harness.send(2, arrive(3, "c"));
    assert_eq!(harness.scheduler.model_state("a"), ModelState::Draining);

    // c no longer waits once b's failure frees a slot, so a keeps running.
    let actions = harness.send(3, start_failed("b", "model file not found"));

    assert_eq!(
        actions,
        vec![reject(2, "b", "model file not found"), start("c")]
    );
    assert_eq!(harness.scheduler.model_state("a"), ModelState::Ready);
}

#[test]
fn crash_then_next_request_restarts() {
    let mut harness = Harness::new(1);
    harness.load(0, 1, "a");
    harness.send(1, finish(1));

    assert_eq!(harness.send(2, exited("a", "signal 9")), vec![]);
    assert_eq!(harness.scheduler.model_state("a"), ModelState::Stopped);
    assert!(harness.scheduler.running_models().is_empty());

    assert_eq!(harness.send(3, arrive(2, "a")), vec![start("a")]);
    assert_eq!(harness.send(4, ready("a")), vec![admit(2, "a")]);
}

#[test]
fn crash_with_requests_in_flight_does_not_underflow() {
    let mut harness = Harness::new(1);
    harness.load(0, 1, "a");
    harness.send(0, arrive(2, "a"));

    harness.send(1, exited("a", "signal 11"));
    assert_eq!(harness.scheduler.in_flight("a"), 0);

    harness.send(2, arrive(3, "a"));
    harness.send(3, ready("a"));
    assert_eq!(harness.scheduler.in_flight("a"), 1);

    // Requests of the crashed process finish late and leave the new process's count alone.
    harness.send(4, finish(1));
    harness.send(4, finish(2));
    assert_eq!(harness.scheduler.in_flight("a"), 1);

    harness.send(5, finish(3));
    assert_eq!(harness.scheduler.in_flight("a"), 0);
}

#[test]
fn crash_of_draining_victim_restarts_its_queue() {
    let mut harness = Harness::new(1);
    harness.load(0, 1, "a");
    harness.send(1, arrive(2, "b"));
    harness.send(2, arrive(3, "a"));

    // b waited first, so it gets the freed slot and a waits behind it.
    assert_eq!(harness.send(3, exited("a", "signal 9")), vec![start("b")]);
    assert_eq!(harness.scheduler.queued("a"), 1);

    assert_eq!(harness.send(4, ready("b")), vec![admit(2, "b")]);
    assert_eq!(
        harness.send(5, finish(2)),
        vec![stop("b", StopReason::Swap)]
    );
    assert_eq!(harness.send(6, stopped("b")), vec![start("a")]);
}

#[test]
fn exit_during_start_rejects_queue() {
    let mut harness = Harness::new(1);
    harness.send(0, arrive(1, "a"));

    let actions = harness.send(1, exited("a", "exit status 134"));

    assert_eq!(actions, vec![reject(1, "a", "exit status 134")]);
    assert_eq!(harness.scheduler.model_state("a"), ModelState::Stopped);
}

#[test]
fn stale_process_reports_are_ignored() {
    let mut harness = Harness::new(1);

    assert_eq!(harness.send(0, ready("ghost")), vec![]);
    assert_eq!(harness.send(0, stopped("ghost")), vec![]);
    assert_eq!(harness.send(0, exited("ghost", "signal 9")), vec![]);
    assert_eq!(
        harness.send(0, start_failed("ghost", "exit status 1")),
        vec![]
    );
    assert_eq!(harness.send(0, unload("ghost")), vec![]);

    harness.load(1, 1, "a");
    assert_eq!(harness.send(2, ready("a")), vec![]);
    assert_eq!(harness.scheduler.in_flight("a"), 1);
    assert!(harness.scheduler.running_models().len() <= 1);
}
