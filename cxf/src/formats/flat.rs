//! A flat view of an item for the writers of login-only formats (browser CSVs): the first
//! login, URLs, first TOTP and the notes, plus a report of everything else.

use crate::formats::build;
use crate::formats::loss::ItemRef;
use crate::formats::{LossReason, LossReport};
use crate::{Credential, Document, Item, Totp};

/// What a login-only format can hold of one item.
pub(crate) struct Flat<'a> {
    pub(crate) item: &'a Item,
    pub(crate) index: usize,
    pub(crate) username: &'a str,
    pub(crate) password: &'a str,
    pub(crate) totp: Option<&'a Totp>,
    pub(crate) notes: Vec<&'a str>,
}

impl Flat<'_> {
    pub(crate) fn item_ref(&self) -> ItemRef<'_> {
        ItemRef::new(self.index, self.item.title.as_str())
    }

    pub(crate) fn urls(&self) -> Vec<&str> {
        self.item
            .scope
            .as_ref()
            .map(|s| s.urls.iter().map(|u| u.as_str()).collect())
            .unwrap_or_default()
    }
}

/// What the target can hold besides a username and password.
#[derive(Clone, Copy)]
pub(crate) struct Caps {
    pub(crate) totp: bool,
    pub(crate) note: bool,
    pub(crate) urls: usize,
    pub(crate) timestamps: bool,
    /// The `url` cell can hold an `android://` app (Chrome).
    pub(crate) android: bool,
    pub(crate) name: &'static str,
}

/// Flattens every item, reporting what `caps` cannot hold. Items without a login are skipped
/// (and reported) unless `keep_without_login`.
pub(crate) fn flatten<'a>(
    doc: &'a Document,
    caps: Caps,
    keep_without_login: bool,
    loss: &mut LossReport,
) -> Vec<Flat<'a>> {
    let mut out = Vec::new();
    let mut index = 0usize;
    let mut collections = 0usize;
    let mut timestamps = false;
    for account in &doc.accounts {
        collections += account.collections.len();
        for item in &account.items {
            let r = ItemRef::new(index, item.title.as_str());
            let mut flat = Flat {
                item,
                index,
                username: "",
                password: "",
                totp: None,
                notes: Vec::new(),
            };
            index += 1;
            let mut has_login = false;
            for (ci, c) in item.credentials.iter().enumerate() {
                let what = || format!("credentials[{ci}]:{}", c.type_name());
                match c {
                    Credential::BasicAuth(b) if !has_login => {
                        has_login = true;
                        flat.username = build::value(&b.username);
                        flat.password = build::value(&b.password);
                    }
                    Credential::Totp(t) if caps.totp && flat.totp.is_none() => flat.totp = Some(t),
                    Credential::Note(n) if caps.note => flat.notes.push(n.content.value.expose()),
                    _ => loss.add(
                        &r,
                        what(),
                        LossReason::NoEquivalent,
                        format!("{} holds only logins", caps.name),
                    ),
                }
            }
            if !has_login && !keep_without_login {
                loss.add(
                    &r,
                    "item",
                    LossReason::Skipped,
                    format!("{} holds only logins and this item has none", caps.name),
                );
                continue;
            }
            let urls = flat.urls();
            if urls.len() > caps.urls {
                loss.add(
                    &r,
                    "scope.urls",
                    LossReason::NoEquivalent,
                    format!(
                        "{} holds {} URL per login; the others were left out",
                        caps.name, caps.urls
                    ),
                );
            }
            let apps = item.scope.as_ref().map_or(0, |s| s.android_apps.len());
            // Chrome's `url` cell holds one `android://` app when the item has no URL.
            let apps_written = usize::from(caps.android && urls.is_empty() && apps > 0);
            if apps > apps_written {
                loss.add(
                    &r,
                    "scope.androidApps",
                    LossReason::NoEquivalent,
                    format!("{} has no Android app bindings", caps.name),
                );
            }
            if !item.tags.is_empty() {
                loss.add(
                    &r,
                    "tags",
                    LossReason::NoEquivalent,
                    format!("{} has no tags", caps.name),
                );
            }
            build::report_item_extras(item, &r, caps.name, loss);
            timestamps |= item.creation_at.is_some() || item.modified_at.is_some();
            if item.favorite == Some(true) {
                loss.add(
                    &r,
                    "favorite",
                    LossReason::NoEquivalent,
                    format!("{} has no favourites", caps.name),
                );
            }
            out.push(flat);
        }
    }
    if timestamps && !caps.timestamps {
        loss.add(
            &ItemRef::default(),
            "creationAt/modifiedAt",
            LossReason::NoEquivalent,
            format!("{} has no creation or modification times", caps.name),
        );
    }
    if collections > 0 {
        loss.add(
            &ItemRef::default(),
            "collections",
            LossReason::NoEquivalent,
            format!(
                "{} has no folders; {collections} collection(s) not carried",
                caps.name
            ),
        );
    }
    out
}
