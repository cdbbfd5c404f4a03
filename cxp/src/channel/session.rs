//! [`Channel`]: an authenticated, encrypted, message-oriented connection after pairing.

use std::io::Write;
use std::time::Duration;

use zeroize::{Zeroize, Zeroizing};

use super::error::{ChannelError, Result};
use super::frame::{
    LENGTH_PREFIX_LEN, MAX_RECORD_HEADER_LEN, Reassembly, RecordHeader, length_prefix, read_frame,
};
use super::handshake::Session;
use super::options::Limits;
use super::record::{DirectionKey, TAG_LEN};
use super::transport::Stream;

/// Largest data chunk per record this side sends, whatever the peer accepts: bounds the
/// plaintext copy held per frame.
const SEND_CHUNK_CAP: usize = 1 << 20;

/// Progress of a message being sent or received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Bytes of the message transferred so far.
    pub done: u64,
    /// Total bytes of the message.
    pub total: u64,
}

/// A paired, encrypted channel carrying opaque byte messages in both directions.
///
/// Obtain one from [`Listener::accept`](super::Listener::accept) (receiver) or
/// [`connect`](super::connect) (sender). Messages are delivered whole, in order, exactly once,
/// or not at all; after any error the channel refuses further use.
pub struct Channel {
    stream: Stream,
    send_key: DirectionKey,
    recv_key: DirectionKey,
    own_limits: Limits,
    peer_limits: Limits,
    timeout: Duration,
    poisoned: bool,
    /// Reused frame buffer (zeroized after each record).
    buf: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Channel")
            .field("own_limits", &self.own_limits)
            .field("peer_limits", &self.peer_limits)
            .field("timeout", &self.timeout)
            .field("poisoned", &self.poisoned)
            .finish_non_exhaustive()
    }
}

impl Channel {
    /// Wraps a stream whose handshake produced `session`.
    pub(crate) fn new(
        stream: Stream,
        session: Session,
        own_limits: Limits,
        timeout: Duration,
    ) -> Self {
        Channel {
            stream,
            send_key: session.send,
            recv_key: session.recv,
            own_limits,
            peer_limits: session.peer_limits,
            timeout,
            poisoned: false,
            buf: Zeroizing::new(Vec::new()),
        }
    }

    /// Changes the timeout of every later read and write, for example before waiting for a
    /// response that needs the user's consent on the other side.
    pub fn set_io_timeout(&mut self, timeout: Duration) -> Result<()> {
        super::options::validate_timeout(timeout)?;
        self.stream.set_timeouts(timeout)?;
        self.timeout = timeout;
        Ok(())
    }

    /// The limits the peer announced for what it accepts.
    pub fn peer_limits(&self) -> Limits {
        self.peer_limits
    }

    /// Sends one message.
    ///
    /// Refuses (with [`ChannelError::FrameTooLarge`], leaving the channel usable) a message
    /// larger than the peer accepts, before sending any of it.
    pub fn send(&mut self, message: &[u8]) -> Result<()> {
        self.send_with_progress(message, |_| {})
    }

    /// Sends one message, calling `progress` after each frame.
    pub fn send_with_progress(
        &mut self,
        message: &[u8],
        mut progress: impl FnMut(Progress),
    ) -> Result<()> {
        if self.poisoned {
            return Err(ChannelError::Poisoned);
        }
        let total = message.len() as u64;
        if total > self.peer_limits.max_message_len {
            return Err(ChannelError::FrameTooLarge {
                len: total,
                max: self.peer_limits.max_message_len,
            });
        }
        self.guard(|this| {
            let overhead = MAX_RECORD_HEADER_LEN + TAG_LEN;
            let chunk = (this.peer_limits.max_frame_len as usize)
                .saturating_sub(overhead)
                .clamp(1, SEND_CHUNK_CAP);
            let mut offset = 0usize;
            let mut first = true;
            loop {
                let end = message.len().min(offset + chunk);
                let header = RecordHeader {
                    total: first.then_some(total),
                    last: end == message.len(),
                };
                this.write_record(header, &message[offset..end])?;
                progress(Progress {
                    done: end as u64,
                    total,
                });
                offset = end;
                first = false;
                if header.last {
                    return Ok(());
                }
            }
        })
    }

    /// Receives one message.
    pub fn recv(&mut self) -> Result<Zeroizing<Vec<u8>>> {
        self.recv_with_progress(|_| {})
    }

    /// Receives one message, calling `progress` after each frame.
    pub fn recv_with_progress(
        &mut self,
        mut progress: impl FnMut(Progress),
    ) -> Result<Zeroizing<Vec<u8>>> {
        self.guard(|this| {
            let mut message = Zeroizing::new(Vec::new());
            let mut reassembly = Reassembly::default();
            let mut during = "waiting for a message";
            loop {
                let frame_max = this.own_limits.max_frame_len;
                read_frame(
                    &mut this.stream,
                    &mut this.buf,
                    frame_max,
                    during,
                    this.timeout,
                )?;
                during = "in the middle of a message";
                let prefix = length_prefix(this.buf.len())?;
                let plain_len = this.recv_key.open(&prefix, &mut this.buf)?;
                let (header, data) = RecordHeader::parse(&this.buf[..plain_len])?;
                let complete =
                    reassembly.accept(header, data.len(), this.own_limits.max_message_len)?;
                if let Some(Ok(total)) = header.total.map(usize::try_from) {
                    // The total comes from a peer that proved it knows the code, and is within
                    // our max_message_len (checked just above): allocate once, so no partial
                    // copy of the plaintext is left behind by reallocation.
                    message.reserve_exact(total);
                }
                extend_zeroizing(&mut message, data);
                this.buf.zeroize();
                let (done, total) = reassembly.progress();
                progress(Progress { done, total });
                if complete {
                    return Ok(message);
                }
            }
        })
    }

    /// Runs `op`, poisoning the channel if it fails.
    fn guard<T>(&mut self, op: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        if self.poisoned {
            return Err(ChannelError::Poisoned);
        }
        let result = op(self);
        if result.is_err() {
            self.poisoned = true;
            self.buf.zeroize();
        }
        result
    }

    /// Encrypts and writes one record.
    fn write_record(&mut self, header: RecordHeader, data: &[u8]) -> Result<()> {
        let mut head = [0u8; MAX_RECORD_HEADER_LEN];
        let head_len = header.write(&mut head);
        let record_len = head_len + data.len() + TAG_LEN;
        // `buf` is already wiped: after every record and on every error.
        let buf = &mut self.buf;
        buf.clear();
        buf.reserve(LENGTH_PREFIX_LEN + record_len);
        let prefix = length_prefix(record_len)?;
        buf.extend_from_slice(&prefix);
        buf.extend_from_slice(&head[..head_len]);
        buf.extend_from_slice(data);
        let tag = self.send_key.seal(&prefix, &mut buf[LENGTH_PREFIX_LEN..])?;
        buf.extend_from_slice(&tag);
        let written = self
            .stream
            .write_all(buf)
            .and_then(|()| self.stream.flush())
            .map_err(|e| ChannelError::from_io(e, "while sending", self.timeout));
        buf.zeroize();
        written
    }

    /// Shuts the connection down in both directions; the peer's next read sees the end.
    pub fn close(self) {
        self.stream.shutdown();
    }
}

impl Drop for Channel {
    fn drop(&mut self) {
        self.buf.zeroize();
    }
}

/// Appends `data` to `out`; when the buffer must grow, the old allocation is zeroized rather
/// than left behind by a reallocation.
fn extend_zeroizing(out: &mut Zeroizing<Vec<u8>>, data: &[u8]) {
    let needed = out.len() + data.len();
    if needed > out.capacity() {
        let mut grown = Zeroizing::new(Vec::with_capacity(needed.max(out.capacity() * 2)));
        grown.extend_from_slice(out);
        *out = grown; // the old buffer is zeroized on drop
    }
    out.extend_from_slice(data);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extend_zeroizing_appends_across_growth() {
        let mut out = Zeroizing::new(Vec::new());
        for i in 0..100u8 {
            extend_zeroizing(&mut out, &[i; 7]);
        }
        assert_eq!(out.len(), 700);
        assert_eq!(out[699], 99);
        assert_eq!(out[0], 0);
    }
}
