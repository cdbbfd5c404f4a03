//! A flat view of an item for the writers of login-only formats (browser CSVs): the first
//! login, URLs, first TOTP and the notes, plus a report of everything else.

use crate::formats::build;
use crate::formats::loss::ItemRef;
use crate::formats::{LossReason, LossReport};
use zeroize::Zeroizing;

use crate::{Credential, Document, Item, Totp};

/// What a login-only format can hold of one item.
pub(crate) struct Flat<'a> {
    pub(crate) item: &'a Item,
    /// Position of the item across accounts.
    pub(crate) index: usize,
    /// Account and position in the account.
    pub(crate) at: (usize, usize),
    pub(crate) username: &'a str,
    pub(crate) password: &'a str,
    /// The first TOTP and its position in the item's credentials.
    pub(crate) totp: Option<(usize, &'a Totp)>,
    /// Note contents with their positions in the item's credentials.
    pub(crate) notes: Vec<(usize, &'a str)>,
}

impl Flat<'_> {
    pub(crate) fn item_ref(&self) -> ItemRef<'_> {
        ItemRef::in_document(self.at.0, self.at.1, self.index, self.item.title.as_str())
    }

    /// The notes joined as one cell.
    pub(crate) fn note(&self) -> Zeroizing<String> {
        let notes: Vec<&str> = self.notes.iter().map(|(_, n)| *n).collect();
        Zeroizing::new(notes.join("\n\n"))
    }

    /// Reports that the target's importer refuses this row (it is not written): `why` says
    /// which rule, in the target's words.
    pub(crate) fn refused(&self, target: &str, why: &str, loss: &mut LossReport) {
        loss.lose(
            &self.item_ref(),
            "",
            "item",
            LossReason::TargetRefuses,
            format!("{target} refuses {why}, so this login was not written; complete it in the source or choose another format"),
        );
    }

    /// The first TOTP as an `otpauth://` URI (empty without one); one that cannot be written
    /// as a URI is reported.
    pub(crate) fn totp_uri(&self, loss: &mut LossReport) -> Zeroizing<String> {
        match self.totp.map(|(ci, t)| (ci, build::otp_of(t))) {
            Some((_, Some(o))) => crate::formats::util::otp::to_uri(&o),
            Some((ci, None)) => {
                loss.lose(
                    &self.item_ref(),
                    &format!("/credentials/{ci}"),
                    format!("credentials[{ci}]:totp"),
                    LossReason::InvalidValue,
                    "TOTP secret or algorithm not writable as an otpauth URI",
                );
                Zeroizing::new(String::new())
            }
            None => Zeroizing::new(String::new()),
        }
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
    for (ai, account) in doc.accounts.iter().enumerate() {
        build::report_account_extras(ai, account, caps.name, loss);
        if !account.collections.is_empty() {
            loss.lose(
                &ItemRef::node(format!("/accounts/{ai}/collections")),
                "",
                "collections",
                LossReason::NoEquivalent,
                format!(
                    "{} has no folders; {} collection(s) not carried",
                    caps.name,
                    account.collections.len()
                ),
            );
        }
        for (ii, item) in account.items.iter().enumerate() {
            let r = ItemRef::in_document(ai, ii, index, item.title.as_str());
            let mut flat = Flat {
                item,
                index,
                at: (ai, ii),
                username: "",
                password: "",
                totp: None,
                notes: Vec::new(),
            };
            index += 1;
            let has_login = item
                .credentials
                .iter()
                .any(|c| matches!(c, Credential::BasicAuth(_)));
            if !has_login && !keep_without_login {
                loss.lose(
                    &r,
                    "",
                    "item",
                    LossReason::Skipped,
                    build::prf_detail(
                        &item.credentials,
                        format!("{} holds only logins and this item has none", caps.name),
                    ),
                );
                continue;
            }
            let mut login_taken = false;
            for (ci, c) in item.credentials.iter().enumerate() {
                let what = format!("credentials[{ci}]:{}", c.type_name());
                match c {
                    Credential::BasicAuth(b) if !login_taken => {
                        login_taken = true;
                        flat.username = build::value(&b.username);
                        flat.password = build::value(&b.password);
                        for (member, f) in [("username", &b.username), ("password", &b.password)] {
                            if f.as_ref().is_some_and(|f| f.label.is_some()) {
                                loss.lose(
                                    &r,
                                    &format!("/credentials/{ci}/{member}/label"),
                                    format!("credentials[{ci}]:basic-auth.{member}.label"),
                                    LossReason::NoEquivalent,
                                    format!("{} has no field labels", caps.name),
                                );
                            }
                        }
                    }
                    Credential::Totp(t) if caps.totp && flat.totp.is_none() => {
                        flat.totp = Some((ci, t));
                    }
                    Credential::Note(n) if caps.note => {
                        flat.notes.push((ci, n.content.value.expose()))
                    }
                    _ => loss.lose(
                        &r,
                        &format!("/credentials/{ci}"),
                        what,
                        LossReason::NoEquivalent,
                        build::prf_detail([c], format!("{} holds only logins", caps.name)),
                    ),
                }
            }
            let urls = flat.urls();
            for extra in caps.urls..urls.len() {
                loss.lose(
                    &r,
                    &format!("/scope/urls/{extra}"),
                    "scope.urls",
                    LossReason::NoEquivalent,
                    format!(
                        "{} holds {} URL per login; this one was left out",
                        caps.name, caps.urls
                    ),
                );
            }
            let apps = item.scope.as_ref().map_or(0, |s| s.android_apps.len());
            // Chrome's `url` cell holds one `android://` app when the item has no URL.
            let apps_written = usize::from(caps.android && urls.is_empty() && apps > 0);
            for app in apps_written..apps {
                loss.lose(
                    &r,
                    &format!("/scope/androidApps/{app}"),
                    "scope.androidApps",
                    LossReason::NoEquivalent,
                    format!("{} has no Android app bindings", caps.name),
                );
            }
            if !item.tags.is_empty() {
                loss.lose(
                    &r,
                    "/tags",
                    "tags",
                    LossReason::NoEquivalent,
                    format!("{} has no tags", caps.name),
                );
            }
            build::report_item_extras(item, &r, caps.name, loss);
            if !caps.timestamps {
                for (member, t) in [
                    ("creationAt", item.creation_at),
                    ("modifiedAt", item.modified_at),
                ] {
                    if t.is_some() {
                        loss.lose(
                            &r,
                            &format!("/{member}"),
                            member,
                            LossReason::NoEquivalent,
                            format!("{} has no creation or modification times", caps.name),
                        );
                    }
                }
            }
            if item.favorite == Some(true) {
                loss.lose(
                    &r,
                    "/favorite",
                    "favorite",
                    LossReason::NoEquivalent,
                    format!("{} has no favourites", caps.name),
                );
            }
            out.push(flat);
        }
    }
    out
}
