//! Extensions (§3.5): objects discriminated by `name`, and the `shared` extension.

use crate::error::ParseErrorKind;
use crate::json::reader::{Reader, Result};
use crate::json::writer::Writer;
use crate::model::codec::{FromJson, ToJson, record, string_enum};
use crate::model::{B64, Unknown};
use crate::parse::Ctx;
use crate::pointer::Path;
use crate::text::Text;

string_enum! {
    /// Who a [`SharingAccessor`] is.
    pub enum AccessorType {
        /// A single account.
        User = "user",
        /// A group of accounts.
        Group = "group",
    }
}

string_enum! {
    /// A permission granted by the `shared` extension.
    pub enum Permission {
        /// Use the item but not reveal its secrets.
        Read = "read",
        /// Reveal secrets.
        ReadSecret = "readSecret",
        /// Edit.
        Update = "update",
        /// Create sub-entities.
        Create = "create",
        /// Delete sub-entities.
        Delete = "delete",
        /// Share sub-entities.
        Share = "share",
        /// Manage attributes and sharing.
        Manage = "manage",
    }
}

record! {
    /// One account or group that a collection or item is shared with.
    pub struct SharingAccessor {
        /// `user` or `group`.
        kind: req AccessorType = "type",
        /// Id of the account given access.
        account_id: req B64 = "accountId",
        /// The account's username or the group's name.
        name: req Text = "name",
        /// What the accessor may do.
        permissions: arr Permission = "permissions",
    }
}

record! {
    /// The `shared` extension: who else has access to a collection or item.
    pub struct Shared {
        /// The accessors.
        accessors: arr SharingAccessor = "accessors",
    }
}

/// An extension whose `name` this version does not know, kept as written.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UnknownExtension {
    /// The extension name.
    pub name: Text,
    /// All other members.
    pub members: Unknown,
}

/// An extension object (§3.5), dispatched on its `name` member.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Extension {
    /// The `shared` extension.
    Shared(Box<Shared>),
    /// Any other extension, kept losslessly.
    Unknown(Box<UnknownExtension>),
}

impl Extension {
    /// The extension name.
    pub fn name(&self) -> &str {
        match self {
            Extension::Shared(_) => "shared",
            Extension::Unknown(u) => &u.name,
        }
    }
}

/// Reads the discriminator member `disc` of the object at the reader's position, dispatching
/// without buffering when it is the first member (the usual case) and looking ahead otherwise.
/// Returns the discriminator, the cursor, and whether the discriminator was consumed.
pub(crate) fn read_discriminator<'a>(
    r: &mut Reader<'a>,
    disc: &'static str,
    path: &Path<'_>,
) -> Result<(
    std::borrow::Cow<'a, str>,
    crate::json::reader::ObjectCursor,
    bool,
)> {
    let cp = r.checkpoint();
    let mut cur = r.begin_object(path)?;
    if let Some(key) = r.next_key(&mut cur, path)? {
        if key == disc {
            let value = r.read_str(&path.key(disc))?;
            return Ok((value, cur, true));
        }
    }
    r.restore(cp);
    let value = match r.find_string_member(disc, path)? {
        Some(v) => v,
        None => return Err(r.error(ParseErrorKind::MissingMember, &path.key(disc))),
    };
    let cur = r.begin_object(path)?;
    Ok((value, cur, false))
}

/// Reads all members but the discriminator into an [`Unknown`].
pub(crate) fn read_unknown_members(
    r: &mut Reader<'_>,
    path: &Path<'_>,
    cur: &mut crate::json::reader::ObjectCursor,
    disc: &'static str,
    mut disc_seen: bool,
) -> Result<Unknown> {
    let mut members = Unknown::default();
    while let Some(key) = r.next_key(cur, path)? {
        let kpath = path.key(&key);
        if key == disc {
            if disc_seen {
                return Err(r.error(ParseErrorKind::DuplicateMember, &kpath));
            }
            disc_seen = true;
            r.skip_value(&kpath)?;
        } else {
            members.read_member(r, &key, &kpath)?;
        }
    }
    Ok(members)
}

impl FromJson for Extension {
    fn from_json(r: &mut Reader<'_>, ctx: &mut Ctx, path: &Path<'_>) -> Result<Self> {
        let (name, mut cur, seen) = read_discriminator(r, "name", path)?;
        if name == "shared" {
            let shared = Shared::read_members(r, ctx, path, &mut cur, Some(("name", seen)))?;
            return Ok(Extension::Shared(Box::new(shared)));
        }
        let name = Text::from(name.as_ref());
        let members = read_unknown_members(r, path, &mut cur, "name", seen)?;
        Ok(Extension::Unknown(Box::new(UnknownExtension {
            name,
            members,
        })))
    }
}

impl ToJson for Extension {
    fn to_json(&self, w: &mut Writer) {
        w.begin_object();
        w.key("name");
        w.string(self.name());
        match self {
            Extension::Shared(s) => s.write_members(w),
            Extension::Unknown(u) => u.members.write_members(w),
        }
        w.end_object();
    }
}
