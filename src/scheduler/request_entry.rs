use super::ModelId;

/// A request between its arrival and its finish, cancel or reject.
#[derive(Debug)]
pub(super) struct RequestEntry {
    pub(super) model: ModelId,
    pub(super) phase: RequestPhase,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RequestPhase {
    /// In its model's queue.
    Queued,
    /// Forwarded to the process with this generation.
    Admitted { generation: u64 },
}
