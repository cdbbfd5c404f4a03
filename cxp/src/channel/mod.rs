//! The local secure channel: carries CXP messages between an importer and an exporter running
//! as the same user on the same machine (CXP `direct` mode, whose transport the draft leaves
//! unspecified).
//!
//! # Use
//!
//! The importer (receiver) binds a [`Listener`], shows its [`PairingCode`] and [`Address`] to
//! the user, and calls [`Listener::accept`]. The exporter (sender) calls [`connect`] with the
//! code the user typed (and the address, or `None` to find the single waiting receiver).
//! Both get a [`Channel`] that sends and receives whole byte messages.
//!
//! ```
//! use cxp::channel::{connect, ConnectOptions, Listener, ListenerOptions, PairingCode};
//! # let runtime = tempfile::tempdir().unwrap();
//! # let mut listener_options = ListenerOptions::default();
//! # listener_options.runtime_dir = Some(runtime.path().join("cxf"));
//! # let mut connect_options = ConnectOptions::default();
//! # connect_options.runtime_dir = Some(runtime.path().join("cxf"));
//!
//! let listener = Listener::bind(listener_options)?;
//! // Shown to the user by the receiver; typed by the user into the sender.
//! let typed: PairingCode = listener.pairing_code().expose().parse()?;
//! let receiver = std::thread::spawn(move || -> Result<_, cxp::channel::ChannelError> {
//!     let mut channel = listener.accept()?;
//!     channel.send(b"export request")?;
//!     channel.recv()
//! });
//!
//! let mut channel = connect(None, &typed, &connect_options)?;
//! assert_eq!(&channel.recv()?[..], b"export request");
//! channel.send(b"export response")?;
//! assert_eq!(&receiver.join().unwrap()?[..], b"export response");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Protocol
//!
//! 1. **Transport.** A Unix domain socket `sock` (mode 0600) in a fresh directory `r-<random>`
//!    (mode 0700) inside the per-user runtime directory (`$XDG_RUNTIME_DIR/cxf/` or
//!    `/tmp/cxf-<uid>/`, itself 0700 and checked for owner and mode). Loopback TCP
//!    (`127.0.0.1`, port 0) only when asked for with [`Transport`]. The address is shown as
//!    `unix:/…/sock` or `tcp:127.0.0.1:PORT` and written to a discovery file (see
//!    [`default_runtime_dir`]).
//! 2. **Peer check.** Both ends read the other end's user id from the kernel (`SO_PEERCRED`
//!    for Unix sockets; the socket owner in `/proc/net/tcp` for TCP) and refuse other users.
//! 3. **Pairing** (module `handshake`): SPAKE2 on the code with identities naming the protocol
//!    version and the roles, HKDF-SHA256 over a transcript hash of both hellos, explicit key
//!    confirmation by HMAC-SHA256 (sender first), and only then application data.
//! 4. **Records** (modules `frame`, `record`): each frame is a 4-byte big-endian length and a
//!    ChaCha20-Poly1305 record, keyed per direction, with the record counter as nonce and the
//!    length as associated data. A message is split into records of at most the receiver's
//!    announced frame size; the first record carries the message length, the last is marked.
//! 5. **Limits.** Every read and write has a timeout ([`ListenerOptions::io_timeout`],
//!    [`ConnectOptions::io_timeout`]); frame and message sizes are capped ([`Limits`]) before
//!    anything is allocated for them; a listener takes exactly one connection.
//!
//! # Wire format (version [`PROTOCOL_VERSION`])
//!
//! Every message is a frame: `length (u32 big-endian) || payload`.
//!
//! ```text
//! handshake (plain frames, at most MAX_HANDSHAKE_FRAME bytes)
//!   S→R  hello    "CXPC" || 0x01 || 'S' || max_frame_len u32 || max_message_len u64 || X (33)
//!   R→S  hello    "CXPC" || 0x01 || 'R' || max_frame_len u32 || max_message_len u64 || Y (33)
//!   S→R  confirm  0x01 || HMAC-SHA256(kc_S, th)
//!   R→S  confirm  0x01 || HMAC-SHA256(kc_R, th)      or reject: 0x00
//!
//! th = SHA-256("cxp-local-channel/1 transcript" || u32 len || hello_S || u32 len || hello_R)
//! kc_S, kc_R, k_S→R, k_R→S = HKDF-SHA256(salt = th, ikm = SPAKE2 key,
//!                                         info = "cxp-local-channel/1 <label>")
//! SPAKE2 (Ed25519 group): password = the 8 random code symbols (ASCII),
//!   idA = "cxp-local-channel/1 sender (exporter)", idB = "cxp-local-channel/1 receiver (importer)"
//!
//! records (after the handshake; payload = ciphertext || 16-byte tag)
//!   nonce  = 0x00000000 || n (u64 big-endian), n = 0, 1, 2, … per direction
//!   aad    = the frame's 4-byte length prefix
//!   plain  = flags (0x01 first, 0x02 last) || [total length u64, in a first record] || data
//! ```
//!
//! # Discovery
//!
//! A listener writes its address into `receiver-<pid>-<random>.addr` in the per-user runtime
//! directory ([`default_runtime_dir`]); [`connect`] without an address reads them and accepts
//! exactly one live receiver. Liveness comes from the kernel's socket tables (`/proc/net/unix`,
//! `/proc/net/tcp`), which does not use up the receiver's single connection; files left behind
//! by a receiver that was killed are ignored and cleaned up. The files hold only the address:
//! the pairing code is never written anywhere.
//!
//! # Threat model (security considerations)
//!
//! **Protected against:**
//! * *Other local users.* They cannot reach the Unix socket (its directory is 0700 and owned by
//!   us), and if they reach a TCP port they are refused by user id before a byte is read; the
//!   pairing code is a second, independent barrier.
//! * *Other processes of the same user that do not know the code, and a man in the middle on
//!   the socket or TCP port.* SPAKE2 gives them one online guess per receive (probability
//!   2^-[`PAIRING_CODE_ENTROPY_BITS`]), nothing to test guesses offline against, and no way to
//!   read or alter records (keys depend on the code and both ephemeral SPAKE2 secrets). The
//!   listener closes after the first connection, successful or not, so a process racing to
//!   connect first causes a visible failure ([`ChannelError::WrongCode`] on the receiver) and
//!   learns nothing: it never gets a confirmation keyed by the real code nor any record.
//! * *Tampering, replay, reordering, truncation, reflection* of records: the AEAD with
//!   per-direction keys and counters rejects them ([`ChannelError::DecryptionFailed`]); a
//!   message is delivered whole or not at all.
//! * *Resource exhaustion by a peer*: timeouts on every read, size caps checked before
//!   allocation, and a bounded handshake.
//!
//! **Not protected against:**
//! * *A compromised account of the same user.* Code running as that user can attach a
//!   debugger to either end (or read its memory, or replace the programs), and so see the code,
//!   the keys and the plaintext. No user-space protocol between two processes of one account
//!   can prevent that; the operating system's isolation of users is the boundary we rely on.
//! * *Shoulder-surfing of the code while it is shown* (it is a one-time code: it is useless
//!   once the listener has accepted or closed).
//! * *Denial of service.* Anyone able to connect (a same-user process on a Unix socket, any
//!   local user on TCP) can make a waiting receiver fail; the user then starts it again.
//! * *Traffic analysis.* Message sizes are visible to whoever can observe the socket (the
//!   kernel, the same user).
//!
//! Secrets are zeroized: the pairing code, derived keys (and the AEAD key schedules), and
//! every plaintext buffer, including the message [`Channel::recv`] returns. The intermediate
//! values inside the `spake2`, `hkdf` and `hmac` crates are not under our control.

mod address;
mod code;
mod connect;
mod discovery;
mod error;
mod frame;
mod handshake;
mod listener;
mod options;
mod record;
mod session;
mod transport;

pub use address::{Address, AddressError};
pub use code::{
    PAIRING_CODE_ENTROPY_BITS, PAIRING_CODE_RANDOM_SYMBOLS, PairingCode, PairingCodeError,
};
pub use connect::connect;
pub use discovery::default_runtime_dir;
pub use error::{ChannelError, Result};
pub use frame::{Decoded, LENGTH_PREFIX_LEN, RecordHeader, decode_frame};
pub use handshake::{MAX_HANDSHAKE_FRAME, PROTOCOL_VERSION};
pub use listener::Listener;
pub use options::{
    ConnectOptions, DEFAULT_ACCEPT_TIMEOUT, DEFAULT_IO_TIMEOUT, DEFAULT_MAX_FRAME_LEN,
    DEFAULT_MAX_MESSAGE_LEN, Limits, ListenerOptions, MAX_FRAME_LEN, MIN_FRAME_LEN, Transport,
};
pub use record::TAG_LEN;
pub use session::{Channel, Progress};

/// Entry points for fuzz targets: each takes arbitrary bytes and must never panic.
pub mod fuzz {
    pub use super::frame::fuzz_frames as frames;
    pub use super::handshake::fuzz_handshake as handshake;
}
