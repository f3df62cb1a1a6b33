use super::*;
use crate::scheduler::ModelState;

#[test]
fn ttl_stops_idle_model() {
    let mut harness = Harness::new(1);
    harness.send(0, set_ttl("a", Some(300)));
    harness.load(0, 1, "a");
    harness.send(10, finish(1));

    assert_eq!(harness.send(309, Input::Tick), vec![]);
    assert_eq!(
        harness.send(310, Input::Tick),
        vec![stop("a", StopReason::Ttl)]
    );
    assert_eq!(harness.scheduler.model_state("a"), ModelState::Stopping);

    assert_eq!(harness.send(311, stopped("a")), vec![]);
    assert!(harness.scheduler.running_models().is_empty());
}

#[test]
fn ttl_is_checked_on_any_input() {
    let mut harness = Harness::new(2);
    harness.send(0, set_ttl("a", Some(60)));
    harness.load(0, 1, "a");
    harness.send(0, finish(1));

    let actions = harness.send(61, arrive(2, "b"));

    assert_eq!(actions, vec![stop("a", StopReason::Ttl), start("b")]);
}

#[test]
fn ttl_waits_while_busy() {
    let mut harness = Harness::new(1);
    harness.send(0, set_ttl("a", Some(5)));
    harness.load(0, 1, "a");

    assert_eq!(harness.send(100, Input::Tick), vec![]);
    assert_eq!(harness.scheduler.next_deadline(), None);

    // The time to live counts from the finish, not from the admit.
    assert_eq!(harness.send(100, finish(1)), vec![]);
    assert_eq!(harness.send(104, Input::Tick), vec![]);
    assert_eq!(
        harness.send(105, Input::Tick),
        vec![stop("a", StopReason::Ttl)]
    );
}

#[test]
fn ttl_never_stops_starting_model() {
    let mut harness = Harness::new(1);
    harness.send(0, set_ttl("a", Some(1)));
    harness.send(0, arrive(1, "a"));

    assert_eq!(harness.send(50, Input::Tick), vec![]);
    assert_eq!(harness.scheduler.model_state("a"), ModelState::Starting);
}

#[test]
fn ttl_zero_stops_after_last_finish() {
    let mut harness = Harness::new(1);
    harness.send(0, set_ttl("a", Some(0)));
    harness.load(0, 1, "a");
    harness.send(1, arrive(2, "a"));

    assert_eq!(harness.send(2, finish(1)), vec![]);
    assert_eq!(harness.send(3, finish(2)), vec![stop("a", StopReason::Ttl)]);
}

#[test]
fn ttl_none_keeps_idle_model() {
    let mut harness = Harness::new(1);
    harness.send(0, set_ttl("a", Some(5)));
    harness.send(0, set_ttl("a", None));
    harness.load(0, 1, "a");
    harness.send(1, finish(1));

    assert_eq!(harness.send(100_000, Input::Tick), vec![]);
    assert_eq!(harness.scheduler.next_deadline(), None);
}

#[test]
fn ttl_set_on_ready_model_applies_at_once() {
    let mut harness = Harness::new(1);
    harness.load(0, 1, "a");
    harness.send(1, finish(1));

    assert_eq!(
        harness.send(100, set_ttl("a", Some(30))),
        vec![stop("a", StopReason::Ttl)]
    );
}

#[test]
fn huge_ttl_never_expires() {
    let mut harness = Harness::new(1);
    harness.send(
        0,
        Input::SetTtl {
            model: model("a"),
            ttl: Some(std::time::Duration::MAX),
        },
    );
    harness.load(0, 1, "a");
    harness.send(1, finish(1));

    assert_eq!(harness.send(2, Input::Tick), vec![]);
    assert_eq!(harness.scheduler.next_deadline(), None);
}

#[test]
fn next_deadline_is_earliest_idle_expiry() {
    let mut harness = Harness::new(3);
    harness.send(0, set_ttl("a", Some(100)));
    harness.send(0, set_ttl("b", Some(30)));
    harness.send(0, set_ttl("c", Some(1)));
    harness.load(0, 1, "a");
    harness.load(0, 2, "b");
    harness.load(0, 3, "c");
    assert_eq!(harness.scheduler.next_deadline(), None);

    harness.send(10, finish(1));
    assert_eq!(harness.scheduler.next_deadline(), Some(harness.at(110)));

    harness.send(20, finish(2));
    assert_eq!(harness.scheduler.next_deadline(), Some(harness.at(50)));

    // c stays busy, so it sets no deadline.
    harness.send(50, Input::Tick);
    assert_eq!(harness.scheduler.model_state("b"), ModelState::Stopping);
    assert_eq!(harness.scheduler.next_deadline(), Some(harness.at(110)));
}
