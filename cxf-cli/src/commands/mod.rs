//! One module per subcommand.

pub(crate) mod convert;
pub(crate) mod inspect;
pub(crate) mod validate;
