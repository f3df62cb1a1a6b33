use std::collections::VecDeque;
use std::sync::Mutex;

/// The most recent lines a model process wrote to stdout and stderr.
#[derive(Debug)]
pub struct LogBuffer {
    capacity: usize,
    lines: Mutex<VecDeque<String>>,
}

impl LogBuffer {
    /// Lines kept per model process.
    pub const DEFAULT_CAPACITY: usize = 1000;

    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            lines: Mutex::new(VecDeque::with_capacity(capacity.min(64))),
        }
    }

    pub fn push(&self, line: String) {
        let mut lines = self.lines.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if lines.len() == self.capacity {
            lines.pop_front();
        }
        lines.push_back(line);
    }

    /// Returns up to `count` of the newest lines, oldest first.
    pub fn tail(&self, count: usize) -> Vec<String> {
        let lines = self.lines.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let skip = lines.len().saturating_sub(count);
        lines.iter().skip(skip).cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oldest_lines_are_dropped_at_capacity() {
        let buffer = LogBuffer::new(3);
        for index in 0..5 {
            buffer.push(format!("line {index}"));
        }
        assert_eq!(buffer.tail(10), ["line 2", "line 3", "line 4"]);
    }

    #[test]
    fn tail_returns_newest_in_order() {
        let buffer = LogBuffer::new(10);
        for index in 0..4 {
            buffer.push(format!("line {index}"));
        }
        assert_eq!(buffer.tail(2), ["line 2", "line 3"]);
    }
}
