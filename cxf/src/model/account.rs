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

#[cfg_attr(not(feature = "formats"), allow(dead_code))]
impl Account {
    /// Writes `{` and the members before `items` in canonical order, then `"items": [`: the
    /// streamed CXF output writes the items one at a time after it. Keep in step with the
    /// `record!` above (a test compares the streamed output with [`Document::to_json_vec_pretty`](crate::Document::to_json_vec_pretty)).
    pub(crate) fn write_head(&self, w: &mut crate::json::writer::Writer) {
        use crate::model::codec::write_member;
        w.begin_object();
        write_member!(req, &self.id, "id", w);
        write_member!(req, &self.username, "username", w);
        write_member!(req, &self.email, "email", w);
        write_member!(opt, &self.full_name, "fullName", w);
        write_member!(arr, &self.collections, "collections", w);
        w.key("items");
        w.begin_array();
    }

    /// Closes what [`Account::write_head`] opened, with the members after `items`.
    pub(crate) fn write_tail(&self, w: &mut crate::json::writer::Writer) {
        use crate::model::codec::write_member;
        w.end_array();
        write_member!(opt_arr, &self.extensions, "extensions", w);
        self.unknown.write_members(w);
        w.end_object();
    }
}
