//! The tasks that keep telemetry live: one takes a sample every `metrics.intervalSeconds`,
//! another turns model state changes into WebSocket messages.

use arc_swap::ArcSwap;
use crate::config::Settings;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::broadcast::error::RecvError;
use tokio::time::{Instant, MissedTickBehavior};
use tokio_util::sync::CancellationToken;

use super::alerts::AlertLevel;
use super::messages::ServerMessage;
use super::model_info::ModelDirectory;
use super::observations::{ModelAlertInput, observations};
use super::system::{Collected, ModelSample, SystemCollector};
use super::unix_millis;

/// Requests and errors of one model in the last minute, and its latest generation speed.
type RequestFigures = ((u64, u64), Option<f64>);

/// Window of the `model_crash` alert rule.
const CRASH_WINDOW: Duration = Duration::from_secs(600);

/// Starts the sampling task (unless metrics are switched off) and the model watcher; both end
/// when `shutdown` fires.
///
/// `live_settings` holds the settings in force; a config reload replaces them there, and the
/// sampler picks them up at its next step.
pub fn start_sampling(directory: ModelDirectory, live_settings: Arc<ArcSwap<Settings>>, shutdown: CancellationToken) {
    tokio::spawn(watch_models(directory.clone(), live_settings.clone(), shutdown.clone()));
    if directory.telemetry.is_enabled() {
        tokio::spawn(sample_periodically(directory, live_settings, shutdown));
    }
}

async fn sample_periodically(mut directory: ModelDirectory, live_settings: Arc<ArcSwap<Settings>>, shutdown: CancellationToken) {
    let period = Duration::from_secs(directory.telemetry.config().interval_seconds);
    let Ok(mut collector) = tokio::task::spawn_blocking(SystemCollector::new).await else {
        tracing::error!("the system collector failed to start; no samples are taken");
        return;
    };
    let mut interval = tokio::time::interval_at(Instant::now() + period, period);
    interval.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut breakers = BreakerStates::default();

    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = interval.tick() => {}
        }
        directory.settings = live_settings.load_full();

        let pids: Vec<u32> = directory.pool.status().all().values().filter_map(|status| status.pid).collect();
        let collected = tokio::task::spawn_blocking(move || {
            let collected = collector.collect(&pids);
            (collector, collected)
        })
        .await;
        let Ok((returned, collected)) = collected else {
            tracing::error!("the system collector panicked; no more samples are taken");
            return;
        };
        collector = returned;
        publish_sample(&directory, collected, &mut breakers);
    }
}

/// Records one sample: history, alerts, breaker changes, the scrape figures and the live feed.
fn publish_sample(directory: &ModelDirectory, collected: Collected, breakers: &mut BreakerStates) {
    let telemetry = &directory.telemetry;
    let now = Instant::now();
    let ts = unix_millis();
    let mut system = collected.system;
    system.ts = ts;

    let statuses = directory.pool.status().all();
    let request_figures: BTreeMap<Arc<str>, RequestFigures> = telemetry
        .request_log()
        .models()
        .iter()
        .map(|(model, stats)| (model.clone(), (stats.recent_counts(now), stats.last_generation_tokens_per_second)))
        .collect();
    let mut models = BTreeMap::new();
    for id in directory.settings.models.keys() {
        let status = statuses.get(id);
        let pid = status.and_then(|status| status.pid);
        let usage = pid.and_then(|pid| collected.processes.get(&pid));
        let activity = directory.pool.activity().get(id);
        models.insert(
            id.clone(),
            ModelSample {
                ts,
                state: status.map_or("stopped", |status| status.state),
                pid,
                cpu_percent: usage.map(|usage| usage.cpu_percent),
                rss: usage.map(|usage| usage.rss),
                gpu_memory: pid.and_then(|pid| collected.gpu_memory_by_pid.get(&pid).copied()),
                in_flight: activity.in_flight(),
                queued: activity.queued(),
                generation_tokens_per_second: request_figures.get(id).and_then(|(_, speed)| *speed),
            },
        );
    }
    telemetry.history_mut().push(system.clone(), &models);

    let breaker_states = breakers.update(directory, now);
    let figures = directory.pool.figures().all();
    let inputs: Vec<ModelAlertInput> = directory
        .settings
        .models
        .keys()
        .map(|id| {
            let (recent_requests, recent_errors) = request_figures.get(id).map_or((0, 0), |(counts, _)| *counts);
            let recent_crashes = figures.get(id).map_or(0, |figures| {
                figures
                    .recent_crashes
                    .iter()
                    .filter(|at| now.saturating_duration_since(**at) <= CRASH_WINDOW)
                    .count()
            });
            ModelAlertInput {
                model: id.clone(),
                recent_requests,
                recent_errors,
                breaker_open: breaker_states.get(id).is_some_and(|state| *state == "open"),
                recent_crashes,
            }
        })
        .collect();

    let alert_events = telemetry.alerts_mut().evaluate(&observations(&system, &inputs), now, ts);
    for event in alert_events {
        telemetry.feed().publish_event(&ServerMessage::Alert {
            event: event.event,
            alert: event.alert,
        });
    }

    let active = telemetry.alerts_mut().active();
    let count = |level| active.iter().filter(|alert| alert.level == level).count();
    let active_alerts = [count(AlertLevel::Warning), count(AlertLevel::Critical)];
    telemetry.prometheus().set_scrape_data(|data| {
        data.system = Some(system.clone());
        data.active_alerts = active_alerts;
    });
    telemetry.feed().publish_sample(&ServerMessage::Sample { system, models });
}

/// The breaker state of each model at the previous sample, to notice changes.
#[derive(Default)]
struct BreakerStates {
    seen: BTreeMap<Arc<str>, (&'static str, u64)>,
}

impl BreakerStates {
    /// Reads every breaker, sends a `breaker` message for each state that changed since the
    /// last sample, and returns the states.
    // NOTE: breakers are read once per sample, so a change undone within one interval (OPEN to
    // HALF_OPEN to CLOSED) shows as the net change only. The transition counter is exact.
    fn update(&mut self, directory: &ModelDirectory, now: Instant) -> BTreeMap<Arc<str>, &'static str> {
        let mut states = BTreeMap::new();
        for (model, stats) in directory.pool.breakers().snapshot(now) {
            let state = stats.state.as_str();
            states.insert(model.clone(), state);
            let previous = self.seen.insert(model.clone(), (state, stats.transitions));
            let from = previous.map_or("closed", |(state, _)| state);
            if from == state {
                continue;
            }
            let reason = match state {
                "open" => stats.last_failure_reason.clone().unwrap_or_else(|| "repeated failures".to_owned()),
                "half_open" => "recovery timeout elapsed: probing".to_owned(),
                _ => "probe succeeded or reset".to_owned(),
            };
            directory.telemetry.feed().publish_event(&ServerMessage::Breaker {
                model,
                from,
                to: state,
                reason,
            });
        }
        states
    }
}

/// Sends a `model_state` message for every model status change; after missing changes, sends
/// the state of every model.
async fn watch_models(mut directory: ModelDirectory, live_settings: Arc<ArcSwap<Settings>>, shutdown: CancellationToken) {
    let mut changes = directory.pool.status().subscribe();
    loop {
        let change = tokio::select! {
            _ = shutdown.cancelled() => return,
            change = changes.recv() => change,
        };
        directory.settings = live_settings.load_full();
        match change {
            Ok(change) => {
                if let Some(model) = directory.get(&change.model) {
                    directory.telemetry.feed().publish_event(&ServerMessage::ModelState { model });
                }
            }
            Err(RecvError::Lagged(_)) => {
                for model in directory.all() {
                    directory.telemetry.feed().publish_event(&ServerMessage::ModelState { model });
                }
            }
            Err(RecvError::Closed) => return,
        }
    }
}
