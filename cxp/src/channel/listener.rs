//! [`Listener`]: the receiving (importer) side, bound once and accepting one sender.

use std::fs;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::os::fd::AsFd;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixListener;
use std::path::Path;
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags, Timespec};

use super::address::Address;
use super::code::PairingCode;
use super::discovery::{Advertisement, PrivateSocketDir, default_runtime_dir, ensure_private_dir};
use super::error::{ChannelError, Result};
use super::handshake;
use super::options::{ListenerOptions, Transport, validate_timeout};
use super::session::Channel;
use super::transport::Stream;

/// The listening socket of either transport.
#[derive(Debug)]
enum ListenSocket {
    Unix(UnixListener),
    Tcp(TcpListener),
}

/// A receiver waiting for one sender.
///
/// [`bind`](Listener::bind) creates the socket, a fresh [`PairingCode`] and (by default) a
/// discovery file; show [`pairing_code`](Listener::pairing_code) and
/// [`address`](Listener::address) to the user, then call [`accept`](Listener::accept). The
/// listener accepts exactly one connection: as soon as it arrives, the listening socket, its
/// private directory and the discovery file are removed, so whether pairing then succeeds or
/// fails, nobody else can connect. Dropping the listener removes them too.
#[derive(Debug)]
pub struct Listener {
    // Field order is drop order: unpublish, close the socket, then remove its directory.
    advert: Option<Advertisement>,
    socket: ListenSocket,
    dir: Option<PrivateSocketDir>,
    address: Address,
    code: PairingCode,
    options: ListenerOptions,
}

impl Listener {
    /// Binds a new listener with a fresh pairing code.
    pub fn bind(options: ListenerOptions) -> Result<Listener> {
        options.limits.validate()?;
        validate_timeout(options.io_timeout)?;
        validate_timeout(options.accept_timeout)?;
        let base = options
            .runtime_dir
            .clone()
            .unwrap_or_else(default_runtime_dir);
        if options.advertise || options.transport != Transport::LoopbackTcp {
            ensure_private_dir(&base)?;
        }
        let (socket, dir, address) = match options.transport {
            Transport::Unix => bind_unix(&base)?,
            Transport::LoopbackTcp => bind_tcp()?,
            Transport::UnixThenLoopbackTcp => match bind_unix(&base) {
                Ok(bound) => bound,
                Err(_) => bind_tcp()?,
            },
        };
        let advert = if options.advertise {
            Some(Advertisement::publish(&base, &address)?)
        } else {
            None
        };
        Ok(Listener {
            advert,
            socket,
            dir,
            address,
            code: PairingCode::generate(),
            options,
        })
    }

    /// The one-time code the user must type on the sending side. Show it only to the user.
    pub fn pairing_code(&self) -> &PairingCode {
        &self.code
    }

    /// Where this listener listens, to show to the user (e.g. `unix:/run/user/1000/cxf/r-…/sock`).
    pub fn address(&self) -> &Address {
        &self.address
    }

    /// The discovery file announcing this listener, if [`ListenerOptions::advertise`] is set.
    pub fn discovery_file(&self) -> Option<&Path> {
        self.advert.as_ref().map(Advertisement::path)
    }

    /// Waits for one sender, pairs with it and returns the channel.
    ///
    /// The listener is consumed: the first connection, successful or not, is the only one.
    /// A sender that does not know the code gets [`ChannelError::WrongCode`] on both sides; a
    /// connection from another user gets [`ChannelError::PeerRefused`]; a sender that stalls
    /// gets [`ChannelError::Timeout`]. In every failing case the listener is closed.
    pub fn accept(self) -> Result<Channel> {
        let Listener {
            advert,
            socket,
            dir,
            code,
            options,
            ..
        } = self;
        let stream = accept_one(&socket, options.accept_timeout)?;
        // One connection per listener: close everything that lets anyone else in.
        drop(advert);
        drop(socket);
        drop(dir);
        stream.set_timeouts(options.io_timeout)?;
        if let Err(e) = stream.check_peer_is_same_user() {
            stream.shutdown();
            return Err(e);
        }
        let mut stream = stream;
        let paired = handshake::run_receiver(
            &mut stream.with_deadline(options.io_timeout, options.io_timeout),
            &code,
            options.limits,
            options.io_timeout,
        );
        match paired {
            Ok(session) => Ok(Channel::new(
                stream,
                session,
                options.limits,
                options.io_timeout,
            )),
            Err(e) => {
                stream.shutdown();
                Err(e)
            }
        }
    }
}

fn bind_unix(base: &Path) -> Result<(ListenSocket, Option<PrivateSocketDir>, Address)> {
    let dir = PrivateSocketDir::create(base)?;
    let path = dir.socket_path();
    let listener =
        UnixListener::bind(&path).map_err(|e| ChannelError::io("binding the Unix socket", e))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| ChannelError::io("configuring the Unix socket", e))?;
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600))
        .map_err(|e| ChannelError::io("restricting the socket's permissions", e))?;
    Ok((ListenSocket::Unix(listener), Some(dir), Address::Unix(path)))
}

fn bind_tcp() -> Result<(ListenSocket, Option<PrivateSocketDir>, Address)> {
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .map_err(|e| ChannelError::io("binding the loopback TCP port", e))?;
    let addr = listener
        .local_addr()
        .map_err(|e| ChannelError::io("reading the bound port", e))?;
    Ok((ListenSocket::Tcp(listener), None, Address::Tcp(addr)))
}

/// Accepts the first connection on the non-blocking `socket`, waiting at most `timeout`.
fn accept_one(socket: &ListenSocket, timeout: Duration) -> Result<Stream> {
    let deadline = Instant::now() + timeout;
    loop {
        wait_readable(socket, deadline, timeout)?;
        let accepted = match socket {
            ListenSocket::Unix(l) => l
                .accept()
                .and_then(|(s, _)| s.set_nonblocking(false).map(|()| Stream::Unix(s))),
            ListenSocket::Tcp(l) => l
                .accept()
                .and_then(|(s, _)| s.set_nonblocking(false).map(|()| Stream::Tcp(s))),
        };
        match accepted {
            Ok(stream) => return Ok(stream),
            // The pending connection went away between poll and accept: keep waiting.
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(ChannelError::io("accepting the sender's connection", e)),
        }
    }
}

/// Waits until a connection is pending on `socket`, or the deadline passes.
fn wait_readable(socket: &ListenSocket, deadline: Instant, timeout: Duration) -> Result<()> {
    let fd = match socket {
        ListenSocket::Unix(l) => l.as_fd(),
        ListenSocket::Tcp(l) => l.as_fd(),
    };
    loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(ChannelError::Timeout {
                during: "waiting for a sender to connect",
                after: timeout,
            });
        }
        let ts = Timespec::try_from(remaining).unwrap_or(Timespec {
            tv_sec: i32::MAX.into(),
            tv_nsec: 0,
        });
        let mut fds = [PollFd::new(&fd, PollFlags::IN)];
        match rustix::event::poll(&mut fds, Some(&ts)) {
            Ok(0) => continue,
            Ok(_) => return Ok(()),
            Err(rustix::io::Errno::INTR) => continue,
            Err(e) => {
                return Err(ChannelError::io(
                    "waiting for a sender to connect",
                    e.into(),
                ));
            }
        }
    }
}
