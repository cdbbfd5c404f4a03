//! Collection (§3.2.2) and LinkedItem (§3.2.2.1).

use crate::model::codec::record;
use crate::model::{B64, Extension};
use crate::text::Text;

record! {
    /// A reference to an item, by id; the item may belong to another account and may be
    /// absent from this exchange.
    pub struct LinkedItem {
        /// Id of the referenced item.
        item: req B64 = "item",
        /// Id of the owning account; absent means the current account.
        account: opt B64 = "account",
    }
}

record! {
    /// A folder-like grouping of items owned by the account. Holds references, not copies.
    pub struct Collection {
        /// Opaque identifier (base64url, at most 64 bytes).
        id: req B64 = "id",
        /// Creation time, UNIX seconds.
        creation_at: ts u64 = "creationAt",
        /// Last modification time, UNIX seconds.
        modified_at: ts u64 = "modifiedAt",
        /// Display name.
        title: req Text = "title",
        /// Description.
        subtitle: opt Text = "subtitle",
        /// Members of the collection.
        items: arr LinkedItem = "items",
        /// Nested collections.
        sub_collections: opt_arr Collection = "subCollections",
        /// Extensions, e.g. `shared`.
        extensions: opt_arr Extension = "extensions",
    }
}
