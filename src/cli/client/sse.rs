//! A decoder of server-sent events that returns each event's data as bytes arrive.

/// Maximum bytes of an incomplete line. A longer line is cut there, so that a stream without
/// line breaks cannot fill the memory.
const MAX_PENDING_BYTES: usize = 1 << 20;

/// Splits a `text/event-stream` body into events. Only `data` fields are kept: several `data`
/// lines of one event are joined with `\n`, and comments (`:`, the server's keep-alives) and
/// other fields are skipped.
#[derive(Debug, Default)]
pub struct EventDecoder {
    pending: Vec<u8>,
    data: Option<String>,
}

impl EventDecoder {
    /// Feeds a chunk and returns the data of every event it completes.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<String> {
        self.pending.extend_from_slice(chunk);
        let mut events = Vec::new();

        while let Some(end) = self.pending.iter().position(|byte| *byte == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=end).collect();
            let line = String::from_utf8_lossy(&line);
            let line = line.trim_end_matches('\n').trim_end_matches('\r');
            self.read_line(line, &mut events);
        }

        if self.pending.len() > MAX_PENDING_BYTES {
            let line = String::from_utf8_lossy(&self.pending).into_owned();
            self.pending.clear();
            self.read_line(&line, &mut events);
        }
        events
    }

    fn read_line(&mut self, line: &str, events: &mut Vec<String>) {
        if line.is_empty() {
            events.extend(self.data.take());
            return;
        }
        if line.starts_with(':') {
            return;
        }

        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        if field != "data" {
            return;
        }
        let value = value.strip_prefix(' ').unwrap_or(value);
        match &mut self.data {
            Some(data) => {
                data.push('\n');
                data.push_str(value);
            }
            None => self.data = Some(value.to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_split_across_chunks() {
        let mut decoder = EventDecoder::default();
        assert!(decoder.push(b"data: first li").is_empty());
        assert_eq!(decoder.push(b"ne\n\ndata: second\r\n\r\n"), ["first line", "second"]);
    }

    #[test]
    fn comments_and_other_fields_are_skipped() {
        let mut decoder = EventDecoder::default();
        let events = decoder.push(b":\n\nevent: log\nid: 3\ndata:a\ndata: b\n\n");
        assert_eq!(events, ["a\nb"]);
    }

    #[test]
    fn empty_data_is_an_empty_line() {
        let mut decoder = EventDecoder::default();
        assert_eq!(decoder.push(b"data:\n\n"), [""]);
    }
}
