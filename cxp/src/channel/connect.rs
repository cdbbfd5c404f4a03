//! [`connect`]: the sending (exporter) side.

use std::net::TcpStream;
use std::os::unix::net::UnixStream;

use super::address::Address;
use super::code::PairingCode;
use super::discovery::{default_runtime_dir, find_single_receiver};
use super::error::{ChannelError, Result};
use super::handshake;
use super::options::{ConnectOptions, validate_timeout};
use super::session::Channel;
use super::transport::Stream;

/// Connects to a waiting receiver and pairs with it using `code`.
///
/// With `address: None`, the receiver is found through the per-user runtime directory: exactly
/// one live receiver must be waiting ([`ChannelError::NoReceiver`],
/// [`ChannelError::SeveralReceivers`] otherwise). The receiver's user is checked before any
/// byte is sent. A wrong code fails with [`ChannelError::WrongCode`] and closes the receiver.
pub fn connect(
    address: Option<&Address>,
    code: &PairingCode,
    options: &ConnectOptions,
) -> Result<Channel> {
    options.limits.validate()?;
    validate_timeout(options.io_timeout)?;
    let discovered;
    let address = match address {
        Some(address) => address,
        None => {
            let base = options
                .runtime_dir
                .clone()
                .unwrap_or_else(default_runtime_dir);
            discovered = find_single_receiver(&base)?;
            &discovered
        }
    };
    let context = "connecting to the receiver (a receiver accepts one attempt: check that it is \
                   still waiting, or start it again)";
    let mut stream = match address {
        Address::Unix(path) => UnixStream::connect(path).map(Stream::Unix),
        Address::Tcp(addr) => {
            if !addr.ip().is_loopback() {
                return Err(ChannelError::InvalidOptions(
                    "TCP addresses must be loopback",
                ));
            }
            TcpStream::connect_timeout(addr, options.io_timeout).map(Stream::Tcp)
        }
    }
    .map_err(|e| ChannelError::io(context, e))?;
    stream.set_timeouts(options.io_timeout)?;
    stream.check_peer_is_same_user()?;
    let paired = handshake::run_sender(
        &mut stream.with_deadline(options.io_timeout, options.io_timeout),
        code,
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
