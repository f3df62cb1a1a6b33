use serde::Serialize;

/// What a reload did, as the management API returns it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum ReloadOutcome {
    /// The new config is in force.
    Applied {
        added: Vec<String>,
        removed: Vec<String>,
        restarted: Vec<String>,
        /// Changed settings that need a restart of llama-runner to take effect.
        needs_restart: Vec<String>,
    },
    /// The file did not change anything that matters.
    Unchanged,
    /// The new config is invalid; the running one stays.
    Rejected { problems: Vec<String> },
}
