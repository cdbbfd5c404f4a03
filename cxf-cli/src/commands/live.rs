//! What `receive` and `send` share: channel options from flags, progress on stderr, and the
//! mapping of channel errors to exit codes.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use cxp::channel::{ChannelError, Progress};

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

/// A progress line on stderr, redrawn at most ten times a second, only on a terminal (scripts
/// read the stable lines instead).
pub(crate) struct ProgressLine {
    verb: &'static str,
    enabled: bool,
    last: Option<Instant>,
    drawn: bool,
}

impl ProgressLine {
    pub(crate) fn new(verb: &'static str) -> Self {
        ProgressLine {
            verb,
            enabled: std::io::stderr().is_terminal(),
            last: None,
            drawn: false,
        }
    }

    pub(crate) fn update(&mut self, p: Progress) {
        if !self.enabled {
            return;
        }
        let now = Instant::now();
        let done = p.done == p.total;
        if !done
            && self
                .last
                .is_some_and(|t| now.duration_since(t) < Duration::from_millis(100))
        {
            return;
        }
        self.last = Some(now);
        let pct = (p.done * 100).checked_div(p.total).unwrap_or(100).min(100);
        let width = 30;
        let filled = (pct as usize * width) / 100;
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r{} [{}{}] {:>3}%  {:.1} / {:.1} MB",
            self.verb,
            "#".repeat(filled),
            " ".repeat(width - filled),
            pct,
            p.done as f64 / 1e6,
            p.total as f64 / 1e6
        );
        let _ = err.flush();
        self.drawn = true;
    }

    pub(crate) fn finish(&mut self) {
        if self.drawn {
            errln!();
            self.drawn = false;
        }
    }
}
