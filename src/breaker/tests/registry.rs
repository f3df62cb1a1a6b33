use std::io;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use crate::breaker::{
    Admission, BreakerConfig, BreakerOverride, BreakerRegistry, BreakerState, FailureKind, Permit,
};

/// Fails `count` calls of `model` at `now` through the registry.
fn fail(registry: &BreakerRegistry, model: &str, now: Instant, count: usize) {
    for _ in 0..count {
        registry.with(model, |breaker| {
            assert_eq!(breaker.try_acquire(now), Admission::Allowed(Permit::Call));
            breaker.record_failure(now, FailureKind::Crashed, "exit code 1".to_owned());
        });
    }
}

fn state_of(registry: &BreakerRegistry, model: &str, now: Instant) -> BreakerState {
    registry.with(model, |breaker| breaker.state(now))
}

#[test]
fn registry_keeps_breaker_per_model() {
    let registry = BreakerRegistry::new(BreakerConfig::default());
    let now = Instant::now();

    fail(&registry, "qwen3:8b", now, 5);

    assert_eq!(state_of(&registry, "qwen3:8b", now), BreakerState::Open);
    assert_eq!(state_of(&registry, "llama3:8b", now), BreakerState::Closed);
}

#[test]
fn registry_clones_share_breakers() {
    let registry = BreakerRegistry::new(BreakerConfig::default());
    let clone = registry.clone();
    let now = Instant::now();

    fail(&clone, "qwen3:8b", now, 5);

    assert_eq!(state_of(&registry, "qwen3:8b", now), BreakerState::Open);
}

#[test]
fn registry_applies_model_config() {
    let default_config = BreakerConfig::default();
    let registry = BreakerRegistry::new(default_config.clone());
    let now = Instant::now();
    let strict = default_config.with_override(&BreakerOverride {
        failure_threshold: Some(1),
        ..BreakerOverride::default()
    });

    registry.set_config("fragile", strict, now);
    fail(&registry, "fragile", now, 1);
    fail(&registry, "sturdy", now, 1);

    assert_eq!(state_of(&registry, "fragile", now), BreakerState::Open);
    assert_eq!(state_of(&registry, "sturdy", now), BreakerState::Closed);
}

#[test]
fn set_config_updates_existing_breaker() {
    let registry = BreakerRegistry::new(BreakerConfig::default());
    let now = Instant::now();
    fail(&registry, "qwen3:8b", now, 5);

    let disabled = BreakerConfig {
        enabled: false,
        ..BreakerConfig::default()
    };
    registry.set_config("qwen3:8b", disabled, now);

    assert_eq!(state_of(&registry, "qwen3:8b", now), BreakerState::Closed);
    let snapshot = registry.snapshot(now);
    assert_eq!(snapshot.len(), 1);
    assert!(!snapshot[0].1.enabled);
    assert_eq!(snapshot[0].1.total_failures, 5);
}

#[test]
fn snapshot_sorted_and_advanced() {
    let registry = BreakerRegistry::new(BreakerConfig::default());
    let start = Instant::now();
    fail(&registry, "b-model", start, 5);
    fail(&registry, "a-model", start, 1);

    let later = start + Duration::from_secs(31);
    let snapshot = registry.snapshot(later);

    let ids: Vec<&str> = snapshot.iter().map(|(id, _)| id.as_ref()).collect();
    assert_eq!(ids, vec!["a-model", "b-model"]);
    assert_eq!(snapshot[0].1.state, BreakerState::Closed);
    assert_eq!(snapshot[1].1.state, BreakerState::HalfOpen);
    assert_eq!(snapshot[1].1.transitions, 2);
    assert_eq!(
        state_of(&registry, "b-model", later),
        BreakerState::HalfOpen
    );
}

#[test]
fn reset_unknown_model_returns_false() {
    let registry = BreakerRegistry::new(BreakerConfig::default());

    assert!(!registry.reset("never-called", Instant::now()));
    assert!(registry.snapshot(Instant::now()).is_empty());
}

#[test]
fn reset_closes_model_breaker() {
    let registry = BreakerRegistry::new(BreakerConfig::default());
    let now = Instant::now();
    fail(&registry, "qwen3:8b", now, 5);

    assert!(registry.reset("qwen3:8b", now));

    assert_eq!(state_of(&registry, "qwen3:8b", now), BreakerState::Closed);
}

/// Log output collected in memory.
#[derive(Clone, Default)]
struct CapturedLog(Arc<Mutex<Vec<u8>>>);

impl io::Write for CapturedLog {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let mut buffer = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        buffer.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn registry_logs_transitions() {
    let log = CapturedLog::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .with_writer(move || writer.clone())
        .finish();
    let registry = BreakerRegistry::new(BreakerConfig::default());
    let now = Instant::now();

    tracing::subscriber::with_default(subscriber, || {
        fail(&registry, "qwen3:8b", now, 5);
        registry.reset("qwen3:8b", now);
    });

    let bytes = log
        .0
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .clone();
    let text = String::from_utf8_lossy(&bytes);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "log was:\n{text}");
    assert!(
        lines[0].contains("circuit breaker transition"),
        "line: {}",
        lines[0]
    );
    assert!(lines[0].contains("model=qwen3:8b"), "line: {}", lines[0]);
    assert!(
        lines[0].contains("from=closed to=open"),
        "line: {}",
        lines[0]
    );
    assert!(
        lines[0].contains("5 consecutive failures"),
        "line: {}",
        lines[0]
    );
    assert!(
        lines[1].contains("from=open to=closed"),
        "line: {}",
        lines[1]
    );
    assert!(
        lines[1].contains("reset by management request"),
        "line: {}",
        lines[1]
    );
}
