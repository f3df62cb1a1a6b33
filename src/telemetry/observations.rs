//! The values the alert rules watch, taken from a system sample and the models' figures.

use std::sync::Arc;

use super::alerts::{Observation, RuleKind};
use super::system::{SystemSample, rates::percent};

/// Requests a model needs in the last minute before its error rate is watched, so that one
/// failure out of two requests does not raise an alert.
pub const MIN_REQUESTS_FOR_ERROR_RATE: u64 = 5;

/// The figures of one model that the alert rules watch.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelAlertInput {
    pub model: Arc<str>,
    /// Requests and errors that finished in the last minute.
    pub recent_requests: u64,
    pub recent_errors: u64,
    pub breaker_open: bool,
    /// Crashes in the last 10 minutes.
    pub recent_crashes: usize,
}

/// Returns every value the rules watch at the time of `system`.
pub fn observations(system: &SystemSample, models: &[ModelAlertInput]) -> Vec<Observation> {
    let mut values = vec![
        Observation::new(RuleKind::CpuPercent, "", system.cpu_percent),
        Observation::new(RuleKind::MemoryPercent, "", percent(system.memory.total.saturating_sub(system.memory.available), system.memory.total)),
    ];

    for disk in system.disks.iter().filter(|disk| disk.total > 0) {
        values.push(Observation::new(RuleKind::DiskPercent, disk.mount.clone(), percent(disk.used, disk.total)));
    }

    for gpu in system.gpus.iter().flatten() {
        let subject = gpu.index.to_string();
        if let Some(memory) = gpu.memory_percent() {
            values.push(Observation::new(RuleKind::GpuMemoryPercent, subject.clone(), memory));
        }
        if let Some(temperature) = gpu.temperature_celsius {
            values.push(Observation::new(RuleKind::GpuTemperature, subject, temperature));
        }
    }

    for model in models {
        let subject = model.model.to_string();
        if model.recent_requests >= MIN_REQUESTS_FOR_ERROR_RATE {
            let rate = percent(model.recent_errors, model.recent_requests);
            values.push(Observation::new(RuleKind::ModelErrorRate, subject.clone(), rate));
        }
        values.push(Observation::new(RuleKind::BreakerOpen, subject.clone(), f64::from(u8::from(model.breaker_open))));
        values.push(Observation::new(RuleKind::ModelCrash, subject, model.recent_crashes as f64));
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::telemetry::system::{DiskSpace, Gpu, Memory};

    fn value(observations: &[Observation], rule: RuleKind, subject: &str) -> Option<f64> {
        observations
            .iter()
            .find(|observation| observation.rule == rule && observation.subject == subject)
            .map(|observation| observation.value)
    }

    #[test]
    fn percentages_come_from_the_sample() {
        let system = SystemSample {
            cpu_percent: 42.0,
            memory: Memory {
                total: 1000,
                used: 600,
                available: 250,
            },
            disks: vec![DiskSpace {
                mount: "/data".to_owned(),
                total: 200,
                used: 150,
            }],
            gpus: Some(vec![Gpu {
                index: 0,
                memory_used: Some(30),
                memory_total: Some(40),
                temperature_celsius: Some(71.0),
                ..Gpu::default()
            }]),
            ..SystemSample::default()
        };

        let observed = observations(&system, &[]);

        assert_eq!(value(&observed, RuleKind::CpuPercent, ""), Some(42.0));
        assert_eq!(value(&observed, RuleKind::MemoryPercent, ""), Some(75.0), "memory not available counts as used");
        assert_eq!(value(&observed, RuleKind::DiskPercent, "/data"), Some(75.0));
        assert_eq!(value(&observed, RuleKind::GpuMemoryPercent, "0"), Some(75.0));
        assert_eq!(value(&observed, RuleKind::GpuTemperature, "0"), Some(71.0));
    }

    #[test]
    fn error_rate_needs_enough_requests() {
        let mut model = ModelAlertInput {
            model: Arc::from("m1"),
            recent_requests: 4,
            recent_errors: 4,
            breaker_open: true,
            recent_crashes: 2,
        };
        let few = observations(&SystemSample::default(), std::slice::from_ref(&model));
        assert_eq!(value(&few, RuleKind::ModelErrorRate, "m1"), None);
        assert_eq!(value(&few, RuleKind::BreakerOpen, "m1"), Some(1.0));
        assert_eq!(value(&few, RuleKind::ModelCrash, "m1"), Some(2.0));

        model.recent_requests = 10;
        let enough = observations(&SystemSample::default(), &[model]);
        assert_eq!(value(&enough, RuleKind::ModelErrorRate, "m1"), Some(40.0));
    }

    #[test]
    fn without_gpu_no_gpu_values() {
        let observed = observations(&SystemSample::default(), &[]);
        assert!(observed.iter().all(|observation| observation.rule != RuleKind::GpuTemperature));
    }
}
