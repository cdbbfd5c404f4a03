//! What `receive` and `send` share: the mapping of channel errors to exit codes.

use cxp::channel::ChannelError;

use crate::output::Invalid;

/// Turns a channel error into a CLI error: a failed pairing, a tampered or refused peer are
/// "refused" (exit 1); the rest (timeouts, disconnects, I/O) are exit 2.
pub(crate) fn channel_error(err: ChannelError) -> anyhow::Error {
    match err {
        ChannelError::WrongCode
        | ChannelError::PeerRefused(_)
        | ChannelError::DecryptionFailed
        | ChannelError::Protocol(_)
        | ChannelError::FrameTooLarge { .. } => Invalid(err.to_string()).into(),
        other => anyhow::Error::new(other),
    }
}
