//! Following a model's output: the latest lines, then each new one, across process restarts.

use std::sync::Arc;

use crate::pool::ModelPool;
use crate::supervisor::LogBuffer;

/// Lines sent in one message at most; the rest follow in the next.
pub(crate) const MAX_LINES_PER_READ: usize = 500;

/// The output of one model's latest process, read from where the previous read stopped. A new
/// process (a restart) is followed from its first line.
pub(crate) struct LogFollower {
    pub(crate) model: Arc<str>,
    buffer: Option<Arc<LogBuffer>>,
    seen: u64,
}

impl LogFollower {
    /// Starts following `model` and returns its last `tail` lines.
    pub(crate) fn start(pool: &ModelPool, model: Arc<str>, tail: usize) -> (Self, Vec<String>) {
        let buffer = pool.figures().get(&model).logs;
        let (lines, seen) = match &buffer {
            Some(buffer) => buffer.lines_after(buffer.pushed().saturating_sub(tail as u64), tail),
            None => (Vec::new(), 0),
        };
        (Self { model, buffer, seen }, lines)
    }

    /// Returns the lines written since the last read.
    pub(crate) fn read_new(&mut self, pool: &ModelPool) -> Vec<String> {
        let current = pool.figures().get(&self.model).logs;
        let same = match (&current, &self.buffer) {
            (Some(current), Some(known)) => Arc::ptr_eq(current, known),
            (None, None) => true,
            _ => false,
        };
        if !same {
            self.buffer = current;
            self.seen = 0;
        }

        let Some(buffer) = &self.buffer else {
            return Vec::new();
        };
        let (lines, seen) = buffer.lines_after(self.seen, MAX_LINES_PER_READ);
        self.seen = seen;
        lines
    }
}
