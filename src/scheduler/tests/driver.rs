//! A simulated driver that carries out the scheduler's actions and checks each one against its
//! contract: the process limit, the memory budget on every device, admits only to ready
//! processes, no stop that cuts a request in flight except at shutdown, and one outcome per
//! request.

use std::collections::HashMap;

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Phase {
    Starting,
    Ready,
    Stopping,
}

/// The driver's record of one process, with an instance number that is new for every start.
pub(super) struct Process {
    pub(super) phase: Phase,
    pub(super) instance: u64,
    /// The footprint the model had when its process started.
    pub(super) footprint: Footprint,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Outcome {
    Pending,
    Admitted { instance: u64, done: bool },
    Rejected,
    Cancelled,
}

/// The driver side: carries out actions and checks each one against the scheduler's contract.
pub(super) struct Driver {
    pub(super) harness: Harness,
    pub(super) seconds: u64,
    pub(super) processes: HashMap<ModelId, Process>,
    pub(super) requests: HashMap<RequestId, (ModelId, Outcome)>,
    pub(super) next_request: RequestId,
    pub(super) next_instance: u64,
    /// Actions seen so far by kind, such as `admit` or `stop:swap`, to show what a run covered.
    pub(super) action_counts: HashMap<String, usize>,
}

impl Driver {
    pub(super) fn new(max_running: usize) -> Self {
        Driver::with_budget(max_running, None)
    }

    pub(super) fn with_budget(max_running: usize, budget: Option<MemoryBudget>) -> Self {
        Driver {
            harness: Harness::with_budget(max_running, budget),
            seconds: 0,
            processes: HashMap::new(),
            requests: HashMap::new(),
            next_request: 1,
            next_instance: 0,
            action_counts: HashMap::new(),
        }
    }

    pub(super) fn send(&mut self, input: Input) {
        let actions = self.harness.send(self.seconds, input.clone());
        for action in actions {
            self.apply(&input, action);
        }

        let scheduler = &self.harness.scheduler;
        let running = scheduler.running_models();
        assert!(
            running.len() <= scheduler.max_running(),
            "too many processes after {input:?}"
        );
        assert_eq!(
            running.len(),
            self.processes.len(),
            "process count differs after {input:?}"
        );
        for model in &running {
            assert!(
                self.processes.contains_key(model),
                "{model} runs only in the scheduler"
            );
        }
        self.check_budget(&input);
    }

    /// Checks that the footprints of all processes, stopping ones included, fit the budget on
    /// every device.
    fn check_budget(&self, input: &Input) {
        let Some(budget) = self.harness.scheduler.memory_budget() else {
            return;
        };
        let mut used = Footprint::new();
        for process in self.processes.values() {
            used.add_all(&process.footprint);
        }
        for (device, limit) in budget.limits() {
            assert!(
                used.bytes(device) <= limit,
                "{device} holds {} bytes, over the budget of {limit}, after {input:?}",
                used.bytes(device)
            );
        }
        assert_eq!(used, self.harness.scheduler.memory_in_use(), "memory in use differs after {input:?}");
    }

    fn apply(&mut self, input: &Input, action: Action) {
        let kind = match &action {
            Action::StartProcess { .. } => "start".to_owned(),
            Action::StopProcess { reason, .. } => format!("stop:{reason}"),
            Action::Admit { .. } => "admit".to_owned(),
            Action::Reject { .. } => "reject".to_owned(),
        };
        *self.action_counts.entry(kind).or_default() += 1;

        match action {
            Action::StartProcess { model } => {
                assert!(
                    !self.processes.contains_key(&model),
                    "second start of {model}"
                );
                self.next_instance += 1;
                let footprint = self.harness.scheduler.footprint(&model).cloned().unwrap_or_default();
                let process = Process {
                    phase: Phase::Starting,
                    instance: self.next_instance,
                    footprint,
                };
                self.processes.insert(model, process);
                let max_running = self.harness.scheduler.max_running();
                assert!(
                    self.processes.len() <= max_running,
                    "start past the limit on {input:?}"
                );
            }
            Action::StopProcess { model, reason } => {
                let Some(process) = self.processes.get_mut(&model) else {
                    panic!("stop of {model} without a process");
                };
                assert_ne!(process.phase, Phase::Stopping, "second stop of {model}");
                if reason != StopReason::Shutdown {
                    assert_eq!(
                        process.phase,
                        Phase::Ready,
                        "{reason} stop of {model} before ready"
                    );
                    let instance = process.instance;
                    let cut = self.requests.values().any(|(owner, outcome)| {
                        *owner == model
                            && *outcome
                                == Outcome::Admitted {
                                    instance,
                                    done: false,
                                }
                    });
                    assert!(!cut, "{reason} stop of {model} cuts a request in flight");
                }
                process.phase = Phase::Stopping;
            }
            Action::Admit { request, model } => {
                let process = self.processes.get(&model);
                assert_eq!(process.map(|process| process.phase), Some(Phase::Ready));
                let instance = process.map_or(0, |process| process.instance);
                self.resolve(
                    request,
                    &model,
                    Outcome::Admitted {
                        instance,
                        done: false,
                    },
                );
            }
            Action::Reject { request, model, .. } => {
                self.resolve(request, &model, Outcome::Rejected);
            }
        }
    }

    /// Records the single Admit or Reject that a pending request may receive.
    fn resolve(&mut self, request: RequestId, model: &ModelId, outcome: Outcome) {
        let Some((owner, current)) = self.requests.get_mut(&request) else {
            panic!("{outcome:?} for unknown request {request}");
        };
        assert_eq!(owner, model, "request {request} resolved for another model");
        assert_eq!(
            *current,
            Outcome::Pending,
            "second outcome for request {request}"
        );
        *current = outcome;
    }

    pub(super) fn models_in(&self, phase: Phase) -> Vec<ModelId> {
        let mut models: Vec<ModelId> = self
            .processes
            .iter()
            .filter(|(_, process)| process.phase == phase)
            .map(|(model, _)| model.clone())
            .collect();
        models.sort();
        models
    }

    pub(super) fn requests_where(&self, wanted: impl Fn(Outcome) -> bool) -> Vec<RequestId> {
        let mut ids: Vec<RequestId> = self
            .requests
            .iter()
            .filter(|(_, (_, outcome))| wanted(*outcome))
            .map(|(id, _)| *id)
            .collect();
        ids.sort();
        ids
    }

    pub(super) fn arrive(&mut self, name: &str) {
        let request = self.next_request;
        self.next_request += 1;
        self.requests
            .insert(request, (model(name), Outcome::Pending));
        self.send(arrive(request, name));
    }

    pub(super) fn finish(&mut self, request: RequestId) {
        if let Some((_, Outcome::Admitted { done, .. })) = self.requests.get_mut(&request) {
            *done = true;
        }
        self.send(finish(request));
    }

    pub(super) fn cancel(&mut self, request: RequestId) {
        if let Some((_, outcome)) = self.requests.get_mut(&request) {
            match outcome {
                Outcome::Pending => *outcome = Outcome::Cancelled,
                Outcome::Admitted { done, .. } => *done = true,
                Outcome::Rejected | Outcome::Cancelled => {}
            }
        }
        self.send(cancel(request));
    }

    pub(super) fn report_ready(&mut self, model: ModelId) {
        if let Some(process) = self.processes.get_mut(&model) {
            process.phase = Phase::Ready;
        }
        self.send(Input::ProcessReady { model });
    }

    pub(super) fn process_ended(&mut self, model: ModelId, input: Input) {
        self.processes.remove(&model);
        self.send(input);
    }

    /// Lets every process and request complete until no request is pending.
    pub(super) fn run_to_quiet(&mut self) {
        for _ in 0..1_000 {
            if self.requests_where(|o| o == Outcome::Pending).is_empty() {
                return;
            }
            self.seconds += 1;

            for model in self.models_in(Phase::Starting) {
                self.report_ready(model);
            }
            for request in
                self.requests_where(|o| matches!(o, Outcome::Admitted { done: false, .. }))
            {
                self.finish(request);
            }
            for model in self.models_in(Phase::Stopping) {
                self.process_ended(model.clone(), Input::ProcessStopped { model });
            }
        }
        panic!(
            "requests still pending: {:?}",
            self.requests_where(|o| o == Outcome::Pending)
        );
    }
}
