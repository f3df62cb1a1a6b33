use super::*;
use crate::scheduler::ModelState;

#[test]
fn swap_with_one_slot_stops_idle_model() {
    let mut harness = Harness::new(1);
    harness.load(0, 1, "a");
    harness.send(1, finish(1));

    assert_eq!(
        harness.send(2, arrive(2, "b")),
        vec![stop("a", StopReason::Swap)]
    );
    assert_eq!(harness.scheduler.model_state("a"), ModelState::Stopping);
    assert_eq!(harness.scheduler.model_state("b"), ModelState::Stopped);
    assert_eq!(harness.scheduler.queued("b"), 1);

    assert_eq!(harness.send(3, stopped("a")), vec![start("b")]);
    assert_eq!(harness.send(4, ready("b")), vec![admit(2, "b")]);
    assert_eq!(harness.scheduler.running_models(), vec![model("b")]);
}

#[test]
fn swap_evicts_least_recently_used() {
    let mut harness = Harness::new(2);
    harness.load(0, 1, "a");
    harness.load(1, 2, "b");
    harness.send(2, finish(1));
    harness.send(3, finish(2));

    // Using a again makes b the least recently used.
    harness.send(4, arrive(3, "a"));
    harness.send(5, finish(3));

    assert_eq!(
        harness.send(6, arrive(4, "c")),
        vec![stop("b", StopReason::Swap)]
    );
    assert_eq!(harness.scheduler.model_state("a"), ModelState::Ready);
}

#[test]
fn swap_prefers_idle_victim_over_busy() {
    let mut harness = Harness::new(2);
    harness.load(0, 1, "a");
    harness.load(1, 2, "b");
    harness.send(2, finish(2));

    // a stays busy with request 1, so idle b goes although it was used more recently.
    assert_eq!(
        harness.send(3, arrive(3, "c")),
        vec![stop("b", StopReason::Swap)]
    );
    assert_eq!(harness.scheduler.model_state("a"), ModelState::Ready);
}

#[test]
fn busy_model_is_drained_not_cut() {
    let mut harness = Harness::new(1);
    harness.load(0, 1, "a");

    assert_eq!(harness.send(1, arrive(2, "b")), vec![]);
    assert_eq!(harness.scheduler.model_state("a"), ModelState::Draining);
    assert_eq!(harness.scheduler.in_flight("a"), 1);

    assert_eq!(harness.send(2, Input::Tick), vec![]);

    assert_eq!(
        harness.send(3, finish(1)),
        vec![stop("a", StopReason::Swap)]
    );
    assert_eq!(harness.send(4, stopped("a")), vec![start("b")]);
    assert_eq!(harness.send(5, ready("b")), vec![admit(2, "b")]);
}

#[test]
fn pending_swap_queues_requests_for_victim() {
    let mut harness = Harness::new(1);
    harness.load(0, 1, "a");
    harness.send(1, arrive(2, "b"));

    // A steady stream for a must not keep b waiting: once the swap is pending, a's requests queue.
    for request in 3..8 {
        assert_eq!(harness.send(2, arrive(request, "a")), vec![]);
    }
    assert_eq!(harness.scheduler.queued("a"), 5);
    assert_eq!(harness.scheduler.in_flight("a"), 1);

    assert_eq!(
        harness.send(3, finish(1)),
        vec![stop("a", StopReason::Swap)]
    );
    assert_eq!(harness.send(4, stopped("a")), vec![start("b")]);

    // b serves its request, then drains because a waits.
    assert_eq!(harness.send(5, ready("b")), vec![admit(2, "b")]);
    assert_eq!(harness.scheduler.model_state("b"), ModelState::Draining);

    assert_eq!(
        harness.send(6, finish(2)),
        vec![stop("b", StopReason::Swap)]
    );
    assert_eq!(harness.send(7, stopped("b")), vec![start("a")]);

    let admitted = harness.send(8, ready("a"));
    let expected: Vec<Action> = (3..8).map(|request| admit(request, "a")).collect();
    assert_eq!(admitted, expected);
}

#[test]
fn one_eviction_per_waiting_model() {
    let mut harness = Harness::new(2);
    harness.load(0, 1, "a");
    harness.load(1, 2, "b");

    harness.send(2, arrive(3, "c"));
    harness.send(2, arrive(4, "c"));
    harness.send(2, arrive(5, "c"));

    assert_eq!(harness.scheduler.model_state("a"), ModelState::Draining);
    assert_eq!(harness.scheduler.model_state("b"), ModelState::Ready);

    // A second waiting model claims the second slot.
    harness.send(3, arrive(6, "d"));
    assert_eq!(harness.scheduler.model_state("b"), ModelState::Draining);
}

#[test]
fn stopping_model_counts_as_freeing_slot() {
    let mut harness = Harness::new(2);
    harness.load(0, 1, "a");
    harness.load(1, 2, "b");
    harness.send(2, finish(2));
    harness.send(3, unload("b"));

    // b's stop frees the slot c needs, so busy a is left alone.
    assert_eq!(harness.send(4, arrive(3, "c")), vec![]);
    assert_eq!(harness.scheduler.model_state("a"), ModelState::Ready);
    assert_eq!(harness.send(5, stopped("b")), vec![start("c")]);
}

#[test]
fn waiting_models_start_in_arrival_order() {
    let mut harness = Harness::new(1);
    harness.load(0, 1, "a");
    harness.send(1, arrive(2, "b"));
    harness.send(2, arrive(3, "c"));

    harness.send(3, finish(1));
    assert_eq!(harness.send(4, stopped("a")), vec![start("b")]);
    assert_eq!(harness.send(5, ready("b")), vec![admit(2, "b")]);

    assert_eq!(
        harness.send(6, finish(2)),
        vec![stop("b", StopReason::Swap)]
    );
    assert_eq!(harness.send(7, stopped("b")), vec![start("c")]);
}

#[test]
fn cancelled_claim_returns_victim_to_ready() {
    let mut harness = Harness::new(1);
    harness.load(0, 1, "a");
    harness.send(1, arrive(2, "b"));
    harness.send(2, arrive(3, "a"));
    assert_eq!(harness.scheduler.model_state("a"), ModelState::Draining);

    // b's only request leaves, so a no longer has to make room and admits its queue.
    assert_eq!(harness.send(3, cancel(2)), vec![admit(3, "a")]);
    assert_eq!(harness.scheduler.model_state("a"), ModelState::Ready);
    assert_eq!(harness.scheduler.in_flight("a"), 2);
    assert_eq!(harness.scheduler.queued("b"), 0);

    assert_eq!(harness.send(4, finish(1)), vec![]);
    assert_eq!(harness.send(5, finish(3)), vec![]);
    assert_eq!(harness.scheduler.model_state("a"), ModelState::Ready);
}

#[test]
fn cancelled_claim_after_stop_starts_nothing() {
    let mut harness = Harness::new(1);
    harness.load(0, 1, "a");
    harness.send(1, finish(1));
    harness.send(2, arrive(2, "b"));

    assert_eq!(harness.send(3, cancel(2)), vec![]);
    assert_eq!(harness.send(4, stopped("a")), vec![]);
    assert!(harness.scheduler.running_models().is_empty());
}

#[test]
fn partial_cancel_keeps_claim() {
    let mut harness = Harness::new(1);
    harness.load(0, 1, "a");
    harness.send(1, arrive(2, "b"));
    harness.send(1, arrive(3, "b"));

    assert_eq!(harness.send(2, cancel(2)), vec![]);
    assert_eq!(harness.scheduler.model_state("a"), ModelState::Draining);

    harness.send(3, finish(1));
    harness.send(4, stopped("a"));
    assert_eq!(harness.send(5, ready("b")), vec![admit(3, "b")]);
}

#[test]
fn request_during_stop_restarts_model() {
    let mut harness = Harness::new(1);
    harness.load(0, 1, "a");
    harness.send(1, finish(1));
    harness.send(2, unload("a"));

    assert_eq!(harness.send(3, arrive(2, "a")), vec![]);
    assert_eq!(harness.scheduler.queued("a"), 1);

    assert_eq!(harness.send(4, stopped("a")), vec![start("a")]);
    assert_eq!(harness.send(5, ready("a")), vec![admit(2, "a")]);
}
