//! The swap scheduler: a pure state machine that decides which model processes run, within a
//! process count and, optionally, a memory budget per device.
//!
//! The driver feeds it [`Input`]s together with the current time and carries out the returned
//! [`Action`]s. The scheduler spawns no tasks, does no I/O and never reads the clock itself, so
//! tests and the driver can run it under paused time.

mod action;
mod eviction_plan;
mod input;
mod management;
mod memory;
mod model_entry;
mod model_state;
mod process_events;
mod pump;
mod request_entry;
mod requests;
mod state_machine;
mod ttl;

#[cfg(test)]
mod tests;

use std::sync::Arc;

pub use action::{Action, StopReason};
pub use input::Input;
pub use model_state::ModelState;
pub use state_machine::Scheduler;

/// Caller-chosen id of one client request, unique while the request is tracked.
pub type RequestId = u64;

/// API id of a model, such as `qwen3:8b` or `org/model-GGUF`.
pub type ModelId = Arc<str>;

/// Reason sent with every request rejected because the service is shutting down.
pub const SHUTDOWN_REASON: &str = "llama-runner is shutting down";
