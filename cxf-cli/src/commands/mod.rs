//! One module per subcommand.

pub(crate) mod convert;
pub(crate) mod inspect;
pub(crate) mod open;
pub(crate) mod reencrypt;
pub(crate) mod request;
pub(crate) mod respond;
mod transfer;
pub(crate) mod validate;
