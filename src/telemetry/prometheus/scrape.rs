//! Figures read at scrape time: model states and counters from the pool, breaker states and the
//! latest system sample.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;

use crate::telemetry::system::{ProcessUsage, SystemSample};

/// Every state a model can be in, each exposed as its own series.
pub const MODEL_STATES: [&str; 6] = ["stopped", "starting", "ready", "draining", "stopping", "failed"];

/// Every state of a circuit breaker.
pub const BREAKER_STATES: [&str; 3] = ["closed", "open", "half_open"];

/// One model's figures at scrape time.
#[derive(Debug, Clone, Default)]
pub struct ModelRow {
    pub model: String,
    pub state: &'static str,
    pub starts: u64,
    pub loads: u64,
    pub crashes: u64,
    pub stops: BTreeMap<&'static str, u64>,
    pub last_load_seconds: Option<f64>,
    pub in_flight: usize,
    pub queued: usize,
    pub last_generation_tokens_per_second: Option<f64>,
    pub process: Option<ProcessUsage>,
    pub gpu_memory: Option<u64>,
}

/// One model's circuit breaker at scrape time.
#[derive(Debug, Clone, Default)]
pub struct BreakerRow {
    pub model: String,
    pub state: &'static str,
    pub transitions: u64,
}

/// The figures the collector exposes on the next scrape.
#[derive(Debug, Clone, Default)]
pub struct ScrapeData {
    pub models: Vec<ModelRow>,
    pub breakers: Vec<BreakerRow>,
    pub system: Option<SystemSample>,
    /// Active alerts by level: warning, critical.
    pub active_alerts: [usize; 2],
}

#[derive(Debug)]
pub(super) struct ScrapeCollector {
    data: Arc<Mutex<ScrapeData>>,
}

impl ScrapeCollector {
    pub(super) fn new(data: Arc<Mutex<ScrapeData>>) -> Self {
        Self { data }
    }
}

pub(super) type Labels = Vec<(&'static str, String)>;

pub(super) fn gauges(encoder: &mut DescriptorEncoder, name: &str, help: &str, rows: Vec<(Labels, f64)>) -> fmt::Result {
    let mut metric = encoder.encode_descriptor(name, help, None, MetricType::Gauge)?;
    for (labels, value) in rows {
        ConstGauge::new(value).encode(metric.encode_family(&labels)?)?;
    }
    Ok(())
}

fn counters(encoder: &mut DescriptorEncoder, name: &str, help: &str, rows: Vec<(Labels, u64)>) -> fmt::Result {
    let mut metric = encoder.encode_descriptor(name, help, None, MetricType::Counter)?;
    for (labels, value) in rows {
        ConstCounter::new(value).encode(metric.encode_family(&labels)?)?;
    }
    Ok(())
}

pub(super) fn scalar(encoder: &mut DescriptorEncoder, name: &str, help: &str, value: f64) -> fmt::Result {
    ConstGauge::new(value).encode(encoder.encode_descriptor(name, help, None, MetricType::Gauge)?)
}

fn model(row: &ModelRow) -> Labels {
    vec![("model", row.model.clone())]
}

impl Collector for ScrapeCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> fmt::Result {
        let data = self.data.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        encode_models(&mut encoder, &data.models)?;
        encode_breakers(&mut encoder, &data.breakers)?;
        gauges(
            &mut encoder,
            "alerts_active",
            "Active alerts by level",
            vec![
                (vec![("level", "warning".to_owned())], data.active_alerts[0] as f64),
                (vec![("level", "critical".to_owned())], data.active_alerts[1] as f64),
            ],
        )?;
        if let Some(system) = &data.system {
            super::system_gauges::encode_system(&mut encoder, system)?;
        }
        Ok(())
    }
}

fn encode_models(encoder: &mut DescriptorEncoder, models: &[ModelRow]) -> fmt::Result {
    let states = models
        .iter()
        .flat_map(|row| {
            MODEL_STATES.iter().map(|state| {
                let mut labels = model(row);
                labels.push(("state", (*state).to_owned()));
                (labels, f64::from(u8::from(row.state == *state)))
            })
        })
        .collect();
    gauges(encoder, "model_state", "1 for the state each model is in, 0 for the others", states)?;

    let rows = |value: fn(&ModelRow) -> u64| models.iter().map(|row| (model(row), value(row))).collect::<Vec<_>>();
    counters(encoder, "model_starts", "Model processes launched, failed loads included", rows(|row| row.starts))?;
    counters(encoder, "model_loads", "Model processes that became healthy", rows(|row| row.loads))?;
    counters(encoder, "model_crashes", "Model processes that exited while ready without being asked to", rows(|row| row.crashes))?;

    let stops = models
        .iter()
        .flat_map(|row| {
            row.stops.iter().map(|(reason, count)| {
                let mut labels = model(row);
                labels.push(("reason", (*reason).to_owned()));
                (labels, *count)
            })
        })
        .collect();
    counters(
        encoder,
        "model_stops",
        "Model processes that ended, by reason: ttl, swap, unload, shutdown, crash, start_failed, cancelled or unknown",
        stops,
    )?;

    let optional = |value: fn(&ModelRow) -> Option<f64>| {
        models
            .iter()
            .filter_map(|row| value(row).map(|value| (model(row), value)))
            .collect::<Vec<_>>()
    };
    gauges(encoder, "model_last_load_seconds", "Time the last healthy process of each model took to load", optional(|row| row.last_load_seconds))?;
    gauges(encoder, "model_requests_in_flight", "Requests each model is serving", models.iter().map(|row| (model(row), row.in_flight as f64)).collect())?;
    gauges(encoder, "model_requests_queued", "Requests waiting for each model", models.iter().map(|row| (model(row), row.queued as f64)).collect())?;
    gauges(
        encoder,
        "model_generation_tokens_per_second",
        "Generation speed of each model's latest request that reported timings",
        optional(|row| row.last_generation_tokens_per_second),
    )?;
    gauges(
        encoder,
        "model_process_cpu_usage_percent",
        "CPU use of each model's process, in percent of one core",
        optional(|row| row.process.map(|usage| usage.cpu_percent)),
    )?;
    gauges(
        encoder,
        "model_process_resident_memory_bytes",
        "Resident memory of each model's process",
        optional(|row| row.process.map(|usage| usage.rss as f64)),
    )?;
    gauges(
        encoder,
        "model_process_gpu_memory_bytes",
        "GPU memory held by each model's process, where NVML reports it",
        optional(|row| row.gpu_memory.map(|bytes| bytes as f64)),
    )
}

fn encode_breakers(encoder: &mut DescriptorEncoder, breakers: &[BreakerRow]) -> fmt::Result {
    let states = breakers
        .iter()
        .flat_map(|row| {
            BREAKER_STATES.iter().map(|state| {
                let labels = vec![("model", row.model.clone()), ("state", (*state).to_owned())];
                (labels, f64::from(u8::from(row.state == *state)))
            })
        })
        .collect();
    gauges(encoder, "breaker_state", "1 for the state each model's circuit breaker is in, 0 for the others", states)?;
    let transitions = breakers.iter().map(|row| (vec![("model", row.model.clone())], row.transitions)).collect();
    counters(encoder, "breaker_transitions", "State changes of each model's circuit breaker", transitions)
}
