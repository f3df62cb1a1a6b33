//! Hot reload of the config file: on a file change, SIGHUP or `POST /api/config/reload`, the new
//! file is validated in full and, when valid, applied as a diff; an invalid one is rejected and
//! the running config stays.

mod listener_set;
mod live_router;
mod outcome;
mod plan;
mod reloader;
mod trigger;
mod watcher;

pub use listener_set::ListenerSet;
pub use live_router::LiveRouter;
pub use outcome::ReloadOutcome;
pub use plan::ReloadPlan;
pub use reloader::{ApplySettings, spawn_reloader};
pub use trigger::ReloadTrigger;
pub use watcher::{DEBOUNCE, watch_config_file};
