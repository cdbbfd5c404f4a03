//! `serde` support (feature `serde`), so a password manager can embed CXF types in its own
//! serde structs.
//!
//! [`Document`], [`Account`] and [`Item`] serialise as their canonical CXF JSON (the writer of
//! [`Document::to_json_vec`]) and deserialise through the strict reader ([`Document::parse`]
//! with [`Limits::default`]): exactly what the parser accepts, with its quirk normalisation, and
//! nothing a derived implementation would let through. An [`Account`] or [`Item`] is read
//! inside a minimal document, so its errors name members below `/accounts/0` (and
//! `/items/0`).
//!
//! The bridge is a `serde_json::Value`: secret values pass through it and it is not wiped.
//! Serialising to JSON bytes yourself ([`Document::to_json_vec`]) avoids that copy.

use serde::de::Error as _;
use serde::ser::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Value, json};
use zeroize::Zeroizing;

use crate::{Account, Document, Item, Limits};

/// The canonical JSON of `doc` as a `Value`.
fn canonical(doc: &Document) -> Result<Value, serde_json::Error> {
    serde_json::from_slice(&doc.to_json_vec())
}

/// Parses `value` with the strict reader.
fn parse(value: &Value) -> Result<Document, String> {
    let bytes = Zeroizing::new(serde_json::to_vec(value).map_err(|e| e.to_string())?);
    Document::parse(&bytes, &Limits::default())
        .map(|p| p.document)
        .map_err(|e| e.to_string())
}

/// A header around `accounts`: what the parser needs to read one account.
fn header(accounts: Value) -> Value {
    json!({
        "version": {"major": 1, "minor": 0},
        "exporterRpId": "serde.invalid",
        "exporterDisplayName": "serde",
        "timestamp": 0,
        "accounts": accounts,
    })
}

/// An account around `items`.
fn account(items: Value) -> Value {
    json!({"id": "AA", "username": "", "email": "", "items": items})
}

impl Serialize for Document {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        canonical(self)
            .map_err(S::Error::custom)?
            .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Document {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        parse(&Value::deserialize(deserializer)?).map_err(D::Error::custom)
    }
}

impl Serialize for Account {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let doc = Document {
            accounts: vec![self.clone()],
            ..Document::default()
        };
        let mut v = canonical(&doc).map_err(S::Error::custom)?;
        v["accounts"][0].take().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Account {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        let mut doc = parse(&header(json!([value]))).map_err(D::Error::custom)?;
        doc.accounts
            .pop()
            .ok_or_else(|| D::Error::custom("no account"))
    }
}

impl Serialize for Item {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut account = Account::default();
        account.items.push(self.clone());
        let doc = Document {
            accounts: vec![account],
            ..Document::default()
        };
        let mut v = canonical(&doc).map_err(S::Error::custom)?;
        v["accounts"][0]["items"][0].take().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Item {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        let mut doc = parse(&header(json!([account(json!([value]))]))).map_err(D::Error::custom)?;
        doc.accounts
            .pop()
            .and_then(|mut a| a.items.pop())
            .ok_or_else(|| D::Error::custom("no item"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    struct Backup {
        label: String,
        vault: Document,
        first_account: Account,
        first_item: Item,
    }

    #[test]
    fn documents_accounts_and_items_round_trip_inside_a_callers_struct() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/cxf/valid/accounts-several.json"
        );
        let doc = Document::parse(&std::fs::read(path).unwrap(), &Limits::default())
            .unwrap()
            .document;
        let backup = Backup {
            label: "nightly".into(),
            first_account: doc.accounts[0].clone(),
            first_item: doc.accounts[0].items[0].clone(),
            vault: doc,
        };
        let json = serde_json::to_string(&backup).unwrap();
        let back: Backup = serde_json::from_str(&json).unwrap();
        assert_eq!(back, backup);
        // The serialised document is the canonical CXF JSON.
        let v: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(
            serde_json::to_vec(&v["vault"]).unwrap(),
            *backup.vault.to_json_vec()
        );
    }

    #[test]
    fn what_the_parser_refuses_does_not_deserialise() {
        let err = serde_json::from_str::<Item>(r#"{"id": "AA", "title": 7, "credentials": []}"#)
            .unwrap_err();
        assert!(
            err.to_string().contains("/accounts/0/items/0/title"),
            "{err}"
        );
        assert!(serde_json::from_str::<Document>(r#"{"accounts": []}"#).is_err());
    }
}
