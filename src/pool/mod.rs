//! The live set of model processes: a task that feeds the pure [`crate::scheduler::Scheduler`]
//! and carries out its decisions by starting and stopping [`crate::supervisor::ModelProcess`]es.

mod activity;
mod breaker_permit;
mod driver;
mod figures;
mod handle;
mod lease;
mod message;
mod restart_backoff;
mod slot;
mod status;

pub use handle::{AcquireError, ModelPool, PoolTimings};
pub use lease::Lease;
pub use activity::{ActivityBoard, ModelActivity};
pub use figures::{FiguresBoard, ModelFigures};
pub use status::{ModelStatus, StatusBoard, StatusChange};
