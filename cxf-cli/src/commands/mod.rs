//! One module per subcommand.

pub(crate) mod convert;
pub(crate) mod inspect;
pub(crate) mod schema;
pub(crate) mod validate;
