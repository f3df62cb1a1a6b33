//! Refreshing the figures read at scrape time, then encoding the exposition.

use tokio::time::Instant;

use super::model_info::ModelDirectory;
use super::prometheus::{BreakerRow, ModelRow};
use super::system::ProcessUsage;

impl ModelDirectory {
    /// Returns the Prometheus text exposition with model and breaker figures read now.
    pub fn prometheus_text(&self) -> String {
        let statuses = self.pool.status().all();
        let figures = self.pool.figures().all();
        let history = self.telemetry.history();

        let models = self
            .settings
            .models
            .keys()
            .map(|id| {
                let figures = figures.get(id).cloned().unwrap_or_default();
                let activity = self.pool.activity().get(id);
                let latest = history.models.get(id).and_then(|series| series.last());
                let running = statuses.get(id).and_then(|status| status.pid).is_some();
                ModelRow {
                    model: id.to_string(),
                    state: statuses.get(id).map_or("stopped", |status| status.state),
                    starts: figures.starts,
                    loads: figures.loads,
                    crashes: figures.crashes,
                    stops: figures.stops,
                    last_load_seconds: figures.last_load.map(|load| load.as_secs_f64()),
                    in_flight: activity.in_flight(),
                    queued: activity.queued(),
                    last_generation_tokens_per_second: self.telemetry.model_requests(id).last_generation_tokens_per_second,
                    process: latest.filter(|_| running).and_then(|sample| {
                        Some(ProcessUsage {
                            cpu_percent: sample.cpu_percent?,
                            rss: sample.rss?,
                        })
                    }),
                    gpu_memory: latest.filter(|_| running).and_then(|sample| sample.gpu_memory),
                }
            })
            .collect();

        let breakers = self
            .pool
            .breakers()
            .snapshot(Instant::now())
            .into_iter()
            .map(|(model, stats)| BreakerRow {
                model: model.to_string(),
                state: stats.state.as_str(),
                transitions: stats.transitions,
            })
            .collect();

        let prometheus = self.telemetry.prometheus();
        prometheus.set_scrape_data(|data| {
            data.models = models;
            data.breakers = breakers;
        });
        prometheus.encode()
    }
}
