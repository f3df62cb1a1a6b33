use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::supervisor::ModelProcess;

/// What the driver holds for a model whose process exists.
pub(crate) enum Slot {
    Starting { cancel: CancellationToken },
    Running(Arc<ModelProcess>),
    Stopping { pid: Option<u32> },
}
