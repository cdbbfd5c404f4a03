//! Item (§3.2.3), CredentialScope (§3.2.4) and AndroidAppId (§3.2.4.1).

use serde_json::Value;

use crate::error::ParseErrorKind;
use crate::json::reader::{Reader, Result};
use crate::model::codec::record;
use crate::model::{B64, Credential, Extension};
use crate::parse::Ctx;
use crate::pointer::Path;
use crate::text::Text;

record! {
    /// The fingerprint of an Android app's signing certificate.
    pub struct AndroidAppCertificateFingerprint {
        /// Raw hash bytes of the certificate, base64url.
        fingerprint: req B64 = "fingerprint",
        /// Hash algorithm, e.g. `sha256`. Older emitters wrote `hashAlgorithm`.
        hash_alg: req Text = "hashAlg" | "hashAlgorithm" => "rd-hash-algorithm",
    }
}

record! {
    /// An Android app allowed to use the item's credentials.
    pub struct AndroidAppId {
        /// Application id, e.g. `com.example.app`.
        bundle_id: req Text = "bundleId",
        /// Signing certificate fingerprint (strongly recommended).
        certificate: opt AndroidAppCertificateFingerprint = "certificate",
        /// Human-readable app name.
        name: opt Text = "name",
    }
}

record! {
    /// Where an item's credentials should be offered.
    pub struct CredentialScope {
        /// Web origins and URLs (RFC 3986).
        urls: arr Text = "urls",
        /// Android apps.
        android_apps: arr AndroidAppId = "androidApps",
    }
}

record! {
    /// One entry of a vault: a login, a card, a document... holding one or more credentials.
    pub struct Item [after_read] {
        /// Opaque identifier (base64url, at most 64 bytes), unique in the account.
        id: req B64 = "id",
        /// Creation time, UNIX seconds.
        creation_at: ts u64 = "creationAt",
        /// Last modification time, UNIX seconds.
        modified_at: ts u64 = "modifiedAt",
        /// User-defined name.
        title: req Text = "title",
        /// Description.
        subtitle: opt Text = "subtitle",
        /// Starred in the exporter's UI.
        favorite: opt bool = "favorite",
        /// Where the credentials apply.
        scope: opt CredentialScope = "scope",
        /// The credentials.
        credentials: arr Credential = "credentials",
        /// User tags.
        tags: opt_arr Text = "tags",
        /// Extensions, e.g. `shared`.
        extensions: opt_arr Extension = "extensions",
    }
}

impl Item {
    /// Counts the item against the limit, then moves the 2024 draft's `basic-auth.urls` into
    /// the item's scope, where CXF 1.0 keeps URLs.
    fn after_read(&mut self, r: &mut Reader<'_>, ctx: &mut Ctx, path: &Path<'_>) -> Result<()> {
        if !ctx.count_item() {
            let max = ctx.max_items();
            return Err(r.error(
                ParseErrorKind::Limit {
                    limit: "max_items",
                    max,
                },
                path,
            ));
        }
        let creds = path.key("credentials");
        for (i, credential) in self.credentials.iter_mut().enumerate() {
            let Credential::BasicAuth(auth) = credential else {
                continue;
            };
            let Some(Value::Array(urls)) = auth.unknown.get("urls") else {
                continue;
            };
            if !urls.iter().all(Value::is_string) {
                continue;
            }
            let urls: Vec<Text> = urls
                .iter()
                .filter_map(Value::as_str)
                .map(Text::from)
                .collect();
            auth.unknown.remove("urls");
            let index = creds.index(i);
            ctx.note(
                "wd-basic-auth-urls",
                &index.key("urls"),
                "basic-auth `urls` (2024 draft) moved to the item's scope",
            );
            let scope = self.scope.get_or_insert_with(CredentialScope::default);
            // A set, not `contains` on the list: a hostile file with 100k urls must not be O(n²).
            let mut seen: std::collections::HashSet<Text> = scope.urls.iter().cloned().collect();
            for url in urls {
                if seen.insert(url.clone()) {
                    scope.urls.push(url);
                }
            }
        }
        Ok(())
    }
}
