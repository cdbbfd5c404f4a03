//! Account (§3.2.1).

use crate::model::codec::record;
use crate::model::{B64, Collection, Extension, Item};
use crate::text::Text;

record! {
    /// A user account at the exporter, with the collections and items it owns.
    pub struct Account {
        /// Opaque identifier (base64url, at most 64 bytes).
        id: req B64 = "id",
        /// The user's pseudonym at the exporter; empty string when none.
        username: req Text = "username" | "userName" => "wd-user-name",
        /// E-mail address the account was registered with.
        email: req Text = "email",
        /// Full name.
        full_name: opt Text = "fullName",
        /// Collections owned by the account.
        collections: arr Collection = "collections",
        /// Items owned by the account.
        items: arr Item = "items",
        /// Extensions.
        extensions: opt_arr Extension = "extensions",
    }
}
