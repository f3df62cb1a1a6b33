//! An incremental decoder of server-sent events (the HTML Living Standard's `text/event-stream`),
//! fed with body chunks as they arrive from llama-server.

/// Longest line kept, in bytes. A longer line is decoded at that length, so that a stream without
/// line breaks cannot fill the memory.
const MAX_LINE_BYTES: usize = 16 * 1024 * 1024;

/// Splits a byte stream into the `data` of each event. Only complete lines are decoded, so a UTF-8
/// character or a line split across chunks is handled; nothing beyond the current line is buffered.
#[derive(Debug, Default)]
pub struct SseDecoder {
    line: Vec<u8>,
    data: Option<String>,
}

impl SseDecoder {
    /// Feeds one chunk and returns the data of every event it completes, in order.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<String> {
        let mut events = Vec::new();
        for &byte in chunk {
            if byte == b'\n' || self.line.len() >= MAX_LINE_BYTES {
                let mut line = std::mem::take(&mut self.line);
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                self.take_line(&line, &mut events);
            }
            if byte != b'\n' {
                self.line.push(byte);
            }
        }
        events
    }

    /// Ends the stream: an event whose blank line never came is still returned.
    pub fn finish(&mut self) -> Vec<String> {
        let mut events = Vec::new();
        if !self.line.is_empty() {
            let line = std::mem::take(&mut self.line);
            self.take_line(&line, &mut events);
        }
        events.extend(self.data.take());
        events
    }

    fn take_line(&mut self, line: &[u8], events: &mut Vec<String>) {
        if line.is_empty() {
            events.extend(self.data.take());
            return;
        }

        let text = String::from_utf8_lossy(line);
        let (field, value) = match text.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (text.as_ref(), ""),
        };
        // Comments (an empty field name) and the `event`, `id` and `retry` fields carry nothing
        // that llama-server uses.
        if field != "data" {
            return;
        }

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
    fn line_without_breaks_is_cut_at_the_limit() {
        let mut decoder = SseDecoder::default();
        let mut chunk = b"data: ".to_vec();
        chunk.resize(MAX_LINE_BYTES + 10, b'x');
        assert!(decoder.push(&chunk).is_empty());
        assert!(decoder.line.len() <= MAX_LINE_BYTES);
        let events = decoder.push(b"\n\n");
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].len(), MAX_LINE_BYTES - "data: ".len());
    }

    #[test]
    fn events_split_at_blank_lines() {
        let mut decoder = SseDecoder::default();
        let events = decoder.push(b"data: {\"a\":1}\n\ndata: [DONE]\n\n");
        assert_eq!(events, ["{\"a\":1}", "[DONE]"]);
    }

    #[test]
    fn event_split_across_chunks_waits_for_its_end() {
        let mut decoder = SseDecoder::default();
        assert!(decoder.push(b"da").is_empty());
        assert!(decoder.push(b"ta: {\"text\":\"h\xc3").is_empty());
        assert!(decoder.push(b"\xa9\"}\r\n").is_empty());
        assert_eq!(decoder.push(b"\r\n"), ["{\"text\":\"h\u{e9}\"}"]);
    }

    #[test]
    fn multiple_data_lines_join_with_newline() {
        let mut decoder = SseDecoder::default();
        assert_eq!(decoder.push(b"data: a\ndata:b\n\n"), ["a\nb"]);
    }

    #[test]
    fn comments_and_other_fields_are_skipped() {
        let mut decoder = SseDecoder::default();
        assert_eq!(decoder.push(b": keep-alive\nevent: x\nid: 3\ndata: y\n\n"), ["y"]);
        assert!(decoder.push(b": only a comment\n\n").is_empty());
    }

    #[test]
    fn unterminated_last_event_is_returned_at_finish() {
        let mut decoder = SseDecoder::default();
        assert!(decoder.push(b"data: tail").is_empty());
        assert_eq!(decoder.finish(), ["tail"]);
        assert!(decoder.finish().is_empty());
    }
}
