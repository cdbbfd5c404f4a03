//! The document walk: visits every object of a [`Document`] in writer order and runs the
//! checks of the other modules on it.

use crate::model::{
    Account, B64, Collection, Credential, EditableField, Extension, Fido2Extensions, FieldType,
    Item, LinkedItem, SecretB64,
};
use crate::{Document, Passkey};

use super::ctx::{Ptr, Sink};
use super::extensions::{self, Host};
use super::formats::{self, quote};
use super::ids::{self, IdScope};
use super::{fields, others, passkey, rules, scope, time};

/// The value of an optional field.
fn val(f: &Option<EditableField>) -> Option<&str> {
    f.as_ref().map(|f| f.value.expose())
}

/// What the walk needs besides the document.
pub(crate) struct Walk {
    pub(crate) sink: Sink,
    /// Current time, UNIX seconds (for "in the future").
    pub(crate) now: u64,
    /// Large-blob bytes that may still be inflated in this run.
    pub(crate) blob_budget: u64,
    /// Passkey private keys to check after the walk (in parallel: the P-256 public key
    /// derivation dominates validation time).
    pub(crate) keys: Vec<passkey::DeferredKey>,
    /// When set, full chunks of `keys` go to key-check threads while the walk goes on
    /// (numbered from 0 in walk order).
    pub(crate) key_tx: Option<std::sync::mpsc::Sender<(usize, Vec<passkey::DeferredKey>)>>,
    /// Chunks sent on `key_tx` so far.
    pub(crate) chunks_sent: usize,
    /// The last identifier decoded by [`Walk::id`] (one buffer for them all).
    id_buf: Vec<u8>,
}

/// Keys per chunk handed to a key-check thread during the walk. The batch check costs fewer
/// point additions per key the larger the batch (about 19 at 2048 keys, 17 at 4096); 4096 still
/// leaves several chunks for the threads in a vault of 20,000 passkeys.
pub(crate) const KEY_CHUNK: usize = 4096;

/// Per-account state.
pub(crate) struct AccountCtx {
    ids: IdScope,
    /// Decoded id of the account.
    account_id: Option<Vec<u8>>,
    /// Export timestamp, when plausible and non-zero.
    export: Option<u64>,
}

impl AccountCtx {
    /// Whether a LinkedItem points into this account (no `account`, or this account's id).
    fn is_own(&self, link: &LinkedItem) -> bool {
        match &link.account {
            None => true,
            Some(a) => a.decode().ok().as_deref() == self.account_id.as_deref(),
        }
    }
}

impl Walk {
    /// A walk at `now` (UNIX seconds) that may inflate `blob_budget` bytes of large blobs.
    pub(crate) fn new(now: u64, blob_budget: u64) -> Self {
        Walk {
            sink: Sink::default(),
            now,
            blob_budget,
            keys: Vec::new(),
            key_tx: None,
            chunks_sent: 0,
            id_buf: Vec::new(),
        }
    }

    /// Check `doc`; header members only when `header` (a bare Account has none of its own).
    pub(crate) fn document(&mut self, doc: &Document, header: bool) {
        let export = self.header(doc, header);
        let accounts = Ptr::root().key("accounts");
        for (i, account) in doc.accounts.iter().enumerate() {
            let at = accounts.idx(i);
            let mut ctx = self.begin_account(account, &at, export, account.items.len());
            self.items(&account.items, 0, &at, &mut ctx);
            self.end_account(account, &at, &mut ctx);
        }
    }

    /// Check the header members (when `header`); the export time, when plausible.
    pub(crate) fn header(&mut self, doc: &Document, header: bool) -> Option<u64> {
        let root = Ptr::root();
        let mut export = None;
        if header {
            let v = &doc.version;
            if (v.major, v.minor) != (1, 0) {
                self.sink.push(
                    rules::VERSION_UNPUBLISHED,
                    &root.key("version"),
                    format!(
                        "version {}.{} is not a published CXF level",
                        v.major, v.minor
                    ),
                    "CXF 1.0 documents carry {\"major\": 1, \"minor\": 0}",
                );
            }
            if let Err(problem) = formats::check_domain(&doc.exporter_rp_id) {
                let what = match problem {
                    formats::DomainProblem::Empty => "exporterRpId is empty".to_owned(),
                    _ => format!(
                        "exporterRpId {} is not a domain",
                        quote(&doc.exporter_rp_id)
                    ),
                };
                self.sink.push(
                    rules::HEADER_EXPORTER_RP_ID,
                    &root.key("exporterRpId"),
                    what,
                    "use the exporter's RP ID, e.g. \"vault.example.com\"",
                );
            }
            if doc.exporter_display_name.trim().is_empty() {
                self.sink.push(
                    rules::HEADER_DISPLAY_NAME_EMPTY,
                    &root.key("exporterDisplayName"),
                    "exporterDisplayName is empty",
                    "set exporterDisplayName to the app's name as users know it",
                );
            }
            let ts = root.key("timestamp");
            if time::check_plausible(&mut self.sink, &ts, doc.timestamp, self.now)
                && doc.timestamp > 0
            {
                export = Some(doc.timestamp);
            }
        }
        export
    }

    /// Starts the account at `at` (its items are walked next, in one or more calls of
    /// [`Walk::items`], then [`Walk::end_account`]); `items` sizes the id sets.
    pub(crate) fn begin_account(
        &mut self,
        account: &Account,
        at: &Ptr<'_>,
        export: Option<u64>,
        items: usize,
    ) -> AccountCtx {
        let mut ctx = AccountCtx {
            ids: IdScope::with_capacity(1 + items + account.collections.len(), at),
            account_id: None,
            export,
        };
        let id_at = at.key("id");
        if self.id(&id_at, &account.id) {
            ctx.ids.entity(&mut self.sink, &id_at, &self.id_buf);
            ctx.account_id = Some(self.id_buf.clone());
        }
        let collections = at.key("collections");
        for (i, c) in account.collections.iter().enumerate() {
            self.collection(c, &collections.idx(i), &mut ctx);
        }
        ctx
    }

    /// Checks `items`, the account's items from position `first` on.
    pub(crate) fn items(
        &mut self,
        items: &[Item],
        first: usize,
        at: &Ptr<'_>,
        ctx: &mut AccountCtx,
    ) {
        let items_at = at.key("items");
        for (i, item) in items.iter().enumerate() {
            self.item(item, &items_at.idx(first + i), first + i, ctx);
        }
    }

    /// Ends the account: its collections' links (resolved against every item seen) and its
    /// extensions.
    pub(crate) fn end_account(&mut self, account: &Account, at: &Ptr<'_>, ctx: &mut AccountCtx) {
        let collections = at.key("collections");
        for (i, c) in account.collections.iter().enumerate() {
            self.links(c, &collections.idx(i), ctx);
        }
        self.extensions(&account.extensions, &at.key("extensions"), Host::Account);
    }

    fn timestamps(
        &mut self,
        at: &Ptr<'_>,
        creation: Option<u64>,
        modified: Option<u64>,
        export: Option<u64>,
    ) {
        let now = self.now;
        let mut plausible = |name: &str, t: Option<u64>| {
            t.filter(|&t| time::check_plausible(&mut self.sink, &at.key(name), t, now))
        };
        let c = plausible("creationAt", creation);
        let m = plausible("modifiedAt", modified);
        time::check_order(&mut self.sink, at, c, m, export);
    }

    /// Check an identifier; when it decodes, its bytes are in `self.id_buf`.
    fn id(&mut self, at: &Ptr<'_>, id: &B64) -> bool {
        ids::check_id_into(&mut self.sink, at, id, &mut self.id_buf)
    }

    /// Check a collection, all but its links (they need every item: [`Walk::links`]).
    fn collection(&mut self, c: &Collection, at: &Ptr<'_>, ctx: &mut AccountCtx) {
        let id_at = at.key("id");
        if self.id(&id_at, &c.id) {
            ctx.ids.entity(&mut self.sink, &id_at, &self.id_buf);
        }
        self.timestamps(at, c.creation_at, c.modified_at, ctx.export);
        let subs = at.key("subCollections");
        for (i, sub) in c.sub_collections.iter().enumerate() {
            self.collection(sub, &subs.idx(i), ctx);
        }
        self.extensions(&c.extensions, &at.key("extensions"), Host::Collection);
    }

    /// Check a collection's links (and its sub-collections'), once every item is known.
    fn links(&mut self, c: &Collection, at: &Ptr<'_>, ctx: &mut AccountCtx) {
        let items = at.key("items");
        for (i, link) in c.items.iter().enumerate() {
            let link_at = items.idx(i);
            let resolved = self.link(link, &link_at, ctx);
            if resolved == Some(false) {
                self.sink.push(
                    rules::LINKED_ITEM_UNRESOLVED,
                    &link_at.key("item"),
                    "the collection lists an item of this account that is not in the export",
                    "export the linked item too, or drop the link",
                );
            }
        }
        let subs = at.key("subCollections");
        for (i, sub) in c.sub_collections.iter().enumerate() {
            self.links(sub, &subs.idx(i), ctx);
        }
    }

    /// Check a LinkedItem's ids; `Some(resolved)` when it points into this account.
    fn link(&mut self, link: &LinkedItem, at: &Ptr<'_>, ctx: &AccountCtx) -> Option<bool> {
        let item = self
            .id(&at.key("item"), &link.item)
            .then(|| ctx.ids.has_item(&self.id_buf));
        if let Some(account) = &link.account {
            self.id(&at.key("account"), account);
        }
        let item = item?;
        ctx.is_own(link).then_some(item)
    }

    fn item(&mut self, item: &Item, at: &Ptr<'_>, index: usize, ctx: &mut AccountCtx) {
        ctx.ids.begin_item();
        let id_at = at.key("id");
        if self.id(&id_at, &item.id) {
            ctx.ids.item(&mut self.sink, &id_at, index, &self.id_buf);
        }
        self.timestamps(at, item.creation_at, item.modified_at, ctx.export);
        if let Some(sc) = &item.scope {
            let sc_at = at.key("scope");
            let urls = sc_at.key("urls");
            for (i, url) in sc.urls.iter().enumerate() {
                scope::check_url(&mut self.sink, &urls.idx(i), url, true);
            }
            let apps = sc_at.key("androidApps");
            for (i, app) in sc.android_apps.iter().enumerate() {
                let app_at = apps.idx(i);
                let cert = app.certificate.as_ref().and_then(|c| {
                    let cert_at = app_at.key("certificate");
                    ids::check_b64_text(&mut self.sink, &cert_at.key("fingerprint"), &c.fingerprint)
                        .map(|fp| (c.hash_alg.as_str().to_owned(), fp))
                });
                scope::check_android_app(
                    &mut self.sink,
                    &app_at,
                    &app.bundle_id,
                    cert.as_ref().map(|(alg, fp)| (alg.as_str(), fp.as_slice())),
                );
            }
        } else if item
            .credentials
            .iter()
            .any(|c| matches!(c, Credential::BasicAuth(_)))
        {
            self.sink.push(
                rules::SCOPE_MISSING,
                at,
                "the item has a basic-auth credential but no scope",
                "add a scope with the URLs (or Android apps) the login belongs to",
            );
        }
        let creds = at.key("credentials");
        if item.credentials.is_empty() {
            // At the item: `credentials` may be absent from the input.
            self.sink.push(
                rules::ITEM_NO_CREDENTIALS,
                at,
                "the item has no credentials",
                "add the item's credentials, or leave the item out",
            );
        }
        for (i, c) in item.credentials.iter().enumerate() {
            self.credential(c, &creds.idx(i), ctx);
        }
        self.extensions(&item.extensions, &at.key("extensions"), Host::Item);
    }

    /// Check an optional EditableField member `name` of the credential at `cred`.
    fn ef(
        &mut self,
        cred: &Ptr<'_>,
        name: &str,
        field: Option<&EditableField>,
        expected: FieldType,
        ctx: &mut AccountCtx,
    ) {
        if let Some(f) = field {
            self.field(&cred.key(name), f, Some(expected), ctx);
        }
    }

    fn field(
        &mut self,
        at: &Ptr<'_>,
        f: &EditableField,
        expected: Option<FieldType>,
        ctx: &mut AccountCtx,
    ) {
        if let Some(id) = &f.id {
            let id_at = at.key("id");
            if self.id(&id_at, id) {
                ctx.ids.field(&mut self.sink, &id_at, &self.id_buf);
            }
        }
        fields::check_field(
            &mut self.sink,
            at,
            f.field_type.as_str(),
            f.value.expose(),
            expected.as_ref().map(FieldType::as_str),
        );
        self.extensions(&f.extensions, &at.key("extensions"), Host::Field);
    }

    fn credential(&mut self, c: &Credential, at: &Ptr<'_>, ctx: &mut AccountCtx) {
        use FieldType as T;
        match c {
            Credential::Address(a) => {
                self.ef(
                    at,
                    "streetAddress",
                    a.street_address.as_ref(),
                    T::String,
                    ctx,
                );
                self.ef(at, "postalCode", a.postal_code.as_ref(), T::String, ctx);
                self.ef(at, "city", a.city.as_ref(), T::String, ctx);
                self.ef(
                    at,
                    "territory",
                    a.territory.as_ref(),
                    T::SubdivisionCode,
                    ctx,
                );
                self.ef(at, "country", a.country.as_ref(), T::CountryCode, ctx);
                self.ef(at, "tel", a.tel.as_ref(), T::String, ctx);
            }
            Credential::ApiKey(k) => {
                self.ef(at, "key", k.key.as_ref(), T::ConcealedString, ctx);
                self.ef(at, "username", k.username.as_ref(), T::String, ctx);
                self.ef(at, "keyType", k.key_type.as_ref(), T::String, ctx);
                self.ef(at, "url", k.url.as_ref(), T::String, ctx);
                self.ef(at, "validFrom", k.valid_from.as_ref(), T::Date, ctx);
                self.ef(at, "expiryDate", k.expiry_date.as_ref(), T::Date, ctx);
                if let Some(url) = &k.url {
                    let v = url.value.expose();
                    if !v.is_empty() {
                        scope::check_url(&mut self.sink, &at.key("url").key("value"), v, false);
                    }
                }
                others::check_date_order(
                    &mut self.sink,
                    at,
                    &[(
                        ("validFrom", val(&k.valid_from)),
                        ("expiryDate", val(&k.expiry_date)),
                    )],
                );
            }
            Credential::BasicAuth(b) => {
                self.ef(at, "username", b.username.as_ref(), T::String, ctx);
                self.ef(at, "password", b.password.as_ref(), T::ConcealedString, ctx);
            }
            Credential::CreditCard(cc) => {
                self.ef(at, "number", cc.number.as_ref(), T::ConcealedString, ctx);
                self.ef(at, "fullName", cc.full_name.as_ref(), T::String, ctx);
                self.ef(at, "cardType", cc.card_type.as_ref(), T::String, ctx);
                self.ef(
                    at,
                    "verificationNumber",
                    cc.verification_number.as_ref(),
                    T::ConcealedString,
                    ctx,
                );
                self.ef(at, "pin", cc.pin.as_ref(), T::ConcealedString, ctx);
                self.ef(at, "expiryDate", cc.expiry_date.as_ref(), T::YearMonth, ctx);
                self.ef(at, "validFrom", cc.valid_from.as_ref(), T::YearMonth, ctx);
                others::check_card(
                    &mut self.sink,
                    at,
                    val(&cc.number),
                    val(&cc.valid_from),
                    val(&cc.expiry_date),
                );
            }
            Credential::CustomFields(cf) => {
                if let Some(id) = &cf.id {
                    let id_at = at.key("id");
                    if self.id(&id_at, id) {
                        ctx.ids.field(&mut self.sink, &id_at, &self.id_buf);
                    }
                }
                let fields_at = at.key("fields");
                for (i, f) in cf.fields.iter().enumerate() {
                    self.field(&fields_at.idx(i), f, None, ctx);
                }
                self.extensions(&cf.extensions, &at.key("extensions"), Host::Field);
            }
            Credential::DriversLicense(dl) => {
                self.ef(at, "fullName", dl.full_name.as_ref(), T::String, ctx);
                self.ef(at, "birthDate", dl.birth_date.as_ref(), T::Date, ctx);
                self.ef(at, "issueDate", dl.issue_date.as_ref(), T::Date, ctx);
                self.ef(at, "expiryDate", dl.expiry_date.as_ref(), T::Date, ctx);
                self.ef(
                    at,
                    "issuingAuthority",
                    dl.issuing_authority.as_ref(),
                    T::String,
                    ctx,
                );
                self.ef(
                    at,
                    "territory",
                    dl.territory.as_ref(),
                    T::SubdivisionCode,
                    ctx,
                );
                self.ef(at, "country", dl.country.as_ref(), T::CountryCode, ctx);
                self.ef(
                    at,
                    "licenseNumber",
                    dl.license_number.as_ref(),
                    T::String,
                    ctx,
                );
                self.ef(
                    at,
                    "licenseClass",
                    dl.license_class.as_ref(),
                    T::String,
                    ctx,
                );
                self.document_dates(at, &dl.birth_date, &dl.issue_date, &dl.expiry_date);
            }
            Credential::File(f) => {
                self.id(&at.key("id"), &f.id);
                let hash = ids::check_b64_text(
                    &mut self.sink,
                    &at.key("integrityHash"),
                    &f.integrity_hash,
                );
                others::check_file(
                    &mut self.sink,
                    at,
                    &f.name,
                    hash.as_ref().map(|h| h.as_slice()),
                );
            }
            Credential::GeneratedPassword(_) => {}
            Credential::IdentityDocument(d) => {
                self.ef(
                    at,
                    "issuingCountry",
                    d.issuing_country.as_ref(),
                    T::CountryCode,
                    ctx,
                );
                self.ef(
                    at,
                    "documentNumber",
                    d.document_number.as_ref(),
                    T::String,
                    ctx,
                );
                self.ef(
                    at,
                    "identificationNumber",
                    d.identification_number.as_ref(),
                    T::String,
                    ctx,
                );
                self.ef(at, "nationality", d.nationality.as_ref(), T::String, ctx);
                self.ef(at, "fullName", d.full_name.as_ref(), T::String, ctx);
                self.ef(at, "birthDate", d.birth_date.as_ref(), T::Date, ctx);
                self.ef(at, "birthPlace", d.birth_place.as_ref(), T::String, ctx);
                self.ef(at, "sex", d.sex.as_ref(), T::String, ctx);
                self.ef(at, "issueDate", d.issue_date.as_ref(), T::Date, ctx);
                self.ef(at, "expiryDate", d.expiry_date.as_ref(), T::Date, ctx);
                self.ef(
                    at,
                    "issuingAuthority",
                    d.issuing_authority.as_ref(),
                    T::String,
                    ctx,
                );
                self.document_dates(at, &d.birth_date, &d.issue_date, &d.expiry_date);
            }
            Credential::ItemReference(r) => {
                let ref_at = at.key("reference");
                if self.link(&r.reference, &ref_at, ctx) == Some(false) {
                    self.sink.push(
                        rules::ITEM_REFERENCE_UNRESOLVED,
                        &ref_at.key("item"),
                        "the referenced item belongs to this account but is not in the export",
                        "export the referenced item too, or drop the reference",
                    );
                }
            }
            Credential::Note(n) => {
                self.field(&at.key("content"), &n.content, Some(T::String), ctx);
            }
            Credential::Passkey(p) => self.passkey(p, at),
            Credential::Passport(p) => {
                self.ef(
                    at,
                    "issuingCountry",
                    p.issuing_country.as_ref(),
                    T::CountryCode,
                    ctx,
                );
                self.ef(at, "passportType", p.passport_type.as_ref(), T::String, ctx);
                self.ef(
                    at,
                    "passportNumber",
                    p.passport_number.as_ref(),
                    T::String,
                    ctx,
                );
                self.ef(
                    at,
                    "nationalIdentificationNumber",
                    p.national_identification_number.as_ref(),
                    T::String,
                    ctx,
                );
                self.ef(at, "nationality", p.nationality.as_ref(), T::String, ctx);
                self.ef(at, "fullName", p.full_name.as_ref(), T::String, ctx);
                self.ef(at, "birthDate", p.birth_date.as_ref(), T::Date, ctx);
                self.ef(at, "birthPlace", p.birth_place.as_ref(), T::String, ctx);
                self.ef(at, "sex", p.sex.as_ref(), T::String, ctx);
                self.ef(at, "issueDate", p.issue_date.as_ref(), T::Date, ctx);
                self.ef(at, "expiryDate", p.expiry_date.as_ref(), T::Date, ctx);
                self.ef(
                    at,
                    "issuingAuthority",
                    p.issuing_authority.as_ref(),
                    T::String,
                    ctx,
                );
                if let Some(t) = &p.passport_type {
                    others::check_passport_type(
                        &mut self.sink,
                        &at.key("passportType"),
                        t.value.expose(),
                    );
                }
                self.document_dates(at, &p.birth_date, &p.issue_date, &p.expiry_date);
            }
            Credential::PersonName(n) => {
                for (name, f) in [
                    ("title", &n.title),
                    ("given", &n.given),
                    ("givenInformal", &n.given_informal),
                    ("given2", &n.given2),
                    ("surnamePrefix", &n.surname_prefix),
                    ("surname", &n.surname),
                    ("surname2", &n.surname2),
                    ("credentials", &n.credentials),
                    ("generation", &n.generation),
                ] {
                    self.ef(at, name, f.as_ref(), T::String, ctx);
                }
            }
            Credential::SshKey(k) => {
                if let Some(der) = self.secret_b64(&at.key("privateKey"), &k.private_key) {
                    others::check_ssh_key(&mut self.sink, at, &k.key_type, &der);
                }
                self.ef(at, "creationDate", k.creation_date.as_ref(), T::Date, ctx);
                self.ef(at, "expiryDate", k.expiry_date.as_ref(), T::Date, ctx);
                self.ef(
                    at,
                    "keyGenerationSource",
                    k.key_generation_source.as_ref(),
                    T::String,
                    ctx,
                );
                others::check_date_order(
                    &mut self.sink,
                    at,
                    &[(
                        ("creationDate", val(&k.creation_date)),
                        ("expiryDate", val(&k.expiry_date)),
                    )],
                );
            }
            Credential::Totp(t) => {
                if t.period.is_none() || t.digits.is_none() {
                    self.sink.push(
                        rules::TOTP_DEFAULTS_MISSING,
                        at,
                        "the TOTP credential has no period or no digits",
                        "write both; importers otherwise assume 30 seconds and 6 digits",
                    );
                }
                others::check_totp(
                    &mut self.sink,
                    at,
                    t.secret.expose(),
                    t.period.unwrap_or(30),
                    t.digits.unwrap_or(6),
                    t.algorithm.as_str(),
                );
            }
            Credential::Wifi(w) => {
                self.ef(at, "ssid", w.ssid.as_ref(), T::String, ctx);
                self.ef(
                    at,
                    "networkSecurityType",
                    w.network_security_type.as_ref(),
                    T::WifiNetworkSecurityType,
                    ctx,
                );
                self.ef(
                    at,
                    "passphrase",
                    w.passphrase.as_ref(),
                    T::ConcealedString,
                    ctx,
                );
                self.ef(at, "hidden", w.hidden.as_ref(), T::Boolean, ctx);
            }
            Credential::Unknown(u) => {
                self.sink.push(
                    rules::CREDENTIAL_UNKNOWN_TYPE,
                    &at.key("type"),
                    format!(
                        "unknown credential type {} (importers skip it)",
                        quote(&u.type_name)
                    ), "no action needed unless it is a misspelt CXF 1.0 type: importers skip types they do not know",
);
            }
        }
    }

    fn document_dates(
        &mut self,
        at: &Ptr<'_>,
        birth: &Option<EditableField>,
        issue: &Option<EditableField>,
        expiry: &Option<EditableField>,
    ) {
        others::check_date_order(
            &mut self.sink,
            at,
            &[
                (("birthDate", val(birth)), ("issueDate", val(issue))),
                (("issueDate", val(issue)), ("expiryDate", val(expiry))),
            ],
        );
    }

    fn secret_b64(&mut self, at: &Ptr<'_>, v: &SecretB64) -> Option<zeroize::Zeroizing<Vec<u8>>> {
        ids::check_b64_text(&mut self.sink, at, v.expose())
    }

    fn passkey(&mut self, p: &Passkey, at: &Ptr<'_>) {
        let cid_at = at.key("credentialId");
        if let Some(cid) = ids::check_b64_text(&mut self.sink, &cid_at, &p.credential_id) {
            passkey::check_credential_id(&mut self.sink, &cid_at, &cid);
        }
        passkey::check_rp_id(&mut self.sink, &at.key("rpId"), &p.rp_id);
        let uh_at = at.key("userHandle");
        if let Some(uh) = ids::check_b64_text(&mut self.sink, &uh_at, &p.user_handle) {
            passkey::check_user_handle(&mut self.sink, &uh_at, &uh);
        }
        let key_at = at.key("key");
        if let Some(der) = self.secret_b64(&key_at, &p.key) {
            self.keys.push(passkey::DeferredKey {
                pos: self.sink.diagnostics.len(),
                at: key_at.render(),
                der,
            });
            if self.keys.len() >= KEY_CHUNK {
                if let Some(tx) = &self.key_tx {
                    let chunk = std::mem::take(&mut self.keys);
                    // A send fails only when every worker is gone; keep checking after the walk.
                    match tx.send((self.chunks_sent, chunk)) {
                        Ok(()) => self.chunks_sent += 1,
                        Err(returned) => self.keys = returned.0.1,
                    }
                }
            }
        }
        if let Some(ext) = &p.fido2_extensions {
            self.fido2(ext, &at.key("fido2Extensions"));
        }
    }

    fn fido2(&mut self, ext: &Fido2Extensions, at: &Ptr<'_>) {
        if let Some(h) = &ext.hmac_credentials {
            let h_at = at.key("hmacCredentials");
            let uv = self.secret_b64(&h_at.key("credWithUV"), &h.cred_with_uv);
            let no_uv = match &h.cred_without_uv {
                Some(v) => self.secret_b64(&h_at.key("credWithoutUV"), v),
                None => {
                    // A missing member is reported at its parent (the pointer must exist).
                    self.sink.push(
                        rules::PASSKEY_HMAC_INCOMPLETE,
                        &h_at,
                        "hmacCredentials has no credWithoutUV",
                        "an exporter with a single hmac-secret seed must generate the second one",
                    );
                    None
                }
            };
            // Length checks only for seeds that decoded; a missing seed is reported above.
            let empty = zeroize::Zeroizing::new(vec![0u8; 32]);
            if uv.is_some() || no_uv.is_some() {
                passkey::check_hmac(
                    &mut self.sink,
                    &h_at,
                    &h.algorithm,
                    uv.as_deref().map_or(&empty[..], |v| &v[..]),
                    no_uv.as_deref().map_or(&empty[..], |v| &v[..]),
                );
            } else if h.algorithm.as_str() != "hmac-sha256" {
                passkey::check_hmac(&mut self.sink, &h_at, &h.algorithm, &empty, &empty);
            }
        }
        if let Some(blob) = &ext.cred_blob {
            self.secret_b64(&at.key("credBlob"), blob);
        }
        if let Some(lb) = &ext.large_blob {
            let lb_at = at.key("largeBlob");
            if let Some(data) = self.secret_b64(&lb_at.key("data"), &lb.data) {
                // Past the run's budget, blobs are no longer inflated (bounded work).
                let cost = lb.uncompressed_size.min(passkey::MAX_LARGE_BLOB_BYTES);
                if cost <= self.blob_budget {
                    self.blob_budget -= cost;
                    passkey::check_large_blob(&mut self.sink, &lb_at, lb.uncompressed_size, &data);
                }
            }
        }
        for legacy in ["hmacSecret", "supplementalKeys"] {
            if ext.unknown.get(legacy).is_some() {
                self.sink.push(
                    rules::PASSKEY_LEGACY_EXTENSION,
                    &at.key(legacy),
                    format!("fido2Extensions.{legacy} is a draft-era member, not part of CXF 1.0"),
                    "use hmacCredentials {algorithm, credWithUV, credWithoutUV}",
                );
            }
        }
    }

    fn extensions(&mut self, list: &[Extension], at: &Ptr<'_>, host: Host) {
        for (i, ext) in list.iter().enumerate() {
            let ext_at = at.idx(i);
            extensions::check_name(&mut self.sink, &ext_at, ext.name(), host);
            if let Extension::Shared(shared) = ext {
                let accs = ext_at.key("accessors");
                for (j, acc) in shared.accessors.iter().enumerate() {
                    let acc_at = accs.idx(j);
                    self.id(&acc_at.key("accountId"), &acc.account_id);
                    let perms: Vec<&str> = acc.permissions.iter().map(|p| p.as_str()).collect();
                    extensions::check_accessor(&mut self.sink, &acc_at, acc.kind.as_str(), &perms);
                }
            }
        }
    }
}
