use std::collections::VecDeque;
use std::sync::Mutex;

/// The most recent lines a model process wrote to stdout and stderr.
#[derive(Debug)]
pub struct LogBuffer {
    capacity: usize,
    lines: Mutex<Lines>,
}

#[derive(Debug, Default)]
struct Lines {
    kept: VecDeque<String>,
    /// Lines pushed since the buffer was created, dropped ones included.
    pushed: u64,
}

impl LogBuffer {
    /// Lines kept per model process.
    pub const DEFAULT_CAPACITY: usize = 1000;

    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            lines: Mutex::new(Lines {
                kept: VecDeque::with_capacity(capacity.min(64)),
                pushed: 0,
            }),
        }
    }

    pub fn push(&self, line: String) {
        let mut lines = self.lines.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if lines.kept.len() == self.capacity {
            lines.kept.pop_front();
        }
        lines.kept.push_back(line);
        lines.pushed += 1;
    }

    /// Returns up to `count` of the newest lines, oldest first.
    pub fn tail(&self, count: usize) -> Vec<String> {
        let lines = self.lines.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let skip = lines.kept.len().saturating_sub(count);
        lines.kept.iter().skip(skip).cloned().collect()
    }

    /// Returns the kept lines pushed after the first `seen` lines, at most `limit` of them
    /// starting with the oldest, and the count to pass as `seen` next time. Lines already
    /// dropped at capacity are skipped.
    pub fn lines_after(&self, seen: u64, limit: usize) -> (Vec<String>, u64) {
        let lines = self.lines.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let first_kept = lines.pushed - lines.kept.len() as u64;
        let skip = seen.saturating_sub(first_kept).min(lines.kept.len() as u64) as usize;
        let new: Vec<String> = lines.kept.iter().skip(skip).take(limit).cloned().collect();
        let next = first_kept + (skip + new.len()) as u64;
        (new, next)
    }

    /// Returns the number of lines pushed so far, dropped ones included.
    pub fn pushed(&self) -> u64 {
        self.lines.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).pushed
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
    fn lines_after_returns_only_new_lines() {
        let buffer = LogBuffer::new(3);
        buffer.push("a".to_owned());
        let (first, seen) = buffer.lines_after(0, 10);
        assert_eq!(first, ["a"]);
        assert_eq!(seen, 1);

        for line in ["b", "c", "d", "e"] {
            buffer.push(line.to_owned());
        }
        let (next, seen) = buffer.lines_after(seen, 10);
        assert_eq!(next, ["c", "d", "e"], "b was dropped at capacity");
        assert_eq!(seen, 5);
        assert!(buffer.lines_after(seen, 10).0.is_empty());
    }

    #[test]
    fn lines_after_respects_the_limit() {
        let buffer = LogBuffer::new(10);
        for index in 0..5 {
            buffer.push(format!("line {index}"));
        }
        let (lines, seen) = buffer.lines_after(0, 2);
        assert_eq!(lines, ["line 0", "line 1"]);
        assert_eq!(buffer.lines_after(seen, 10).0, ["line 2", "line 3", "line 4"]);
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
