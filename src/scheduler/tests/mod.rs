//! Scheduler tests. Time is a fixed base instant plus whole seconds, so nothing sleeps.

mod admission;
mod driver;
mod failures;
mod memory;
mod placement_benchmark;
mod property;
mod swap;
mod ttl;
mod unload_and_shutdown;

use std::time::Duration;

use tokio::time::Instant;

use super::{Action, Input, ModelId, RequestId, Scheduler, StopReason};
use crate::placement::{Device, Footprint, MemoryBudget};

/// A scheduler plus the instant that test times count from.
struct Harness {
    scheduler: Scheduler,
    start: Instant,
}

impl Harness {
    fn new(max_running: usize) -> Self {
        Harness {
            scheduler: Scheduler::new(max_running),
            start: Instant::now(),
        }
    }

    /// Creates a scheduler with a budget of `cpu_bytes` on the CPU.
    fn with_cpu_budget(max_running: usize, cpu_bytes: u64) -> Self {
        Harness::with_budget(max_running, Some(MemoryBudget::new([(Device::Cpu, cpu_bytes)])))
    }

    fn with_budget(max_running: usize, budget: Option<MemoryBudget>) -> Self {
        Harness {
            scheduler: Scheduler::with_memory_budget(max_running, budget),
            start: Instant::now(),
        }
    }

    fn at(&self, seconds: u64) -> Instant {
        self.start + Duration::from_secs(seconds)
    }

    /// Sends `input` at `seconds` after the start.
    fn send(&mut self, seconds: u64, input: Input) -> Vec<Action> {
        let now = self.at(seconds);
        self.scheduler.handle(input, now)
    }

    /// Starts `name` for its first request and makes it ready, checking that the request is
    /// admitted.
    fn load(&mut self, seconds: u64, request: RequestId, name: &str) {
        let started = self.send(seconds, arrive(request, name));
        assert_eq!(started, vec![start(name)]);

        let admitted = self.send(seconds, ready(name));
        assert_eq!(admitted, vec![admit(request, name)]);
    }
}

fn model(name: &str) -> ModelId {
    ModelId::from(name)
}

fn arrive(request: RequestId, name: &str) -> Input {
    Input::RequestArrived {
        request,
        model: model(name),
    }
}

fn finish(request: RequestId) -> Input {
    Input::RequestFinished { request }
}

fn cancel(request: RequestId) -> Input {
    Input::RequestCancelled { request }
}

fn ready(name: &str) -> Input {
    Input::ProcessReady { model: model(name) }
}

fn stopped(name: &str) -> Input {
    Input::ProcessStopped { model: model(name) }
}

fn start_failed(name: &str, reason: &str) -> Input {
    Input::ProcessStartFailed {
        model: model(name),
        reason: reason.to_owned(),
    }
}

fn exited(name: &str, reason: &str) -> Input {
    Input::ProcessExited {
        model: model(name),
        reason: reason.to_owned(),
    }
}

fn set_ttl(name: &str, seconds: Option<u64>) -> Input {
    Input::SetTtl {
        model: model(name),
        ttl: seconds.map(Duration::from_secs),
    }
}

/// Sets the model's footprint to `bytes` on the CPU.
fn set_cpu_footprint(name: &str, bytes: u64) -> Input {
    Input::SetFootprint {
        model: model(name),
        footprint: Some(Footprint::on(Device::Cpu, bytes)),
    }
}

fn unload(name: &str) -> Input {
    Input::Unload { model: model(name) }
}

fn start(name: &str) -> Action {
    Action::StartProcess { model: model(name) }
}

fn stop(name: &str, reason: StopReason) -> Action {
    Action::StopProcess {
        model: model(name),
        reason,
    }
}

fn admit(request: RequestId, name: &str) -> Action {
    Action::Admit {
        request,
        model: model(name),
    }
}

fn reject(request: RequestId, name: &str, reason: &str) -> Action {
    Action::Reject {
        request,
        model: model(name),
        reason: reason.to_owned(),
    }
}
