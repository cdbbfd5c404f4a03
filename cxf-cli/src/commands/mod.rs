//! One module per subcommand.

pub(crate) mod conformance;
pub(crate) mod convert;
pub(crate) mod formats;
pub(crate) mod inspect;
pub(crate) mod live;
pub(crate) mod open;
pub(crate) mod receive;
pub(crate) mod reencrypt;
pub(crate) mod request;
pub(crate) mod respond;
pub(crate) mod schema;
pub(crate) mod send;
mod source;
mod transfer;
pub(crate) mod validate;
