//! Property tests of the model: generated documents round-trip through the canonical writer and
//! the parser unchanged, and no byte input makes the parser panic.
//!
//! The generators cover several accounts, collections with sub-collections, items with scopes,
//! tags and extensions, credentials of most types (and unknown types), unknown members holding
//! arbitrary JSON values on every kind of object, and arbitrary Unicode in every string. They
//! avoid only what the parser normalises on purpose (padded or standard-alphabet base64, unknown
//! member names that are known names or old-draft names), since such input is not canonical.

use cxf::{
    AccessorType, Account, AndroidAppCertificateFingerprint, AndroidAppId, ApiKey, B64, BasicAuth,
    Collection, Credential, CredentialScope, CustomFields, Document, EditableField, Extension,
    Fido2Extensions, Fido2HmacCredentials, Fido2LargeBlob, FieldType, Item, Limits, LinkedItem,
    Note, Passkey, Permission, Secret, SecretB64, Shared, SharingAccessor, Text, Totp,
    TotpAlgorithm, Unknown, UnknownCredential, UnknownExtension,
};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use serde_json::{Map, Number, Value};

/// Any Unicode text, short (proptest's `any::<String>()` covers every code point).
fn text() -> BoxedStrategy<String> {
    prop_oneof![
        3 => "[a-zA-Z0-9 ._@:/-]{0,12}",
        2 => any::<String>().prop_map(|s| s.chars().take(12).collect()),
        1 => Just(String::new()),
        1 => "[\"\\\\\u{0}-\u{1f}\u{7f}\u{2028}\u{feff}\u{10ffff}]{1,4}",
    ]
    .boxed()
}

fn t() -> BoxedStrategy<Text> {
    text().prop_map(Text::from).boxed()
}

fn secret() -> BoxedStrategy<Secret> {
    text().prop_map(Secret::from).boxed()
}

/// A base64url value: encoded bytes, or any text the parser keeps as written (no `=`, `+`,
/// `/`, which it canonicalises).
fn b64() -> BoxedStrategy<B64> {
    prop_oneof![
        3 => vec(any::<u8>(), 0..24).prop_map(|b| B64::encode(&b)),
        1 => text()
            .prop_filter("not canonicalisable base64", |s| !s.contains(['=', '+', '/']))
            .prop_map(B64::from_text),
    ]
    .boxed()
}

fn secret_b64() -> BoxedStrategy<SecretB64> {
    vec(any::<u8>(), 0..48)
        .prop_map(|b| SecretB64::encode(&b))
        .boxed()
}

/// An unknown member name: never a name the model knows in any object, nor an old-draft name.
fn member_name() -> BoxedStrategy<String> {
    text().prop_map(|s| format!("x{s}")).boxed()
}

/// A JSON value of bounded depth with every JSON type, numbers of every kind included.
fn json_value() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<u64>().prop_map(|n| Value::Number(n.into())),
        any::<i64>().prop_map(|n| Value::Number(n.into())),
        any::<f64>()
            .prop_filter_map("finite", Number::from_f64)
            .prop_map(Value::Number),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 5, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..5).prop_map(Value::Array),
            vec((text(), inner), 0..5)
                .prop_map(|members| Value::Object(members.into_iter().collect::<Map<_, _>>())),
        ]
    })
    .boxed()
}

fn unknown() -> BoxedStrategy<Unknown> {
    prop_oneof![
        2 => Just(Unknown::empty()),
        1 => vec((member_name(), json_value()), 1..4).prop_map(|members| {
            let mut u = Unknown::empty();
            for (name, value) in members {
                u.insert(name, value);
            }
            u
        }),
    ]
    .boxed()
}

fn field_type() -> BoxedStrategy<FieldType> {
    prop_oneof![
        Just(FieldType::String),
        Just(FieldType::ConcealedString),
        Just(FieldType::Email),
        Just(FieldType::Number),
        Just(FieldType::Boolean),
        Just(FieldType::Date),
        Just(FieldType::YearMonth),
        Just(FieldType::WifiNetworkSecurityType),
        Just(FieldType::CountryCode),
        Just(FieldType::SubdivisionCode),
        text().prop_map(|s| FieldType::from_json_str(&format!("x-{s}"))),
    ]
    .boxed()
}

fn unknown_extension() -> BoxedStrategy<Extension> {
    (text(), unknown())
        .prop_map(|(name, members)| {
            Extension::Unknown(Box::new(UnknownExtension {
                name: Text::from(format!("x-{name}")),
                members,
            }))
        })
        .boxed()
}

fn shared_extension() -> BoxedStrategy<Extension> {
    let permission = prop_oneof![
        Just(Permission::Read),
        Just(Permission::ReadSecret),
        Just(Permission::Update),
        Just(Permission::Share),
        text().prop_map(|s| Permission::from_json_str(&format!("x-{s}"))),
    ];
    let accessor = (
        prop_oneof![Just(AccessorType::User), Just(AccessorType::Group)],
        b64(),
        t(),
        vec(permission, 0..3),
        unknown(),
    )
        .prop_map(
            |(kind, account_id, name, permissions, unknown)| SharingAccessor {
                kind,
                account_id,
                name,
                permissions: permissions.into(),
                unknown,
            },
        );
    (vec(accessor, 0..3), unknown())
        .prop_map(|(accessors, unknown)| {
            Extension::Shared(Box::new(Shared {
                accessors: accessors.into(),
                unknown,
            }))
        })
        .boxed()
}

fn extensions() -> impl Strategy<Value = Vec<Extension>> {
    vec(prop_oneof![shared_extension(), unknown_extension()], 0..2)
}

fn field() -> BoxedStrategy<EditableField> {
    (
        option::of(b64()),
        field_type(),
        secret(),
        option::of(t()),
        vec(unknown_extension(), 0..2),
        unknown(),
    )
        .prop_map(
            |(id, field_type, value, label, extensions, unknown)| EditableField {
                id,
                field_type,
                value,
                label,
                extensions: extensions.into(),
                unknown,
            },
        )
        .boxed()
}

fn passkey() -> BoxedStrategy<Credential> {
    let hmac = (t(), secret_b64(), option::of(secret_b64()), unknown()).prop_map(
        |(algorithm, cred_with_uv, cred_without_uv, unknown)| Fido2HmacCredentials {
            algorithm,
            cred_with_uv,
            cred_without_uv,
            unknown,
        },
    );
    let blob =
        (any::<u64>(), secret_b64(), unknown()).prop_map(|(uncompressed_size, data, unknown)| {
            Fido2LargeBlob {
                uncompressed_size,
                data,
                unknown,
            }
        });
    let extensions = (
        option::of(hmac),
        option::of(secret_b64()),
        option::of(blob),
        option::of(any::<bool>()),
        unknown(),
    )
        .prop_map(
            |(hmac_credentials, cred_blob, large_blob, payments, unknown)| Fido2Extensions {
                hmac_credentials,
                cred_blob,
                large_blob,
                payments,
                unknown,
            },
        );
    (
        (b64(), t(), t(), t(), b64()),
        secret_b64(),
        option::of(extensions),
        unknown(),
    )
        .prop_map(
            |(
                (credential_id, rp_id, username, user_display_name, user_handle),
                key,
                ext,
                unknown,
            )| {
                Credential::from(Passkey {
                    credential_id,
                    rp_id,
                    username,
                    user_display_name,
                    user_handle,
                    key,
                    fido2_extensions: ext.map(Into::into),
                    unknown,
                })
            },
        )
        .boxed()
}

fn credential() -> BoxedStrategy<Credential> {
    let basic_auth = (option::of(field()), option::of(field()), unknown()).prop_map(
        |(username, password, unknown)| {
            Credential::from(BasicAuth {
                username,
                password,
                unknown,
            })
        },
    );
    let note = (field(), unknown())
        .prop_map(|(content, unknown)| Credential::from(Note { content, unknown }));
    let totp = (
        secret(),
        option::of(any::<u64>()),
        option::of(any::<u64>()),
        option::of(t()),
        prop_oneof![
            Just(TotpAlgorithm::Sha1),
            Just(TotpAlgorithm::Sha256),
            Just(TotpAlgorithm::Sha512),
            text().prop_map(|s| TotpAlgorithm::from_json_str(&format!("x-{s}"))),
        ],
        option::of(t()),
        unknown(),
    )
        .prop_map(
            |(secret, period, digits, username, algorithm, issuer, unknown)| {
                Credential::from(Totp {
                    secret,
                    period,
                    digits,
                    username,
                    algorithm,
                    issuer,
                    unknown,
                })
            },
        );
    let api_key = (
        option::of(field()),
        option::of(field()),
        option::of(field()),
        unknown(),
    )
        .prop_map(|(key, username, url, unknown)| {
            Credential::from(ApiKey {
                key,
                username,
                url,
                unknown,
                ..ApiKey::default()
            })
        });
    let custom = (
        option::of(b64()),
        option::of(t()),
        vec(field(), 0..3),
        extensions(),
        unknown(),
    )
        .prop_map(|(id, label, fields, extensions, unknown)| {
            Credential::from(CustomFields {
                id,
                label,
                fields: fields.into(),
                extensions: extensions.into(),
                unknown,
            })
        });
    let unknown_type = (text(), unknown()).prop_map(|(name, members)| {
        Credential::Unknown(Box::new(UnknownCredential {
            type_name: Text::from(format!("x-{name}")),
            members,
        }))
    });
    prop_oneof![
        basic_auth,
        note,
        totp,
        api_key,
        custom,
        passkey(),
        unknown_type
    ]
    .boxed()
}

fn scope() -> BoxedStrategy<CredentialScope> {
    let cert = (b64(), t(), unknown()).prop_map(|(fingerprint, hash_alg, unknown)| {
        AndroidAppCertificateFingerprint {
            fingerprint,
            hash_alg,
            unknown,
        }
    });
    let app = (t(), option::of(cert), option::of(t()), unknown()).prop_map(
        |(bundle_id, certificate, name, unknown)| AndroidAppId {
            bundle_id,
            certificate,
            name,
            unknown,
        },
    );
    (vec(t(), 0..3), vec(app, 0..2), unknown())
        .prop_map(|(urls, android_apps, unknown)| CredentialScope {
            urls: urls.into(),
            android_apps: android_apps.into(),
            unknown,
        })
        .boxed()
}

fn item() -> BoxedStrategy<Item> {
    (
        (
            b64(),
            option::of(any::<u64>()),
            option::of(any::<u64>()),
            t(),
            option::of(t()),
        ),
        option::of(any::<bool>()),
        option::of(scope()),
        vec(credential(), 0..4),
        vec(t(), 0..3),
        extensions(),
        unknown(),
    )
        .prop_map(
            |(
                (id, creation_at, modified_at, title, subtitle),
                favorite,
                scope,
                credentials,
                tags,
                extensions,
                unknown,
            )| Item {
                id,
                creation_at,
                modified_at,
                title,
                subtitle,
                favorite,
                scope,
                credentials: credentials.into(),
                tags: tags.into(),
                extensions: extensions.into(),
                unknown,
            },
        )
        .boxed()
}

fn collection() -> BoxedStrategy<Collection> {
    let linked =
        (b64(), option::of(b64()), unknown()).prop_map(|(item, account, unknown)| LinkedItem {
            item,
            account,
            unknown,
        });
    let leaf = (
        (
            b64(),
            option::of(any::<u64>()),
            option::of(any::<u64>()),
            t(),
            option::of(t()),
        ),
        vec(linked, 0..3),
        extensions(),
        unknown(),
    )
        .prop_map(
            |((id, creation_at, modified_at, title, subtitle), items, extensions, unknown)| {
                Collection {
                    id,
                    creation_at,
                    modified_at,
                    title,
                    subtitle,
                    items: items.into(),
                    sub_collections: Default::default(),
                    extensions: extensions.into(),
                    unknown,
                }
            },
        );
    leaf.prop_recursive(3, 8, 3, |inner| {
        (inner.clone(), vec(inner, 0..3)).prop_map(|(mut c, subs)| {
            c.sub_collections = subs.into();
            c
        })
    })
    .boxed()
}

fn account() -> BoxedStrategy<Account> {
    (
        (b64(), t(), t(), option::of(t())),
        vec(collection(), 0..3),
        vec(item(), 0..4),
        extensions(),
        unknown(),
    )
        .prop_map(
            |((id, username, email, full_name), collections, items, extensions, unknown)| Account {
                id,
                username,
                email,
                full_name,
                collections: collections.into(),
                items: items.into(),
                extensions: extensions.into(),
                unknown,
            },
        )
        .boxed()
}

fn document() -> BoxedStrategy<Document> {
    (t(), t(), any::<u64>(), vec(account(), 0..3), unknown())
        .prop_map(
            |(exporter_rp_id, exporter_display_name, timestamp, accounts, unknown)| Document {
                exporter_rp_id,
                exporter_display_name,
                timestamp,
                accounts,
                unknown,
                ..Document::default()
            },
        )
        .boxed()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    /// parse(to_json_vec(doc)) == doc, without notes, for compact and pretty output; writing the
    /// re-parsed document gives the same bytes.
    #[test]
    fn generated_documents_round_trip(doc in document()) {
        let limits = Limits::default();
        let out = doc.to_json_vec();
        let parsed = Document::parse(&out, &limits)
            .map_err(|e| TestCaseError::fail(format!("canonical output rejected: {e}")))?;
        prop_assert!(parsed.document == doc, "round trip changed the document");
        prop_assert!(parsed.notes.is_empty(), "notes on canonical output: {:?}", parsed.notes);
        prop_assert_eq!(&*parsed.document.to_json_vec(), &*out);
        let pretty = Document::parse(&doc.to_json_vec_pretty(), &limits)
            .map_err(|e| TestCaseError::fail(format!("pretty output rejected: {e}")))?;
        prop_assert!(pretty.document == doc, "pretty round trip changed the document");
    }

    /// The writer's output is JSON that `serde_json` reads to the same value as ours, and the
    /// secrets of a generated document never appear in its `Debug` output.
    #[test]
    fn output_is_json_and_debug_hides_secrets(doc in document()) {
        let out = doc.to_json_vec();
        let value: Value = serde_json::from_slice(&out)
            .map_err(|e| TestCaseError::fail(format!("output is not JSON: {e}")))?;
        prop_assert_eq!(value["version"]["major"].as_u64(), Some(1));
        let debug = format!("{doc:?}");
        for secret in secrets(&doc) {
            // Short secrets can match field names or punctuation by chance.
            if secret.chars().count() >= 6 && !debug_has_text(&doc, &secret) {
                prop_assert!(!debug.contains(&secret), "secret shows in Debug");
            }
        }
    }

    /// Arbitrary bytes never make the parser panic, under default and tiny limits.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in vec(any::<u8>(), 0..2048)) {
        let _ = Document::parse(&bytes, &Limits::default());
        let _ = Document::parse(&bytes, &tiny_limits());
    }

    /// Canonical output damaged by byte edits (flip, delete, insert, truncate) never makes the
    /// parser panic; whatever it accepts writes again and re-parses.
    #[test]
    fn damaged_documents_never_panic(
        doc in document(),
        edits in vec((any::<prop::sample::Index>(), 0u8..4, any::<u8>()), 1..8),
    ) {
        let mut bytes = doc.to_json_vec().to_vec();
        for (at, op, byte) in edits {
            if bytes.is_empty() { break; }
            let i = at.index(bytes.len());
            match op {
                0 => bytes[i] ^= byte | 1,
                1 => { bytes.remove(i); }
                2 => bytes.insert(i, byte),
                _ => bytes.truncate(i),
            }
        }
        for limits in [Limits::default(), tiny_limits()] {
            if let Ok(parsed) = Document::parse(&bytes, &limits) {
                let again = Document::parse(&parsed.document.to_json_vec(), &Limits::default());
                prop_assert!(again.is_ok(), "accepted input writes output that is rejected");
            }
        }
    }
}

fn tiny_limits() -> Limits {
    let mut l = Limits::default();
    l.max_depth = 4;
    l.max_items = 1;
    l.max_string_bytes = 8;
    l.max_values = 64;
    l
}

/// The secret values of a document's credentials (the members the spec treats as secret).
fn secrets(doc: &Document) -> Vec<String> {
    let mut out = Vec::new();
    let mut field = |f: &Option<EditableField>| {
        if let Some(f) = f {
            out.push(f.value.expose().to_owned());
        }
    };
    let mut fields = Vec::new();
    for account in &doc.accounts {
        for item in &account.items {
            for c in &item.credentials {
                match c {
                    Credential::BasicAuth(b) => {
                        fields.push(b.username.clone());
                        fields.push(b.password.clone());
                    }
                    Credential::Note(n) => fields.push(Some(n.content.clone())),
                    Credential::ApiKey(k) => fields.push(k.key.clone()),
                    Credential::CustomFields(c) => {
                        fields.extend(c.fields.iter().cloned().map(Some));
                    }
                    _ => {}
                }
            }
        }
    }
    fields.iter().for_each(&mut field);
    for account in &doc.accounts {
        for item in &account.items {
            for c in &item.credentials {
                match c {
                    Credential::Totp(t) => out.push(t.secret.expose().to_owned()),
                    Credential::Passkey(p) => out.push(p.key.expose().to_owned()),
                    _ => {}
                }
            }
        }
    }
    out
}

/// Whether `s` is part of some non-secret text of the document (then Debug may show it).
fn debug_has_text(doc: &Document, s: &str) -> bool {
    let json = String::from_utf8_lossy(&doc.to_json_vec()).into_owned();
    let value: Value = serde_json::from_str(&json).unwrap_or(Value::Null);
    fn walk(v: &Value, s: &str, in_secret: bool) -> bool {
        match v {
            Value::String(x) => !in_secret && x.contains(s),
            Value::Array(a) => a.iter().any(|v| walk(v, s, in_secret)),
            Value::Object(m) => m.iter().any(|(k, v)| {
                let secret_member = (m.contains_key("fieldType") && k == "value")
                    || matches!(k.as_str(), "secret" | "key");
                k.contains(s) || walk(v, s, in_secret || secret_member)
            }),
            _ => false,
        }
    }
    walk(&value, s, false)
}
