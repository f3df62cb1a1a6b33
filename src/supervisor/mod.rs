//! Model processes: launching llama-server, waiting until it is healthy, capturing its output
//! and stopping it together with everything it started.

mod error;
mod exit_status;
mod free_port;
mod launch;
mod log_buffer;
#[cfg(target_os = "linux")]
mod parent_death;
mod process;
mod readiness;
mod termination;

pub use error::StartError;
pub use free_port::pick_free_port;
pub use launch::launch_command_line;
pub use log_buffer::LogBuffer;
pub use process::{ModelProcess, ProcessExit};
