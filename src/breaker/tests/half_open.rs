use std::time::Duration;

use super::{Admission, BreakerConfig, BreakerState, FailureKind, Harness, Permit, rejection};

#[test]
fn half_open_admits_one_probe() {
    let mut harness = Harness::new();
    let now = harness.trip_and_recover(0);

    assert_eq!(harness.acquire(now), Admission::Allowed(Permit::Probe));
    let rejected = rejection(harness.acquire(now));

    assert_eq!(rejected.state, BreakerState::HalfOpen);
    assert_eq!(rejected.retry_after, Duration::from_secs(1));
    assert_eq!(rejected.retry_after_seconds(), 1);
}

#[test]
fn half_open_probe_limit_is_configurable() {
    let mut harness = Harness::with_config(BreakerConfig {
        half_open_max_calls: 3,
        ..BreakerConfig::default()
    });
    let now = harness.trip_and_recover(0);

    for _ in 0..3 {
        assert_eq!(harness.acquire(now), Admission::Allowed(Permit::Probe));
    }

    assert_eq!(
        rejection(harness.acquire(now)).state,
        BreakerState::HalfOpen
    );
}

#[test]
fn release_frees_probe_slot() {
    let mut harness = Harness::new();
    let now = harness.trip_and_recover(0);
    assert_eq!(harness.acquire(now), Admission::Allowed(Permit::Probe));

    let at = harness.at(now);
    harness.breaker.release_without_outcome(at);

    assert_eq!(harness.acquire(now), Admission::Allowed(Permit::Probe));
    assert_eq!(harness.state(now), BreakerState::HalfOpen);
    assert_eq!(harness.breaker.stats(at).total_successes, 0);
}

#[test]
fn success_threshold_closes() {
    let mut harness = Harness::new();
    let now = harness.trip_and_recover(0);
    harness.transitions();

    assert_eq!(harness.acquire(now), Admission::Allowed(Permit::Probe));
    harness.breaker.record_success(harness.at(now));
    assert_eq!(harness.state(now), BreakerState::HalfOpen);

    assert_eq!(harness.acquire(now + 1), Admission::Allowed(Permit::Probe));
    harness.breaker.record_success(harness.at(now + 1));

    assert_eq!(harness.state(now + 1), BreakerState::Closed);
    let transitions = harness.breaker.drain_transitions();
    assert_eq!(transitions.len(), 1);
    assert_eq!(transitions[0].to, BreakerState::Closed);
    assert_eq!(transitions[0].reason, "2 probe successes in half-open");
    assert_eq!(harness.acquire(now + 1), Admission::Allowed(Permit::Call));
}

#[test]
fn closing_clears_failure_count() {
    let mut harness = Harness::new();
    let now = harness.trip_and_recover(0);
    for offset in 0..2 {
        assert_eq!(
            harness.acquire(now + offset),
            Admission::Allowed(Permit::Probe)
        );
        harness.breaker.record_success(harness.at(now + offset));
    }

    // After closing, a full threshold of new failures is needed to open again.
    for _ in 0..4 {
        harness.fail(now + 2);
    }

    assert_eq!(harness.state(now + 2), BreakerState::Closed);
}

#[test]
fn probe_failure_reopens_with_fresh_timeout() {
    let mut harness = Harness::new();
    let now = harness.trip_and_recover(0);
    harness.transitions();

    assert_eq!(harness.acquire(now + 5), Admission::Allowed(Permit::Probe));
    harness.breaker.record_failure(
        harness.at(now + 5),
        FailureKind::HealthTimeout,
        "no 200 from /health within 300 s".to_owned(),
    );

    assert_eq!(harness.state(now + 5), BreakerState::Open);
    let transitions = harness.breaker.drain_transitions();
    assert_eq!(transitions.len(), 1);
    assert_eq!(transitions[0].from, BreakerState::HalfOpen);
    assert_eq!(
        transitions[0].reason,
        "probe failed: health check timed out: no 200 from /health within 300 s"
    );

    let rejected = rejection(harness.acquire(now + 6));
    assert_eq!(rejected.retry_after, Duration::from_secs(29));
    assert_eq!(harness.state(now + 34), BreakerState::Open);
    assert_eq!(harness.state(now + 35), BreakerState::HalfOpen);
}

#[test]
fn failure_after_one_success_reopens() {
    let mut harness = Harness::new();
    let now = harness.trip_and_recover(0);

    assert_eq!(harness.acquire(now), Admission::Allowed(Permit::Probe));
    harness.breaker.record_success(harness.at(now));
    assert_eq!(harness.acquire(now), Admission::Allowed(Permit::Probe));
    harness.breaker.record_failure(
        harness.at(now),
        FailureKind::Crashed,
        "signal 11".to_owned(),
    );

    assert_eq!(harness.state(now), BreakerState::Open);

    // The earlier success must not carry over into the next half-open period.
    let next = now + 30;
    assert_eq!(harness.acquire(next), Admission::Allowed(Permit::Probe));
    harness.breaker.record_success(harness.at(next));
    assert_eq!(harness.state(next), BreakerState::HalfOpen);
}

#[test]
fn probe_4xx_frees_slot_only() {
    let mut harness = Harness::new();
    let now = harness.trip_and_recover(0);

    assert_eq!(harness.acquire(now), Admission::Allowed(Permit::Probe));
    harness.breaker.record_failure(
        harness.at(now),
        FailureKind::UpstreamStatus(400),
        "bad request".to_owned(),
    );

    assert_eq!(harness.state(now), BreakerState::HalfOpen);
    assert_eq!(harness.acquire(now), Admission::Allowed(Permit::Probe));
}
