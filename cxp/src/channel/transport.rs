//! The byte stream under the channel (Unix socket or loopback TCP) and the peer-user check.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use super::discovery::current_uid;
use super::error::{ChannelError, Result};

/// A connected stream of either transport.
#[derive(Debug)]
pub(crate) enum Stream {
    /// Unix domain socket.
    Unix(UnixStream),
    /// Loopback TCP.
    Tcp(TcpStream),
}

impl Stream {
    /// Sets the read and write timeout of every later I/O call.
    pub(crate) fn set_timeouts(&self, timeout: Duration) -> Result<()> {
        let set = match self {
            Stream::Unix(s) => s
                .set_read_timeout(Some(timeout))
                .and(s.set_write_timeout(Some(timeout))),
            Stream::Tcp(s) => s
                .set_read_timeout(Some(timeout))
                .and(s.set_write_timeout(Some(timeout)))
                .and(s.set_nodelay(true)),
        };
        set.map_err(|e| ChannelError::io("configuring socket timeouts", e))
    }

    /// Refuses the peer unless it runs as the same user as this process.
    pub(crate) fn check_peer_is_same_user(&self) -> Result<()> {
        let ours = current_uid();
        match self.peer_uid() {
            Ok(Some(uid)) if uid == ours => Ok(()),
            Ok(Some(uid)) => Err(ChannelError::PeerRefused(format!(
                "the other end runs as user id {uid}, not as this user ({ours})"
            ))),
            // Unix sockets on systems without SO_PEERCRED: the 0700 socket directory is the
            // barrier (documented in the module's threat model).
            Ok(None) if matches!(self, Stream::Unix(_)) => Ok(()),
            Ok(None) => Err(ChannelError::PeerRefused(
                "cannot determine which user runs the other end of the connection".to_owned(),
            )),
            Err(e) => Err(ChannelError::io("checking which user is connected", e)),
        }
    }

    /// The user id of the process at the other end, when the platform can tell.
    fn peer_uid(&self) -> io::Result<Option<u32>> {
        match self {
            Stream::Unix(s) => unix_peer_uid(s),
            Stream::Tcp(s) => tcp_peer_uid(s.local_addr()?, s.peer_addr()?),
        }
    }

    /// A view of this stream whose reads and writes must all finish within `total` from now
    /// (each one still bounded by `io_timeout`): bounds a handshake that a peer drips out
    /// byte by byte.
    pub(crate) fn with_deadline(
        &mut self,
        total: Duration,
        io_timeout: Duration,
    ) -> WithDeadline<'_> {
        WithDeadline {
            stream: self,
            deadline: Instant::now() + total,
            io_timeout,
        }
    }

    fn set_read_timeout(&self, timeout: Duration) -> io::Result<()> {
        match self {
            Stream::Unix(s) => s.set_read_timeout(Some(timeout)),
            Stream::Tcp(s) => s.set_read_timeout(Some(timeout)),
        }
    }

    fn set_write_timeout(&self, timeout: Duration) -> io::Result<()> {
        match self {
            Stream::Unix(s) => s.set_write_timeout(Some(timeout)),
            Stream::Tcp(s) => s.set_write_timeout(Some(timeout)),
        }
    }

    /// Shuts down both directions (best effort).
    pub(crate) fn shutdown(&self) {
        let _ = match self {
            Stream::Unix(s) => s.shutdown(std::net::Shutdown::Both),
            Stream::Tcp(s) => s.shutdown(std::net::Shutdown::Both),
        };
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Unix(s) => s.read(buf),
            Stream::Tcp(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Unix(s) => s.write(buf),
            Stream::Tcp(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Unix(s) => s.flush(),
            Stream::Tcp(s) => s.flush(),
        }
    }
}

/// See [`Stream::with_deadline`]. Restores the plain per-call timeouts when dropped.
pub(crate) struct WithDeadline<'a> {
    stream: &'a mut Stream,
    deadline: Instant,
    io_timeout: Duration,
}

impl WithDeadline<'_> {
    fn remaining(&self) -> io::Result<Duration> {
        let remaining = self.deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(io::Error::from(io::ErrorKind::TimedOut));
        }
        Ok(remaining.min(self.io_timeout))
    }
}

impl Read for WithDeadline<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.stream.set_read_timeout(self.remaining()?)?;
        self.stream.read(buf)
    }
}

impl Write for WithDeadline<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.stream.set_write_timeout(self.remaining()?)?;
        self.stream.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.stream.flush()
    }
}

impl Drop for WithDeadline<'_> {
    fn drop(&mut self) {
        let _ = self.stream.set_read_timeout(self.io_timeout);
        let _ = self.stream.set_write_timeout(self.io_timeout);
    }
}

/// `SO_PEERCRED` on Linux and Android.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn unix_peer_uid(stream: &UnixStream) -> io::Result<Option<u32>> {
    let cred = rustix::net::sockopt::socket_peercred(stream)?;
    Ok(Some(cred.uid.as_raw()))
}

/// Other Unix systems: unknown (the 0700 socket directory is the only barrier there).
#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn unix_peer_uid(_stream: &UnixStream) -> io::Result<Option<u32>> {
    Ok(None)
}

/// The owner of the TCP socket at the other end of the loopback connection `local`↔`peer`,
/// read from `/proc/net/tcp` (Linux; `None` elsewhere or when not found).
fn tcp_peer_uid(local: SocketAddr, peer: SocketAddr) -> io::Result<Option<u32>> {
    let (SocketAddr::V4(local), SocketAddr::V4(peer)) = (local, peer) else {
        return Ok(None);
    };
    let table = match std::fs::read_to_string("/proc/net/tcp") {
        Ok(table) => table,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let hex = |a: std::net::SocketAddrV4| {
        format!(
            "{:08X}:{:04X}",
            u32::from_ne_bytes(a.ip().octets()),
            a.port()
        )
    };
    // The peer's own socket has local_address = peer and rem_address = local.
    let (want_local, want_remote) = (hex(peer), hex(local));
    Ok(parse_proc_net_tcp_uid(&table, &want_local, &want_remote))
}

/// Finds the uid column of the established connection with the given local and remote
/// address fields. Only the ESTABLISHED state (`01`) counts: once a socket is closed the kernel
/// shows its remains (TIME_WAIT and the like) as owned by uid 0, which says nothing about who
/// opened it.
fn parse_proc_net_tcp_uid(table: &str, want_local: &str, want_remote: &str) -> Option<u32> {
    const ESTABLISHED: &str = "01";
    table.lines().skip(1).find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let (local, remote, state, uid) = (
            fields.get(1)?,
            fields.get(2)?,
            fields.get(3)?,
            fields.get(7)?,
        );
        (local.eq_ignore_ascii_case(want_local)
            && remote.eq_ignore_ascii_case(want_remote)
            && *state == ESTABLISHED)
            .then(|| uid.parse().ok())
            .flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_socket_pair_is_same_user() {
        let (a, b) = UnixStream::pair().unwrap();
        Stream::Unix(a).check_peer_is_same_user().unwrap();
        Stream::Unix(b).check_peer_is_same_user().unwrap();
    }

    #[test]
    fn loopback_tcp_peer_is_same_user_both_ways() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        let (client, server) = (Stream::Tcp(client), Stream::Tcp(server));
        client.check_peer_is_same_user().unwrap();
        server.check_peer_is_same_user().unwrap();
        // Once the other end is closed, its user can no longer be vouched for.
        drop(client);
        assert!(matches!(
            server.check_peer_is_same_user(),
            Err(ChannelError::PeerRefused(_))
        ));
    }

    #[test]
    fn proc_net_tcp_rows_are_matched_exactly() {
        let table = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n\
             0: 0100007F:A000 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1001        0 1\n\
             1: 0100007F:1F90 0100007F:A000 01 00000000:00000000 00:00000000 00000000  1000        0 2\n\
             2: 0100007F:B000 0100007F:1F90 06 00000000:00000000 03:00000000 00000000     0        0 0\n";
        assert_eq!(
            parse_proc_net_tcp_uid(table, "0100007F:A000", "0100007F:1F90"),
            Some(1001)
        );
        assert_eq!(
            parse_proc_net_tcp_uid(table, "0100007F:1F90", "0100007F:A000"),
            Some(1000)
        );
        assert_eq!(
            parse_proc_net_tcp_uid(table, "0100007F:1F91", "0100007F:A000"),
            None
        );
        assert_eq!(parse_proc_net_tcp_uid("garbage\n1 2", "a", "b"), None);
    }
}
