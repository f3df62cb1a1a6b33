use super::*;
use crate::scheduler::ModelState;

#[test]
fn first_request_starts_process() {
    let mut harness = Harness::new(1);

    let actions = harness.send(0, arrive(1, "qwen3:8b"));

    assert_eq!(actions, vec![start("qwen3:8b")]);
    assert_eq!(
        harness.scheduler.model_state("qwen3:8b"),
        ModelState::Starting
    );
    assert_eq!(harness.scheduler.queued("qwen3:8b"), 1);
    assert_eq!(harness.scheduler.in_flight("qwen3:8b"), 0);
    assert_eq!(harness.scheduler.running_models(), vec![model("qwen3:8b")]);
}

#[test]
fn concurrent_requests_share_one_start() {
    let mut harness = Harness::new(1);

    assert_eq!(harness.send(0, arrive(1, "a")), vec![start("a")]);
    assert_eq!(harness.send(0, arrive(2, "a")), vec![]);
    assert_eq!(harness.send(0, arrive(3, "a")), vec![]);

    assert_eq!(harness.scheduler.queued("a"), 3);
}

#[test]
fn ready_admits_queue_in_order() {
    let mut harness = Harness::new(1);
    harness.send(0, arrive(1, "a"));
    harness.send(0, arrive(2, "a"));
    harness.send(0, arrive(3, "a"));

    let actions = harness.send(1, ready("a"));

    assert_eq!(actions, vec![admit(1, "a"), admit(2, "a"), admit(3, "a")]);
    assert_eq!(harness.scheduler.model_state("a"), ModelState::Ready);
    assert_eq!(harness.scheduler.in_flight("a"), 3);
    assert_eq!(harness.scheduler.queued("a"), 0);
}

#[test]
fn ready_model_admits_at_once() {
    let mut harness = Harness::new(1);
    harness.load(0, 1, "org/model-GGUF:Q4_K_M");

    let actions = harness.send(1, arrive(2, "org/model-GGUF:Q4_K_M"));

    assert_eq!(actions, vec![admit(2, "org/model-GGUF:Q4_K_M")]);
    assert_eq!(harness.scheduler.in_flight("org/model-GGUF:Q4_K_M"), 2);
}

#[test]
fn finish_decrements_in_flight() {
    let mut harness = Harness::new(1);
    harness.load(0, 1, "a");
    harness.send(0, arrive(2, "a"));

    assert_eq!(harness.send(1, finish(1)), vec![]);
    assert_eq!(harness.scheduler.in_flight("a"), 1);

    assert_eq!(harness.send(2, finish(2)), vec![]);
    assert_eq!(harness.scheduler.in_flight("a"), 0);
    assert_eq!(harness.scheduler.model_state("a"), ModelState::Ready);
}

#[test]
fn unknown_or_repeated_finish_is_ignored() {
    let mut harness = Harness::new(1);
    harness.load(0, 1, "a");

    assert_eq!(harness.send(1, finish(99)), vec![]);
    assert_eq!(harness.send(1, cancel(98)), vec![]);
    assert_eq!(harness.send(1, finish(1)), vec![]);
    assert_eq!(harness.send(1, finish(1)), vec![]);

    assert_eq!(harness.scheduler.in_flight("a"), 0);
}

#[test]
fn cancel_of_admitted_request_counts_as_finish() {
    let mut harness = Harness::new(1);
    harness.load(0, 1, "a");

    harness.send(1, cancel(1));
    assert_eq!(harness.scheduler.in_flight("a"), 0);

    harness.send(2, finish(1));
    assert_eq!(harness.scheduler.in_flight("a"), 0);
}

#[test]
fn duplicate_request_id_is_ignored() {
    let mut harness = Harness::new(1);
    harness.load(0, 1, "a");

    let actions = harness.send(1, arrive(1, "a"));

    assert_eq!(actions, vec![]);
    assert_eq!(harness.scheduler.in_flight("a"), 1);
}

#[test]
fn zero_max_running_is_raised_to_one() {
    let mut harness = Harness::new(0);

    assert_eq!(harness.scheduler.max_running(), 1);
    assert_eq!(harness.send(0, arrive(1, "a")), vec![start("a")]);
}

#[test]
fn max_running_two_packs_two_models() {
    let mut harness = Harness::new(2);
    harness.load(0, 1, "a");

    assert_eq!(harness.send(1, arrive(2, "b")), vec![start("b")]);
    assert_eq!(harness.send(2, ready("b")), vec![admit(2, "b")]);

    assert_eq!(harness.send(3, arrive(3, "a")), vec![admit(3, "a")]);
    assert_eq!(harness.scheduler.model_state("a"), ModelState::Ready);
    assert_eq!(harness.scheduler.model_state("b"), ModelState::Ready);
    assert_eq!(
        harness.scheduler.running_models(),
        vec![model("a"), model("b")]
    );
}

#[test]
fn unseen_model_queries_are_empty() {
    let harness = Harness::new(1);

    assert_eq!(
        harness.scheduler.model_state("missing"),
        ModelState::Stopped
    );
    assert_eq!(harness.scheduler.in_flight("missing"), 0);
    assert_eq!(harness.scheduler.queued("missing"), 0);
    assert!(harness.scheduler.running_models().is_empty());
    assert_eq!(harness.scheduler.next_deadline(), None);
}

#[test]
fn state_names_match_api_strings() {
    assert_eq!(ModelState::Stopped.as_str(), "stopped");
    assert_eq!(ModelState::Starting.as_str(), "starting");
    assert_eq!(ModelState::Ready.as_str(), "ready");
    assert_eq!(ModelState::Draining.as_str(), "draining");
    assert_eq!(ModelState::Stopping.as_str(), "stopping");
    assert_eq!(StopReason::Ttl.as_str(), "ttl");
    assert_eq!(StopReason::Swap.as_str(), "swap");
    assert_eq!(StopReason::Unload.as_str(), "unload");
    assert_eq!(StopReason::Shutdown.as_str(), "shutdown");
}
