use std::time::Duration;

use tokio::time::Instant;

use super::{Admission, BreakerConfig, BreakerState, CircuitBreaker, FailureKind, Permit};

fn fail_now(breaker: &mut CircuitBreaker) {
    assert_eq!(
        breaker.try_acquire(Instant::now()),
        Admission::Allowed(Permit::Call)
    );
    breaker.record_failure(
        Instant::now(),
        FailureKind::SpawnFailed,
        "no such file".to_owned(),
    );
}

#[tokio::test(start_paused = true)]
async fn paused_clock_drives_recovery() {
    let mut breaker = CircuitBreaker::new(BreakerConfig::default());
    for _ in 0..5 {
        fail_now(&mut breaker);
    }
    assert_eq!(breaker.state(Instant::now()), BreakerState::Open);

    tokio::time::advance(Duration::from_secs(29)).await;
    let Admission::Rejected(rejected) = breaker.try_acquire(Instant::now()) else {
        panic!("expected a rejection 29 s after opening");
    };
    assert_eq!(rejected.retry_after, Duration::from_secs(1));

    tokio::time::advance(Duration::from_secs(1)).await;
    assert_eq!(
        breaker.try_acquire(Instant::now()),
        Admission::Allowed(Permit::Probe)
    );
    breaker.record_success(Instant::now());
    assert_eq!(
        breaker.try_acquire(Instant::now()),
        Admission::Allowed(Permit::Probe)
    );
    breaker.record_success(Instant::now());

    assert_eq!(breaker.state(Instant::now()), BreakerState::Closed);
}

#[tokio::test(start_paused = true)]
async fn paused_clock_ages_stats() {
    let mut breaker = CircuitBreaker::new(BreakerConfig::default());
    fail_now(&mut breaker);

    tokio::time::advance(Duration::from_millis(2_500)).await;

    let stats = breaker.stats(Instant::now());
    assert_eq!(stats.last_failure_seconds_ago, Some(2.5));
    assert_eq!(stats.last_failure_kind, Some("spawn_failed"));
}
