use std::time::Duration;

use super::{Admission, BreakerConfig, BreakerState, FailureKind, Harness, Permit, rejection};

#[test]
fn open_rejects_with_full_timeout() {
    let mut harness = Harness::new();
    harness.trip(10);

    let rejected = rejection(harness.acquire(10));

    assert_eq!(rejected.state, BreakerState::Open);
    assert_eq!(rejected.retry_after, Duration::from_secs(30));
    assert_eq!(rejected.retry_after_seconds(), 30);
    assert_eq!(
        rejected.last_failure.as_deref(),
        Some("connection refused: connect to 127.0.0.1:8081 failed")
    );
}

#[test]
fn retry_after_counts_down() {
    let mut harness = Harness::new();
    harness.trip(0);

    let now = harness.at_millis(10_500);
    let rejected = rejection(harness.breaker.try_acquire(now));
    assert_eq!(rejected.retry_after, Duration::from_millis(19_500));
    assert_eq!(rejected.retry_after_seconds(), 20);

    let now = harness.at_millis(29_999);
    let rejected = rejection(harness.breaker.try_acquire(now));
    assert_eq!(rejected.retry_after, Duration::from_millis(1));
    assert_eq!(rejected.retry_after_seconds(), 1);
}

#[test]
fn open_turns_half_open_at_deadline() {
    let mut harness = Harness::new();
    harness.trip(0);
    harness.transitions();

    let just_before = harness.at_millis(29_999);
    assert_eq!(harness.breaker.state(just_before), BreakerState::Open);
    assert!(harness.transitions().is_empty());

    assert_eq!(harness.state(30), BreakerState::HalfOpen);
    assert_eq!(
        harness.transitions(),
        vec![(BreakerState::Open, BreakerState::HalfOpen)]
    );
}

#[test]
fn lazy_half_open_dates_from_deadline() {
    let mut harness = Harness::new();
    harness.trip(0);
    harness.transitions();

    assert_eq!(harness.acquire(45), Admission::Allowed(Permit::Probe));

    let transitions = harness.breaker.drain_transitions();
    assert_eq!(transitions.len(), 1);
    assert_eq!(transitions[0].at, harness.at(30));
    assert_eq!(transitions[0].reason, "recovery timeout of 30 s elapsed");
}

#[test]
fn late_failure_keeps_deadline() {
    let mut harness = Harness::new();
    harness.trip(0);

    // A call admitted before the breaker opened fails later, and the deadline must not move.
    let now = harness.at(20);
    harness
        .breaker
        .record_failure(now, FailureKind::ResetMidStream, "stream cut".to_owned());

    assert_eq!(
        rejection(harness.acquire(20)).retry_after,
        Duration::from_secs(10)
    );
    assert_eq!(harness.state(30), BreakerState::HalfOpen);
}

#[test]
fn late_success_keeps_open() {
    let mut harness = Harness::new();
    harness.trip(0);

    let now = harness.at(5);
    harness.breaker.record_success(now);

    assert_eq!(harness.state(5), BreakerState::Open);
    let stats = harness.breaker.stats(harness.at(5));
    assert_eq!(stats.total_successes, 1);
    assert_eq!(stats.consecutive_failures, 0);
}

#[test]
fn zero_recovery_timeout_probes_next_call() {
    let mut harness = Harness::with_config(BreakerConfig {
        recovery_timeout_seconds: 0,
        ..BreakerConfig::default()
    });
    for _ in 0..5 {
        harness.fail(0);
    }

    assert_eq!(harness.acquire(0), Admission::Allowed(Permit::Probe));
    assert_eq!(
        harness.transitions(),
        vec![
            (BreakerState::Closed, BreakerState::Open),
            (BreakerState::Open, BreakerState::HalfOpen),
        ]
    );
}

#[test]
fn huge_recovery_timeout_stays_open() {
    let mut harness = Harness::with_config(BreakerConfig {
        recovery_timeout_seconds: u64::MAX,
        ..BreakerConfig::default()
    });
    harness.trip(0);

    let rejected = rejection(harness.acquire(1_000_000));

    assert_eq!(rejected.state, BreakerState::Open);
    assert_eq!(rejected.retry_after_seconds(), u64::MAX);
    assert_eq!(
        harness.breaker.stats(harness.at(1)).retry_after_seconds,
        Some(u64::MAX)
    );
}
