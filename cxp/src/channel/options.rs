//! Limits, timeouts and transport choices, with documented defaults.

use std::path::PathBuf;
use std::time::Duration;

use super::error::{ChannelError, Result};

/// Default largest encrypted frame accepted (1 MiB). Messages are split into frames this size.
pub const DEFAULT_MAX_FRAME_LEN: u32 = 1 << 20;

/// Smallest frame limit either side may announce.
pub const MIN_FRAME_LEN: u32 = 1024;

/// Largest frame limit either side may announce (16 MiB): bounds the buffer a peer can make us
/// allocate for one frame.
pub const MAX_FRAME_LEN: u32 = 16 << 20;

/// Default largest message (256 MiB, reassembled from frames).
pub const DEFAULT_MAX_MESSAGE_LEN: u64 = 256 << 20;

/// Default timeout of every read and write on the socket.
pub const DEFAULT_IO_TIMEOUT: Duration = Duration::from_secs(60);

/// Default time a listener waits for the sender to connect.
pub const DEFAULT_ACCEPT_TIMEOUT: Duration = Duration::from_secs(15 * 60);

/// Size limits one side enforces on what it receives. Each side announces its limits during the
/// handshake, so the sender chunks to the receiver's frame size and refuses a message the
/// receiver would refuse before sending a byte of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest frame (ciphertext and tag, without the 4-byte length prefix), in bytes. Between
    /// [`MIN_FRAME_LEN`] and [`MAX_FRAME_LEN`].
    pub max_frame_len: u32,
    /// Largest message, in bytes. The receiver allocates a message's announced length when
    /// its first frame arrives, so a paired peer can make it allocate up to this much.
    pub max_message_len: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_frame_len: DEFAULT_MAX_FRAME_LEN,
            max_message_len: DEFAULT_MAX_MESSAGE_LEN,
        }
    }
}

impl Limits {
    /// Checks that the limits are in range.
    pub(crate) fn validate(&self) -> Result<()> {
        if !(MIN_FRAME_LEN..=MAX_FRAME_LEN).contains(&self.max_frame_len) {
            return Err(ChannelError::InvalidOptions(
                "max_frame_len must be between MIN_FRAME_LEN and MAX_FRAME_LEN",
            ));
        }
        Ok(())
    }
}

/// Which socket a listener binds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Transport {
    /// A Unix domain socket in a fresh private directory (the default).
    #[default]
    Unix,
    /// A Unix socket, falling back to loopback TCP only if binding the Unix socket fails.
    UnixThenLoopbackTcp,
    /// Loopback TCP (127.0.0.1, port 0) only. Any local user can connect to a TCP port, so the
    /// peer's user is checked from the kernel's socket table, and the pairing code is the only
    /// other barrier. Use where Unix sockets are unavailable.
    LoopbackTcp,
}

/// Options of [`Listener::bind`](super::Listener::bind).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ListenerOptions {
    /// Which socket to bind.
    pub transport: Transport,
    /// Limits on what this side receives.
    pub limits: Limits,
    /// Timeout of every read and write once connected.
    pub io_timeout: Duration,
    /// How long [`Listener::accept`](super::Listener::accept) waits for a connection.
    pub accept_timeout: Duration,
    /// Write a discovery file so a sender without an address finds this listener.
    pub advertise: bool,
    /// Per-user runtime directory; `None` means [`default_runtime_dir`](super::default_runtime_dir).
    pub runtime_dir: Option<PathBuf>,
}

impl Default for ListenerOptions {
    fn default() -> Self {
        ListenerOptions {
            transport: Transport::default(),
            limits: Limits::default(),
            io_timeout: DEFAULT_IO_TIMEOUT,
            accept_timeout: DEFAULT_ACCEPT_TIMEOUT,
            advertise: true,
            runtime_dir: None,
        }
    }
}

/// Options of [`connect`](super::connect).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ConnectOptions {
    /// Limits on what this side receives.
    pub limits: Limits,
    /// Timeout of connecting and of every read and write.
    pub io_timeout: Duration,
    /// Per-user runtime directory searched when no address is given; `None` means
    /// [`default_runtime_dir`](super::default_runtime_dir).
    pub runtime_dir: Option<PathBuf>,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            limits: Limits::default(),
            io_timeout: DEFAULT_IO_TIMEOUT,
            runtime_dir: None,
        }
    }
}

/// Checks a timeout option.
pub(crate) fn validate_timeout(timeout: Duration) -> Result<()> {
    if timeout.is_zero() {
        return Err(ChannelError::InvalidOptions(
            "timeouts must be greater than zero",
        ));
    }
    Ok(())
}
