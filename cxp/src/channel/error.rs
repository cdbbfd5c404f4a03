//! The one error type of the channel, split by what went wrong and what to try next.

use std::io;
use std::path::PathBuf;
use std::time::Duration;

/// Result alias for channel operations.
pub type Result<T, E = ChannelError> = std::result::Result<T, E>;

/// Everything that can go wrong while pairing or transferring over the local channel.
///
/// Each message says what happened and then what to try. Cryptographic failures are opaque:
/// a tampered, replayed or reordered frame all report [`ChannelError::DecryptionFailed`].
/// After any error other than a refused [`Channel::send`](super::Channel::send) size check, the
/// channel is unusable ([`ChannelError::Poisoned`]) and the listener, if any, is closed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChannelError {
    /// The two sides did not prove knowledge of the same pairing code.
    #[error(
        "pairing failed: the pairing code did not match; the receiver has closed. \
         Start a new receive and type the new code it shows"
    )]
    WrongCode,
    /// The peer is not allowed to use this channel (another user, or its user is unknown).
    #[error("connection refused: {0}. Run both sides as the same user on this machine")]
    PeerRefused(String),
    /// A read, write or wait took longer than the configured timeout.
    #[error(
        "timed out after {after:?} {during}; the other side stalled or went away. \
         Check that it is still running and start again"
    )]
    Timeout {
        /// What the channel was doing.
        during: &'static str,
        /// The timeout that expired.
        after: Duration,
    },
    /// A frame or message is larger than the limit in force.
    #[error(
        "too large: {len} bytes exceeds the limit of {max} bytes; if this size is expected, \
         raise the limit on the receiving side"
    )]
    FrameTooLarge {
        /// The announced or attempted size.
        len: u64,
        /// The limit.
        max: u64,
    },
    /// The peer sent something that does not follow the channel protocol.
    #[error(
        "protocol error: {0}; the peer is not a compatible CXP channel endpoint or the stream \
         was corrupted. Start the transfer again"
    )]
    Protocol(&'static str),
    /// A frame failed authentication (tampered, replayed, reordered or from another session).
    #[error("decryption failed; the transfer was aborted. Start the transfer again")]
    DecryptionFailed,
    /// The other side closed the connection.
    #[error(
        "the other side closed the connection {during}; check that it is still running and \
         start the transfer again"
    )]
    Disconnected {
        /// What the channel was doing.
        during: &'static str,
    },
    /// Discovery found no waiting receiver.
    #[error(
        "no receiver is waiting (looked in {}); start the receiver first, or pass the address \
         it prints", dir.display()
    )]
    NoReceiver {
        /// The directory searched.
        dir: PathBuf,
    },
    /// Discovery found more than one waiting receiver.
    #[error(
        "{count} receivers are waiting (in {}); pass the address of the one you mean, as \
         printed by the receiver (for example `unix:/path/to/sock`)", dir.display()
    )]
    SeveralReceivers {
        /// How many were found.
        count: usize,
        /// The directory searched.
        dir: PathBuf,
    },
    /// A directory the channel relies on is not private to the current user.
    #[error(
        "refusing to use {}: {reason}. Remove it, or point XDG_RUNTIME_DIR at a private \
         directory", path.display()
    )]
    UnsafeDirectory {
        /// The directory.
        path: PathBuf,
        /// Why it is refused.
        reason: &'static str,
    },
    /// The options passed by the caller are out of range.
    #[error("invalid channel options: {0}")]
    InvalidOptions(&'static str),
    /// An earlier error made this channel unusable.
    #[error("this channel is no longer usable after an earlier error; start a new transfer")]
    Poisoned,
    /// An operating-system I/O error.
    #[error("I/O error {context}: {source}")]
    Io {
        /// What the channel was doing.
        context: &'static str,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
}

impl ChannelError {
    /// Wraps an I/O error, turning socket timeouts and end-of-stream into their own variants.
    pub(crate) fn from_io(source: io::Error, during: &'static str, timeout: Duration) -> Self {
        match source.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => ChannelError::Timeout {
                during,
                after: timeout,
            },
            io::ErrorKind::UnexpectedEof
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe => ChannelError::Disconnected { during },
            _ => ChannelError::Io {
                context: during,
                source,
            },
        }
    }

    /// Wraps an I/O error that is not about reading from or writing to the peer.
    pub(crate) fn io(context: &'static str, source: io::Error) -> Self {
        ChannelError::Io { context, source }
    }
}
