use super::{Admission, BreakerConfig, BreakerState, FailureKind, Harness, Permit, rejection};

#[test]
fn stats_count_totals() {
    let mut harness = Harness::new();

    harness.succeed(0);
    harness.succeed(0);
    harness.trip(1);
    rejection(harness.acquire(2));
    rejection(harness.acquire(3));
    rejection(harness.acquire(4));

    let stats = harness.breaker.stats(harness.at(4));
    assert_eq!(stats.state, BreakerState::Open);
    assert_eq!(stats.total_calls, 7);
    assert_eq!(stats.total_successes, 2);
    assert_eq!(stats.total_failures, 5);
    assert_eq!(stats.total_rejected, 3);
    assert_eq!(stats.transitions, 1);
    assert_eq!(stats.consecutive_failures, 5);
    assert_eq!(stats.state_since_seconds_ago, Some(3.0));
    assert_eq!(stats.last_failure_kind, Some("connection_refused"));
    assert_eq!(
        stats.last_failure_reason.as_deref(),
        Some("connection refused: connect to 127.0.0.1:8081 failed")
    );
    assert_eq!(stats.last_failure_seconds_ago, Some(3.0));
    assert_eq!(stats.retry_after_seconds, Some(27));
}

#[test]
fn fresh_stats_are_empty() {
    let harness = Harness::new();

    let stats = harness.breaker.stats(harness.at(0));

    assert!(stats.enabled);
    assert_eq!(stats.state, BreakerState::Closed);
    assert_eq!(stats.state_since_seconds_ago, None);
    assert_eq!(stats.total_calls, 0);
    assert_eq!(stats.last_failure_reason, None);
    assert_eq!(stats.last_failure_seconds_ago, None);
    assert_eq!(stats.retry_after_seconds, None);
}

#[test]
fn stats_show_due_half_open() {
    let mut harness = Harness::new();
    harness.trip(0);

    let stats = harness.breaker.stats(harness.at(40));

    assert_eq!(stats.state, BreakerState::HalfOpen);
    assert_eq!(stats.state_since_seconds_ago, Some(10.0));
    assert_eq!(stats.transitions, 2);
    assert_eq!(stats.retry_after_seconds, None);

    // Reading stats changes nothing: the stored state turns HALF_OPEN only here.
    assert_eq!(
        harness.transitions(),
        vec![(BreakerState::Closed, BreakerState::Open)]
    );
    assert_eq!(harness.state(40), BreakerState::HalfOpen);
    assert_eq!(harness.breaker.stats(harness.at(40)).transitions, 2);
}

#[test]
fn stats_serialize_snake_case() {
    let mut harness = Harness::new();
    harness.trip(0);

    let json = serde_json::to_value(harness.breaker.stats(harness.at(0))).expect("stats serialize");

    assert_eq!(json["state"], "open");
    assert_eq!(json["total_failures"], 5);
    assert_eq!(json["retry_after_seconds"], 30);
    assert_eq!(json["last_failure_kind"], "connection_refused");
}

#[test]
fn reset_closes_open_breaker() {
    let mut harness = Harness::new();
    harness.trip(0);
    harness.transitions();

    let now = harness.at(5);
    harness.breaker.reset(now);

    assert_eq!(harness.state(5), BreakerState::Closed);
    let transitions = harness.breaker.drain_transitions();
    assert_eq!(transitions.len(), 1);
    assert_eq!(transitions[0].from, BreakerState::Open);
    assert_eq!(transitions[0].at, now);
    assert_eq!(transitions[0].reason, "reset by management request");

    let stats = harness.breaker.stats(now);
    assert_eq!(stats.consecutive_failures, 0);
    assert_eq!(stats.total_failures, 5);
    assert_eq!(harness.acquire(5), Admission::Allowed(Permit::Call));
}

#[test]
fn reset_closes_half_open_breaker() {
    let mut harness = Harness::new();
    let now = harness.trip_and_recover(0);
    harness.transitions();
    assert_eq!(harness.acquire(now), Admission::Allowed(Permit::Probe));

    harness.breaker.reset(harness.at(now));

    assert_eq!(
        harness.transitions(),
        vec![(BreakerState::HalfOpen, BreakerState::Closed)]
    );
    assert_eq!(harness.acquire(now), Admission::Allowed(Permit::Call));
}

#[test]
fn reset_when_closed_clears_count() {
    let mut harness = Harness::new();
    for _ in 0..4 {
        harness.fail(0);
    }

    harness.breaker.reset(harness.at(1));

    assert!(harness.transitions().is_empty());
    assert_eq!(harness.breaker.stats(harness.at(1)).consecutive_failures, 0);
    harness.fail(2);
    assert_eq!(harness.state(2), BreakerState::Closed);
}

#[test]
fn disabling_closes_open_breaker() {
    let mut harness = Harness::new();
    harness.trip(0);
    harness.transitions();

    let disabled = BreakerConfig {
        enabled: false,
        ..BreakerConfig::default()
    };
    harness.breaker.set_config(harness.at(1), disabled);

    assert_eq!(harness.state(1), BreakerState::Closed);
    let transitions = harness.breaker.drain_transitions();
    assert_eq!(transitions.len(), 1);
    assert_eq!(transitions[0].reason, "breaker disabled by configuration");
    assert_eq!(harness.acquire(1), Admission::Allowed(Permit::Call));
}

#[test]
fn drain_returns_each_transition_once() {
    let mut harness = Harness::new();
    let now = harness.trip_and_recover(0);
    assert_eq!(harness.acquire(now), Admission::Allowed(Permit::Probe));
    harness.breaker.record_failure(
        harness.at(now),
        FailureKind::Timeout("first byte"),
        "60 s".to_owned(),
    );

    assert_eq!(
        harness.transitions(),
        vec![
            (BreakerState::Closed, BreakerState::Open),
            (BreakerState::Open, BreakerState::HalfOpen),
            (BreakerState::HalfOpen, BreakerState::Open),
        ]
    );
    assert!(harness.transitions().is_empty());
}
