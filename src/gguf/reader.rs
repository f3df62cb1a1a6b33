//! A little-endian reader that knows how many bytes are left, so every length read from the file
//! is checked against the file size before anything is allocated or skipped.

use std::io::{self, Read, Seek, SeekFrom};

use super::error::GgufError;

/// Skips up to this many bytes by reading and discarding them, which keeps a `BufReader`'s buffer.
/// Longer skips seek instead.
const READ_SKIP_MAX_BYTES: u64 = 64 * 1024;

pub(super) struct BoundedReader<R> {
    inner: R,
    /// Bytes consumed since the reader was created.
    offset: u64,
    /// Bytes between the starting position and the end of the stream.
    len: u64,
}

impl<R: Read + Seek> BoundedReader<R> {
    /// Wraps `inner` at its current position and measures the bytes that follow it.
    pub(super) fn new(mut inner: R) -> Result<Self, GgufError> {
        let start = inner.stream_position().map_err(|error| read_error(0, &error))?;
        let end = inner.seek(SeekFrom::End(0)).map_err(|error| read_error(0, &error))?;
        inner
            .seek(SeekFrom::Start(start))
            .map_err(|error| read_error(0, &error))?;

        Ok(BoundedReader {
            inner,
            offset: 0,
            len: end.saturating_sub(start),
        })
    }

    pub(super) fn offset(&self) -> u64 {
        self.offset
    }

    pub(super) fn remaining(&self) -> u64 {
        self.len.saturating_sub(self.offset)
    }

    /// Fails with `Truncated` unless `needed` more bytes exist.
    pub(super) fn ensure(&self, needed: u64, field: &'static str) -> Result<(), GgufError> {
        let remaining = self.remaining();
        if needed > remaining {
            return Err(GgufError::Truncated {
                field,
                offset: self.offset,
                needed,
                remaining,
            });
        }
        Ok(())
    }

    pub(super) fn bytes<const N: usize>(&mut self, field: &'static str) -> Result<[u8; N], GgufError> {
        self.ensure(N as u64, field)?;

        let mut buffer = [0u8; N];
        self.inner
            .read_exact(&mut buffer)
            .map_err(|error| read_error(self.offset, &error))?;
        self.offset += N as u64;
        Ok(buffer)
    }

    pub(super) fn u8(&mut self, field: &'static str) -> Result<u8, GgufError> {
        Ok(self.bytes::<1>(field)?[0])
    }

    pub(super) fn u16(&mut self, field: &'static str) -> Result<u16, GgufError> {
        Ok(u16::from_le_bytes(self.bytes(field)?))
    }

    pub(super) fn u32(&mut self, field: &'static str) -> Result<u32, GgufError> {
        Ok(u32::from_le_bytes(self.bytes(field)?))
    }

    pub(super) fn u64(&mut self, field: &'static str) -> Result<u64, GgufError> {
        Ok(u64::from_le_bytes(self.bytes(field)?))
    }

    /// Reads a GGUF string: a u64 byte length, then that many bytes of UTF-8. Invalid UTF-8 is
    /// replaced with U+FFFD rather than rejected, so one odd description does not hide a model.
    pub(super) fn string(&mut self, max_len: u64, field: &'static str) -> Result<String, GgufError> {
        let len = self.string_len(max_len, field)?;

        // `string_len` checked `len` against both `max_len` and the bytes left in the file.
        let mut buffer = vec![0u8; len as usize];
        self.inner
            .read_exact(&mut buffer)
            .map_err(|error| read_error(self.offset, &error))?;
        self.offset += len;

        match String::from_utf8(buffer) {
            Ok(text) => Ok(text),
            Err(error) => Ok(String::from_utf8_lossy(error.as_bytes()).into_owned()),
        }
    }

    /// Skips a GGUF string without holding its bytes.
    pub(super) fn skip_string(&mut self, max_len: u64, field: &'static str) -> Result<(), GgufError> {
        let len = self.string_len(max_len, field)?;
        self.skip(len, field)
    }

    fn string_len(&mut self, max_len: u64, field: &'static str) -> Result<u64, GgufError> {
        let offset = self.offset;
        let len = self.u64(field)?;
        if len > max_len {
            return Err(GgufError::LimitExceeded {
                field,
                offset,
                count: len,
                max: max_len,
            });
        }
        self.ensure(len, field)?;
        Ok(len)
    }

    /// Moves past `len` bytes without reading them into memory.
    pub(super) fn skip(&mut self, len: u64, field: &'static str) -> Result<(), GgufError> {
        self.ensure(len, field)?;

        if len <= READ_SKIP_MAX_BYTES {
            let copied = io::copy(&mut (&mut self.inner).take(len), &mut io::sink())
                .map_err(|error| read_error(self.offset, &error))?;
            if copied != len {
                return Err(GgufError::Read {
                    offset: self.offset + copied,
                    message: "stream ended before its measured length".to_string(),
                });
            }
        } else {
            let distance = i64::try_from(len).map_err(|_| GgufError::Truncated {
                field,
                offset: self.offset,
                needed: len,
                remaining: self.remaining(),
            })?;
            self.inner
                .seek(SeekFrom::Current(distance))
                .map_err(|error| read_error(self.offset, &error))?;
        }

        self.offset += len;
        Ok(())
    }
}

fn read_error(offset: u64, error: &io::Error) -> GgufError {
    GgufError::Read {
        offset,
        message: error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;

    #[test]
    fn string_longer_than_file_is_truncated_error() {
        let mut bytes = 100u64.to_le_bytes().to_vec();
        bytes.extend_from_slice(b"short");
        let mut reader = BoundedReader::new(Cursor::new(bytes)).unwrap();

        let error = reader.string(1 << 20, "string").unwrap_err();

        assert!(
            matches!(
                error,
                GgufError::Truncated {
                    needed: 100,
                    remaining: 5,
                    ..
                }
            ),
            "{error:?}"
        );
    }

    #[test]
    fn string_over_limit_is_rejected_before_reading() {
        let bytes = u64::MAX.to_le_bytes().to_vec();
        let mut reader = BoundedReader::new(Cursor::new(bytes)).unwrap();

        let error = reader.string(16, "string").unwrap_err();

        assert!(
            matches!(
                error,
                GgufError::LimitExceeded {
                    count: u64::MAX,
                    max: 16,
                    ..
                }
            ),
            "{error:?}"
        );
    }

    #[test]
    fn invalid_utf8_is_replaced() {
        let mut bytes = 3u64.to_le_bytes().to_vec();
        bytes.extend_from_slice(&[b'a', 0xff, b'b']);
        let mut reader = BoundedReader::new(Cursor::new(bytes)).unwrap();

        assert_eq!(reader.string(16, "string").unwrap(), "a\u{fffd}b");
    }

    #[test]
    fn skip_short_and_long_distances() {
        let total = READ_SKIP_MAX_BYTES * 3;
        let mut bytes = vec![0u8; total as usize];
        bytes.push(7);
        let mut reader = BoundedReader::new(Cursor::new(bytes)).unwrap();

        reader.skip(10, "padding").unwrap();
        reader.skip(total - 10, "padding").unwrap();

        assert_eq!(reader.offset(), total);
        assert_eq!(reader.u8("marker").unwrap(), 7);
        assert!(reader.skip(1, "padding").is_err());
    }

    #[test]
    fn length_counts_from_the_starting_position() {
        let mut cursor = Cursor::new(vec![1u8, 2, 3, 4]);
        cursor.set_position(3);
        let mut reader = BoundedReader::new(cursor).unwrap();

        assert_eq!(reader.remaining(), 1);
        assert_eq!(reader.u8("byte").unwrap(), 4);
        assert!(reader.u8("byte").is_err());
    }
}
