//! Wire framing: a 4-byte big-endian length, then that many bytes.
//!
//! Handshake messages travel in plain frames. After the handshake every frame is an AEAD
//! record (see [`record`](super::record)) whose plaintext starts with a [`RecordHeader`]. The
//! parsing functions here take untrusted bytes and never panic; fuzz targets call
//! [`decode_frame`] and [`RecordHeader::parse`] directly, and [`fuzz_frames`] for the whole
//! receive path.

use std::io::Read;
use std::time::Duration;

use super::error::{ChannelError, Result};

/// Bytes of the length prefix.
pub const LENGTH_PREFIX_LEN: usize = 4;

/// Plaintext header flag: this record starts a message (and carries its total length).
pub(crate) const FLAG_FIRST: u8 = 0x01;
/// Plaintext header flag: this record ends a message.
pub(crate) const FLAG_LAST: u8 = 0x02;

/// Largest record plaintext header: flags and the 8-byte total.
pub(crate) const MAX_RECORD_HEADER_LEN: usize = 1 + 8;

/// Outcome of [`decode_frame`] on a buffer.
#[derive(Debug, PartialEq, Eq)]
pub enum Decoded<'a> {
    /// A complete frame: its payload and the bytes after it.
    Frame {
        /// The frame's payload.
        payload: &'a [u8],
        /// The rest of the input.
        rest: &'a [u8],
    },
    /// More bytes are needed; at least this many in total.
    Incomplete {
        /// Minimum total input length for the next complete frame.
        needed: usize,
    },
}

/// Decodes one length-prefixed frame from the start of `input`, refusing frames longer than
/// `max_len` before looking at their payload. Safe on arbitrary bytes.
pub fn decode_frame(input: &[u8], max_len: u32) -> Result<Decoded<'_>> {
    let Some((prefix, body)) = input.split_first_chunk::<LENGTH_PREFIX_LEN>() else {
        return Ok(Decoded::Incomplete {
            needed: LENGTH_PREFIX_LEN,
        });
    };
    let len = u32::from_be_bytes(*prefix);
    if len > max_len {
        return Err(ChannelError::FrameTooLarge {
            len: u64::from(len),
            max: u64::from(max_len),
        });
    }
    let len = len as usize;
    if body.len() < len {
        return Ok(Decoded::Incomplete {
            needed: LENGTH_PREFIX_LEN + len,
        });
    }
    let (payload, rest) = body.split_at(len);
    Ok(Decoded::Frame { payload, rest })
}

/// Encodes the length prefix of a frame of `len` bytes.
pub(crate) fn length_prefix(len: usize) -> Result<[u8; LENGTH_PREFIX_LEN]> {
    let len = u32::try_from(len).map_err(|_| ChannelError::FrameTooLarge {
        len: len as u64,
        max: u64::from(u32::MAX),
    })?;
    Ok(len.to_be_bytes())
}

/// Reads one frame from `reader` into `buf` (replacing its contents), refusing frames longer
/// than `max_len` before reading them. End of stream is [`ChannelError::Disconnected`].
pub(crate) fn read_frame<R: Read>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    max_len: u32,
    during: &'static str,
    timeout: Duration,
) -> Result<()> {
    let mut prefix = [0u8; LENGTH_PREFIX_LEN];
    reader
        .read_exact(&mut prefix)
        .map_err(|e| ChannelError::from_io(e, during, timeout))?;
    let len = u32::from_be_bytes(prefix);
    if len > max_len {
        return Err(ChannelError::FrameTooLarge {
            len: u64::from(len),
            max: u64::from(max_len),
        });
    }
    // Callers wipe `buf` after using a decrypted record, so only stale ciphertext is here.
    buf.clear();
    buf.resize(len as usize, 0);
    reader
        .read_exact(buf)
        .map_err(|e| ChannelError::from_io(e, during, timeout))
}

/// The header at the start of every record's plaintext.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordHeader {
    /// Total message length, present on the first record of a message.
    pub total: Option<u64>,
    /// Whether this record ends the message.
    pub last: bool,
}

impl RecordHeader {
    /// Parses a header from the start of a record plaintext; returns it and the data after it.
    /// Safe on arbitrary bytes.
    pub fn parse(plaintext: &[u8]) -> Result<(RecordHeader, &[u8])> {
        let (&flags, rest) = plaintext
            .split_first()
            .ok_or(ChannelError::Protocol("empty record"))?;
        if flags & !(FLAG_FIRST | FLAG_LAST) != 0 {
            return Err(ChannelError::Protocol("unknown record flags"));
        }
        let last = flags & FLAG_LAST != 0;
        if flags & FLAG_FIRST == 0 {
            return Ok((RecordHeader { total: None, last }, rest));
        }
        let (total, data) = rest
            .split_first_chunk::<8>()
            .ok_or(ChannelError::Protocol("truncated record header"))?;
        Ok((
            RecordHeader {
                total: Some(u64::from_be_bytes(*total)),
                last,
            },
            data,
        ))
    }

    /// Writes this header into `out` and returns its length.
    pub(crate) fn write(&self, out: &mut [u8; MAX_RECORD_HEADER_LEN]) -> usize {
        let mut flags = 0;
        if self.total.is_some() {
            flags |= FLAG_FIRST;
        }
        if self.last {
            flags |= FLAG_LAST;
        }
        out[0] = flags;
        match self.total {
            Some(total) => {
                out[1..9].copy_from_slice(&total.to_be_bytes());
                9
            }
            None => 1,
        }
    }
}

/// Tracks one message being reassembled from records and enforces its consistency: a message
/// starts with a first record, never exceeds its announced total or the local limit, and ends
/// exactly when the total is reached.
#[derive(Debug, Default)]
pub(crate) struct Reassembly {
    total: Option<u64>,
    received: u64,
}

impl Reassembly {
    /// Accounts for one record; returns `true` when the message is complete.
    pub(crate) fn accept(
        &mut self,
        header: RecordHeader,
        data_len: usize,
        max_message: u64,
    ) -> Result<bool> {
        match (self.total, header.total) {
            (None, Some(total)) => {
                if total > max_message {
                    return Err(ChannelError::FrameTooLarge {
                        len: total,
                        max: max_message,
                    });
                }
                self.total = Some(total);
            }
            (None, None) => {
                return Err(ChannelError::Protocol(
                    "message does not start with a first record",
                ));
            }
            (Some(_), Some(_)) => {
                return Err(ChannelError::Protocol(
                    "a new message started inside a message",
                ));
            }
            (Some(_), None) => {}
        }
        let total = self.total.unwrap_or(0);
        self.received = self
            .received
            .checked_add(data_len as u64)
            .filter(|r| *r <= total)
            .ok_or(ChannelError::Protocol("message longer than announced"))?;
        let complete = self.received == total;
        if data_len == 0 && !complete {
            return Err(ChannelError::Protocol("empty record inside a message"));
        }
        if complete != header.last {
            return Err(ChannelError::Protocol(
                "message length and end marker disagree",
            ));
        }
        Ok(complete)
    }

    /// Bytes received so far and the announced total.
    pub(crate) fn progress(&self) -> (u64, u64) {
        (self.received, self.total.unwrap_or(0))
    }
}

/// Runs arbitrary bytes through the frame decoder and the record header and reassembly checks
/// (without decryption), as a fuzz target does. Never panics; returns how many frames decoded.
pub fn fuzz_frames(data: &[u8], max_frame_len: u32, max_message_len: u64) -> usize {
    let mut input = data;
    let mut frames = 0;
    let mut message = Reassembly::default();
    while let Ok(Decoded::Frame { payload, rest }) = decode_frame(input, max_frame_len) {
        frames += 1;
        input = rest;
        let Ok((header, body)) = RecordHeader::parse(payload) else {
            continue;
        };
        match message.accept(header, body.len(), max_message_len) {
            Ok(true) | Err(_) => message = Reassembly::default(),
            Ok(false) => {}
        }
    }
    frames
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_frame_handles_partial_exact_and_oversized_input() {
        assert_eq!(
            decode_frame(&[], 10).unwrap(),
            Decoded::Incomplete { needed: 4 }
        );
        assert_eq!(
            decode_frame(&[0, 0, 0, 3, 1], 10).unwrap(),
            Decoded::Incomplete { needed: 7 }
        );
        assert_eq!(
            decode_frame(&[0, 0, 0, 2, 7, 8, 9], 10).unwrap(),
            Decoded::Frame {
                payload: &[7, 8],
                rest: &[9]
            }
        );
        assert!(matches!(
            decode_frame(&[0xff, 0xff, 0xff, 0xff], 10),
            Err(ChannelError::FrameTooLarge {
                len: 0xffff_ffff,
                max: 10
            })
        ));
    }

    #[test]
    fn record_headers_round_trip_and_reject_unknown_flags() {
        for header in [
            RecordHeader {
                total: Some(5),
                last: false,
            },
            RecordHeader {
                total: Some(0),
                last: true,
            },
            RecordHeader {
                total: None,
                last: true,
            },
            RecordHeader {
                total: None,
                last: false,
            },
        ] {
            let mut buf = [0u8; MAX_RECORD_HEADER_LEN];
            let n = header.write(&mut buf);
            let mut record = buf[..n].to_vec();
            record.extend_from_slice(b"data");
            let (parsed, rest) = RecordHeader::parse(&record).unwrap();
            assert_eq!(parsed, header);
            assert_eq!(rest, b"data");
        }
        assert!(RecordHeader::parse(&[0x04]).is_err());
        assert!(RecordHeader::parse(&[FLAG_FIRST, 0, 0]).is_err());
        assert!(RecordHeader::parse(&[]).is_err());
    }

    #[test]
    fn reassembly_enforces_message_structure() {
        let first = |total| RecordHeader {
            total: Some(total),
            last: false,
        };
        let more = RecordHeader {
            total: None,
            last: false,
        };
        let last = RecordHeader {
            total: None,
            last: true,
        };

        let mut m = Reassembly::default();
        assert!(!m.accept(first(10), 4, 100).unwrap());
        assert!(!m.accept(more, 4, 100).unwrap());
        assert!(m.accept(last, 2, 100).unwrap());

        // Continuation without a start.
        assert!(Reassembly::default().accept(more, 1, 100).is_err());
        // Announced total over the limit.
        assert!(matches!(
            Reassembly::default().accept(first(101), 1, 100),
            Err(ChannelError::FrameTooLarge { len: 101, max: 100 })
        ));
        // Longer than announced.
        let mut m = Reassembly::default();
        m.accept(first(3), 2, 100).unwrap();
        assert!(m.accept(last, 2, 100).is_err());
        // Ends early.
        let mut m = Reassembly::default();
        assert!(
            m.accept(
                RecordHeader {
                    total: Some(3),
                    last: true
                },
                2,
                100
            )
            .is_err()
        );
        // Complete but not marked last.
        let mut m = Reassembly::default();
        assert!(m.accept(first(2), 2, 100).is_err());
        // An empty record that does not end the message (a peer spinning the receiver).
        let mut m = Reassembly::default();
        m.accept(first(3), 1, 100).unwrap();
        assert!(m.accept(more, 0, 100).is_err());
        // The empty message is one record.
        assert!(
            Reassembly::default()
                .accept(
                    RecordHeader {
                        total: Some(0),
                        last: true
                    },
                    0,
                    100
                )
                .unwrap()
        );
        // A second start inside a message.
        let mut m = Reassembly::default();
        m.accept(first(3), 1, 100).unwrap();
        assert!(m.accept(first(3), 1, 100).is_err());
    }

    #[test]
    fn fuzz_entry_point_survives_hostile_inputs() {
        let mut inputs: Vec<Vec<u8>> = vec![
            vec![],
            vec![0xff; 64],
            vec![0, 0, 0, 0, 0, 0, 0, 1, 3],
            vec![
                0, 0, 0, 10, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            ],
        ];
        // A pseudo-random corpus (xorshift), deterministic.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for len in 0..300 {
            let mut v = Vec::with_capacity(len);
            for _ in 0..len {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                v.push(if x.is_multiple_of(3) { 0 } else { x as u8 });
            }
            inputs.push(v);
        }
        for input in &inputs {
            let _ = fuzz_frames(input, 64, 1000);
        }
        assert_eq!(fuzz_frames(&[0, 0, 0, 1, 3, 0, 0, 0, 0], 64, 10), 2);
    }
}
