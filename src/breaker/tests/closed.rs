use super::{Admission, BreakerConfig, BreakerState, FailureKind, Harness, Permit};

#[test]
fn closed_opens_at_threshold() {
    let mut harness = Harness::new();

    for _ in 0..4 {
        harness.fail(1);
    }
    assert_eq!(harness.state(1), BreakerState::Closed);
    assert_eq!(harness.breaker.stats(harness.at(1)).consecutive_failures, 4);

    harness.fail(2);

    assert_eq!(harness.state(2), BreakerState::Open);
    assert_eq!(
        harness.transitions(),
        vec![(BreakerState::Closed, BreakerState::Open)]
    );
}

#[test]
fn open_transition_names_last_failure() {
    let mut harness = Harness::new();

    harness.trip(3);

    let transitions = harness.breaker.drain_transitions();
    assert_eq!(transitions.len(), 1);
    assert_eq!(transitions[0].at, harness.at(3));
    assert_eq!(
        transitions[0].reason,
        "5 consecutive failures, last: connection refused: connect to 127.0.0.1:8081 failed"
    );
}

#[test]
fn success_resets_consecutive_failures() {
    let mut harness = Harness::new();

    for _ in 0..4 {
        harness.fail(1);
    }
    harness.succeed(2);
    for _ in 0..4 {
        harness.fail(3);
    }

    assert_eq!(harness.state(3), BreakerState::Closed);
    assert_eq!(harness.breaker.stats(harness.at(3)).consecutive_failures, 4);
    assert!(harness.transitions().is_empty());
}

#[test]
fn upstream_4xx_never_counts() {
    let mut harness = Harness::new();

    for _ in 0..10 {
        assert_eq!(harness.acquire(1), Admission::Allowed(Permit::Call));
        let now = harness.at(1);
        harness.breaker.record_failure(
            now,
            FailureKind::UpstreamStatus(404),
            "not found".to_owned(),
        );
    }

    let stats = harness.breaker.stats(harness.at(1));
    assert_eq!(harness.state(1), BreakerState::Closed);
    assert_eq!(stats.consecutive_failures, 0);
    assert_eq!(stats.total_failures, 0);
    assert_eq!(stats.last_failure_reason, None);
}

#[test]
fn upstream_5xx_counts() {
    let mut harness = Harness::new();

    for _ in 0..5 {
        assert_eq!(harness.acquire(1), Admission::Allowed(Permit::Call));
        let now = harness.at(1);
        harness.breaker.record_failure(
            now,
            FailureKind::UpstreamStatus(503),
            "overloaded".to_owned(),
        );
    }

    assert_eq!(harness.state(1), BreakerState::Open);
}

#[test]
fn release_without_outcome_counts_nothing() {
    let mut harness = Harness::new();

    for _ in 0..4 {
        harness.fail(1);
    }
    for _ in 0..10 {
        assert_eq!(harness.acquire(2), Admission::Allowed(Permit::Call));
        let now = harness.at(2);
        harness.breaker.release_without_outcome(now);
    }

    let stats = harness.breaker.stats(harness.at(2));
    assert_eq!(harness.state(2), BreakerState::Closed);
    assert_eq!(stats.consecutive_failures, 4);
    assert_eq!(stats.total_successes, 0);
    assert_eq!(stats.total_failures, 4);
}

#[test]
fn custom_threshold_opens_earlier() {
    let mut harness = Harness::with_config(BreakerConfig {
        failure_threshold: 2,
        ..BreakerConfig::default()
    });

    harness.fail(1);
    assert_eq!(harness.state(1), BreakerState::Closed);
    harness.fail(1);

    assert_eq!(harness.state(1), BreakerState::Open);
}

#[test]
fn zero_threshold_acts_as_one() {
    let mut harness = Harness::with_config(BreakerConfig {
        failure_threshold: 0,
        ..BreakerConfig::default()
    });

    assert_eq!(harness.state(1), BreakerState::Closed);
    harness.fail(1);

    assert_eq!(harness.state(1), BreakerState::Open);
}

#[test]
fn disabled_breaker_always_admits() {
    let mut harness = Harness::with_config(BreakerConfig {
        enabled: false,
        ..BreakerConfig::default()
    });

    for _ in 0..20 {
        harness.fail(1);
    }

    assert_eq!(harness.state(1), BreakerState::Closed);
    assert_eq!(harness.acquire(100), Admission::Allowed(Permit::Call));
    assert!(harness.transitions().is_empty());

    let stats = harness.breaker.stats(harness.at(100));
    assert!(!stats.enabled);
    assert_eq!(stats.total_failures, 20);
    assert_eq!(stats.total_calls, 21);
}
