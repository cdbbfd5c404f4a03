//! Counts that describe a document without revealing any secret: what `cxf inspect` shows.

use std::collections::BTreeMap;

use crate::model::{Collection, Credential, Document};

/// Per-account counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSummary {
    /// Account username (may be empty).
    pub username: String,
    /// Account e-mail.
    pub email: String,
    /// Number of items.
    pub items: usize,
    /// Number of collections, nested ones included.
    pub collections: usize,
}

/// What a document holds, by the numbers. Contains names and counts only, never values of
/// credentials.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Summary {
    /// One entry per account.
    pub accounts: Vec<AccountSummary>,
    /// Total items.
    pub items: usize,
    /// Total credentials.
    pub credentials: usize,
    /// Credentials by `type` (unknown types included under their name).
    pub credentials_by_type: BTreeMap<String, usize>,
    /// Passkeys by relying party id.
    pub passkeys_by_rp_id: BTreeMap<String, usize>,
    /// Credential types this version does not know, with counts.
    pub unknown_credential_types: BTreeMap<String, usize>,
}

fn count_collections(collections: &[Collection]) -> usize {
    collections
        .iter()
        .map(|c| 1 + count_collections(&c.sub_collections))
        .sum()
}

impl Summary {
    /// Summarises `document`.
    pub fn of(document: &Document) -> Self {
        let mut s = Summary::default();
        for account in &document.accounts {
            s.accounts.push(AccountSummary {
                username: account.username.to_string(),
                email: account.email.to_string(),
                items: account.items.len(),
                collections: count_collections(&account.collections),
            });
            for item in &account.items {
                s.items += 1;
                for credential in &item.credentials {
                    s.credentials += 1;
                    *s.credentials_by_type
                        .entry(credential.type_name().to_owned())
                        .or_default() += 1;
                    match credential {
                        Credential::Passkey(p) => {
                            *s.passkeys_by_rp_id.entry(p.rp_id.to_string()).or_default() += 1;
                        }
                        Credential::Unknown(u) => {
                            *s.unknown_credential_types
                                .entry(u.type_name.to_string())
                                .or_default() += 1;
                        }
                        _ => {}
                    }
                }
            }
        }
        s
    }
}
