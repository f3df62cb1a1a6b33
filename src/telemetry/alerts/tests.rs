//! The alert state machine under paused time.

use std::time::Duration;

use tokio::time::Instant;

use super::*;

fn cpu_rule() -> AlertRule {
    AlertRule {
        rule: RuleKind::CpuPercent,
        warning: Some(80.0),
        critical: Some(95.0),
        for_seconds: 10,
        hysteresis: 5.0,
    }
}

fn cpu(value: f64) -> Vec<Observation> {
    vec![Observation::new(RuleKind::CpuPercent, "", value)]
}

/// Evaluates `value` once a second for `seconds` seconds and returns every change.
async fn hold(engine: &mut AlertEngine, value: f64, seconds: u64) -> Vec<AlertEvent> {
    let mut events = Vec::new();
    for _ in 0..seconds {
        tokio::time::advance(Duration::from_secs(1)).await;
        events.extend(engine.evaluate(&cpu(value), Instant::now(), 0));
    }
    events
}

#[tokio::test(start_paused = true)]
async fn alert_fires_only_after_for_seconds() {
    let mut engine = AlertEngine::new(vec![cpu_rule()]);

    assert!(engine.evaluate(&cpu(85.0), Instant::now(), 0).is_empty());
    assert!(hold(&mut engine, 85.0, 9).await.is_empty(), "9 s is shorter than forSeconds");

    let events = hold(&mut engine, 85.0, 1).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event, AlertChange::Fired);
    assert_eq!(events[0].alert.level, AlertLevel::Warning);
    assert_eq!(events[0].alert.threshold, 80.0);
    assert_eq!(engine.active().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn dip_below_threshold_restarts_the_wait() {
    let mut engine = AlertEngine::new(vec![cpu_rule()]);

    assert!(hold(&mut engine, 85.0, 8).await.is_empty());
    assert!(hold(&mut engine, 50.0, 1).await.is_empty());
    assert!(hold(&mut engine, 85.0, 9).await.is_empty(), "the wait started again after the dip");
    assert_eq!(hold(&mut engine, 85.0, 2).await.len(), 1);
}

#[tokio::test(start_paused = true)]
async fn hysteresis_keeps_the_alert_until_clearly_below() {
    let mut engine = AlertEngine::new(vec![cpu_rule()]);
    assert_eq!(hold(&mut engine, 85.0, 11).await.len(), 1);

    assert!(hold(&mut engine, 76.0, 5).await.is_empty(), "76 is within the hysteresis of 80");
    assert_eq!(engine.active()[0].value, 76.0, "the active alert shows the latest value");

    let events = hold(&mut engine, 74.0, 1).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event, AlertChange::Resolved);
    assert!(events[0].alert.resolved_at.is_some());
    assert!(engine.active().is_empty());
}

#[tokio::test(start_paused = true)]
async fn level_rises_to_critical_and_falls_back() {
    let mut engine = AlertEngine::new(vec![cpu_rule()]);
    let fired = hold(&mut engine, 99.0, 11).await;
    assert_eq!(fired.len(), 1, "straight to critical, without a warning first: {fired:?}");
    assert_eq!(fired[0].alert.level, AlertLevel::Critical);
    let id = fired[0].alert.id;

    let lowered = hold(&mut engine, 85.0, 1).await;
    assert_eq!(lowered.len(), 1);
    assert_eq!(lowered[0].event, AlertChange::Fired);
    assert_eq!(lowered[0].alert.level, AlertLevel::Warning);
    assert_eq!(lowered[0].alert.id, id, "a level change keeps the alert");
}

#[tokio::test(start_paused = true)]
async fn vanished_subject_resolves() {
    let rule = AlertRule {
        rule: RuleKind::DiskPercent,
        warning: Some(90.0),
        critical: None,
        for_seconds: 0,
        hysteresis: 1.0,
    };
    let mut engine = AlertEngine::new(vec![rule]);

    let fired = engine.evaluate(&[Observation::new(RuleKind::DiskPercent, "/mnt/usb", 95.0)], Instant::now(), 0);
    assert_eq!(fired.len(), 1);
    assert_eq!(fired[0].alert.subject, "/mnt/usb");

    tokio::time::advance(Duration::from_secs(1)).await;
    let resolved = engine.evaluate(&[], Instant::now(), 1_000);
    assert_eq!(resolved.len(), 1);
    assert_eq!(resolved[0].event, AlertChange::Resolved);
    assert_eq!(resolved[0].alert.resolved_at, Some(1_000));
}

#[tokio::test(start_paused = true)]
async fn observations_of_unconfigured_rules_are_ignored() {
    let mut engine = AlertEngine::new(vec![cpu_rule()]);
    let events = engine.evaluate(&[Observation::new(RuleKind::GpuTemperature, "0", 120.0)], Instant::now(), 0);
    assert!(events.is_empty());
    assert!(engine.active().is_empty());
}

#[tokio::test(start_paused = true)]
async fn board_keeps_a_bounded_history_of_resolved_alerts() {
    let rule = AlertRule {
        for_seconds: 0,
        ..cpu_rule()
    };
    let mut board = AlertBoard::new(vec![rule], 2);

    for round in 0..3u64 {
        board.evaluate(&cpu(90.0), Instant::now(), round * 10);
        tokio::time::advance(Duration::from_secs(1)).await;
        board.evaluate(&cpu(10.0), Instant::now(), round * 10 + 1);
        tokio::time::advance(Duration::from_secs(1)).await;
    }

    let snapshot = board.snapshot();
    assert!(snapshot.active.is_empty());
    assert_eq!(snapshot.history.len(), 2);
    assert_eq!(snapshot.history[0].since, 10, "the oldest resolved alert was dropped");
    assert_eq!(snapshot.rules.len(), 1);
}
