//! Where a receiver listens, as a typed value and as the string users copy (`unix:/…`, `tcp:…`).

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;

/// The address of a waiting receiver.
///
/// String form: `unix:/absolute/path/to/sock` or `tcp:127.0.0.1:PORT`. TCP addresses must be
/// loopback: the channel is for two programs of one user on one machine.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Address {
    /// A Unix domain socket path.
    Unix(PathBuf),
    /// A loopback TCP address (the explicit fallback).
    Tcp(SocketAddr),
}

/// Why an address string was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AddressError {
    /// Neither `unix:` nor `tcp:`.
    #[error(
        "unknown address form; expected `unix:/path/to/socket` or `tcp:127.0.0.1:PORT` \
         as printed by the receiver"
    )]
    UnknownScheme,
    /// `unix:` with a relative or empty path.
    #[error("a `unix:` address needs an absolute socket path, as printed by the receiver")]
    RelativePath,
    /// `tcp:` with something that is not `IP:PORT`.
    #[error("a `tcp:` address needs IP:PORT, for example `tcp:127.0.0.1:40123`")]
    BadSocketAddr,
    /// `tcp:` with an address that is not loopback.
    #[error(
        "refusing a non-loopback TCP address: the channel only connects programs on this \
         machine; use the `unix:` or `tcp:127.0.0.1:` address the receiver printed"
    )]
    NotLoopback,
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::Unix(path) => write!(f, "unix:{}", path.display()),
            Address::Tcp(addr) => write!(f, "tcp:{addr}"),
        }
    }
}

impl FromStr for Address {
    type Err = AddressError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if let Some(path) = s.strip_prefix("unix:") {
            let path = PathBuf::from(path);
            if !path.is_absolute() {
                return Err(AddressError::RelativePath);
            }
            Ok(Address::Unix(path))
        } else if let Some(addr) = s.strip_prefix("tcp:") {
            let addr: SocketAddr = addr.parse().map_err(|_| AddressError::BadSocketAddr)?;
            if !addr.ip().is_loopback() {
                return Err(AddressError::NotLoopback);
            }
            Ok(Address::Tcp(addr))
        } else {
            Err(AddressError::UnknownScheme)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_and_parse_round_trip() {
        for text in [
            "unix:/run/user/1000/cxf/r-abc/sock",
            "tcp:127.0.0.1:40123",
            "tcp:[::1]:9",
        ] {
            let addr: Address = text.parse().unwrap();
            assert_eq!(addr.to_string(), text);
        }
    }

    #[test]
    fn rejects_what_the_channel_must_not_connect_to() {
        assert_eq!(
            "unix:sock".parse::<Address>(),
            Err(AddressError::RelativePath)
        );
        assert_eq!("unix:".parse::<Address>(), Err(AddressError::RelativePath));
        assert_eq!(
            "tcp:10.0.0.1:80".parse::<Address>(),
            Err(AddressError::NotLoopback)
        );
        assert_eq!(
            "tcp:localhost:80".parse::<Address>(),
            Err(AddressError::BadSocketAddr)
        );
        assert_eq!(
            "/tmp/sock".parse::<Address>(),
            Err(AddressError::UnknownScheme)
        );
    }
}
