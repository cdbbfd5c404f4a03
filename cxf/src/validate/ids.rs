//! Identifier and b64url member checks (§1.3, §2.1).

use std::hash::BuildHasher as _;

use hashbrown::HashTable;
use zeroize::Zeroizing;

use super::b64::{self, Form};
use super::ctx::{Ptr, Sink};
use super::rules;

/// Largest identifier, in decoded bytes.
pub(crate) const MAX_ID_BYTES: usize = 64;

/// Check a b64url member written as `text` (at `at`) and return its bytes when it decodes.
pub(crate) fn check_b64_text(
    sink: &mut Sink,
    at: &Ptr<'_>,
    text: &str,
) -> Option<Zeroizing<Vec<u8>>> {
    let mut out = Zeroizing::new(Vec::new());
    report_form(
        sink,
        at,
        b64::classify_into(text, &mut out),
        rules::B64URL_INVALID,
    )
    .then_some(out)
}

/// Report how a b64url value is written; whether it decoded.
fn report_form(sink: &mut Sink, at: &Ptr<'_>, form: Form, invalid: rules::Rule) -> bool {
    match form {
        Form::Canonical => true,
        Form::Padded => {
            sink.push(
                rules::B64URL_PADDED,
                at,
                "base64url value carries '=' padding",
                "CXF producers write base64url without padding",
            );
            true
        }
        Form::NonCanonical => {
            sink.push(
                rules::B64URL_NON_CANONICAL,
                at,
                "base64url value is not canonical (standard-alphabet '+' or '/', or stray trailing bits)",
                "re-encode the bytes with the URL-safe alphabet, unpadded",
            );
            true
        }
        Form::Invalid => {
            sink.push(
                invalid,
                at,
                "value is not base64url",
                "encode the bytes with the URL-safe base64 alphabet (A-Z a-z 0-9 - _), unpadded",
            );
            false
        }
    }
}

/// Check an identifier written as `text`, decoding it into `out` (ids are not secret; one
/// buffer serves them all); whether it decoded.
pub(crate) fn check_id_into(sink: &mut Sink, at: &Ptr<'_>, text: &str, out: &mut Vec<u8>) -> bool {
    let form = b64::classify_into(text, out);
    if !report_form(sink, at, form, rules::ID_NOT_BASE64URL) {
        return false;
    }
    check_id_bytes(sink, at, out);
    true
}

/// Check the decoded length of an identifier.
pub(crate) fn check_id_bytes(sink: &mut Sink, at: &Ptr<'_>, bytes: &[u8]) {
    if bytes.len() > MAX_ID_BYTES {
        sink.push(
            rules::ID_TOO_LONG,
            at,
            format!(
                "identifier is {} bytes; at most {MAX_ID_BYTES} are allowed",
                bytes.len()
            ),
            "identifiers are opaque: hash or replace long ids (e.g. 16 random bytes)",
        );
    } else if bytes.is_empty() {
        sink.push(
            rules::ID_EMPTY,
            at,
            "identifier is empty",
            "give the object an id of 1 to 64 random bytes, base64url-encoded",
        );
    }
}

/// A set of identifiers (decoded bytes), each with the place of its first use. Bytes and
/// pointers sit back to back in two arenas and entries are 20 bytes, so recording an id
/// allocates nothing and costs about 40 bytes with the table (a streamed million-item vault
/// keeps one per item); an item's place is its index, not its pointer text. The hash is keyed,
/// since ids come from the file.
#[derive(Debug, Default)]
pub(crate) struct IdSet {
    hasher: std::hash::RandomState,
    table: HashTable<u32>,
    entries: Vec<Entry>,
    bytes: Vec<u8>,
    pointers: String,
    /// The pointer of item `I` is `{item_prefix}I/id`.
    item_prefix: String,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    bytes: u32,
    bytes_len: u32,
    /// Offset in `pointers`, or the item's index when `pointer_len` is [`ITEM`].
    pointer: u32,
    pointer_len: u32,
    /// Whether an item has this id (for links).
    item: bool,
}

/// `pointer_len` of an entry whose place is an item index.
const ITEM: u32 = u32::MAX;

/// Where an id was first used.
#[derive(Debug)]
pub(crate) enum Place<'a> {
    /// Nowhere to name.
    #[cfg_attr(not(test), allow(dead_code))]
    None,
    /// At a pointer.
    At(&'a Ptr<'a>),
    /// As the id of item `index` of the account.
    Item(usize),
}

impl IdSet {
    /// An empty set with room for `n` ids; item `I`'s id is at `{item_prefix}I/id`.
    pub(crate) fn with_capacity(n: usize, item_prefix: String) -> Self {
        IdSet {
            table: HashTable::with_capacity(n),
            entries: Vec::with_capacity(n),
            item_prefix,
            ..Self::default()
        }
    }

    fn find(&self, id: &[u8]) -> Option<usize> {
        let hash = self.hasher.hash_one(id);
        self.table
            .find(hash, |&i| self.id(i as usize) == id)
            .map(|&i| i as usize)
    }

    fn id(&self, i: usize) -> &[u8] {
        let e = self.entries[i];
        &self.bytes[e.bytes as usize..(e.bytes + e.bytes_len) as usize]
    }

    /// Whether `id` is in the set.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn contains(&self, id: &[u8]) -> bool {
        self.find(id).is_some()
    }

    /// Whether an item has `id`.
    pub(crate) fn contains_item(&self, id: &[u8]) -> bool {
        self.find(id).is_some_and(|i| self.entries[i].item)
    }

    /// Add `id`, first used at `place`. When it is already there, the set is unchanged (but
    /// for noting that an item has it) and the pointer of its first use is returned. Ids
    /// beyond what 32-bit offsets hold (gigabytes of ids) are not recorded.
    pub(crate) fn insert(&mut self, id: &[u8], place: Place<'_>) -> Option<String> {
        let item = matches!(place, Place::Item(_));
        if let Some(i) = self.find(id) {
            let e = &mut self.entries[i];
            e.item |= item;
            let e = *e;
            return Some(if e.pointer_len == ITEM {
                format!("{}{}/id", self.item_prefix, e.pointer)
            } else {
                self.pointers[e.pointer as usize..(e.pointer + e.pointer_len) as usize].to_owned()
            });
        }
        let start = self.pointers.len();
        let (pointer, pointer_len) = match place {
            Place::Item(index) => (u32::try_from(index).ok(), Some(ITEM)),
            Place::At(at) => {
                at.write_to(&mut self.pointers);
                (
                    u32::try_from(start).ok(),
                    u32::try_from(self.pointers.len() - start).ok(),
                )
            }
            Place::None => (u32::try_from(start).ok(), Some(0)),
        };
        let (Some(bytes), Some(bytes_len), Some(pointer), Some(pointer_len), Ok(index)) = (
            u32::try_from(self.bytes.len()).ok(),
            u32::try_from(id.len()).ok(),
            pointer,
            pointer_len,
            u32::try_from(self.entries.len()),
        ) else {
            self.pointers.truncate(start);
            return None;
        };
        if u32::try_from(self.bytes.len() + id.len()).is_err() {
            self.pointers.truncate(start);
            return None;
        }
        self.bytes.extend_from_slice(id);
        self.entries.push(Entry {
            bytes,
            bytes_len,
            pointer,
            pointer_len,
            item,
        });
        let IdSet {
            hasher,
            table,
            entries,
            bytes,
            ..
        } = self;
        let hash = hasher.hash_one(id);
        table.insert_unique(hash, index, |&i| {
            let e = entries[i as usize];
            hasher.hash_one(&bytes[e.bytes as usize..(e.bytes + e.bytes_len) as usize])
        });
        None
    }

    /// Remove every id, keeping the memory.
    pub(crate) fn clear(&mut self) {
        self.table.clear();
        self.entries.clear();
        self.bytes.clear();
        self.pointers.clear();
    }
}

/// Per-Account uniqueness of identifiers.
#[derive(Debug, Default)]
pub(crate) struct IdScope {
    entities: IdSet,
    fields: IdSet,
}

impl IdScope {
    /// Room for `n` Account/Collection/Item ids of the account at `account` (its pointer).
    pub(crate) fn with_capacity(n: usize, account: &Ptr<'_>) -> Self {
        IdScope {
            entities: IdSet::with_capacity(n, format!("{}/items/", account.render())),
            fields: IdSet::default(),
        }
    }

    /// Record an Account/Collection id; reports `id.duplicate` on a repeat.
    pub(crate) fn entity(&mut self, sink: &mut Sink, at: &Ptr<'_>, bytes: &[u8]) {
        Self::record(
            &mut self.entities,
            sink,
            at,
            Place::At(at),
            bytes,
            rules::ID_DUPLICATE,
        );
    }

    /// Record the id of item `index` (at `at`); reports `id.duplicate` on a repeat.
    pub(crate) fn item(&mut self, sink: &mut Sink, at: &Ptr<'_>, index: usize, bytes: &[u8]) {
        Self::record(
            &mut self.entities,
            sink,
            at,
            Place::Item(index),
            bytes,
            rules::ID_DUPLICATE,
        );
    }

    /// Whether an item of the account has `id` (a link to it resolves).
    pub(crate) fn has_item(&self, id: &[u8]) -> bool {
        self.entities.contains_item(id)
    }

    /// Record an EditableField / custom-fields id (unique within the current Item); reports
    /// `id.duplicate-field` on a repeat.
    pub(crate) fn field(&mut self, sink: &mut Sink, at: &Ptr<'_>, bytes: &[u8]) {
        Self::record(
            &mut self.fields,
            sink,
            at,
            Place::At(at),
            bytes,
            rules::ID_DUPLICATE_FIELD,
        );
    }

    /// Start a new Item: field ids are compared within one Item only.
    pub(crate) fn begin_item(&mut self) {
        self.fields.clear();
    }

    fn record(
        set: &mut IdSet,
        sink: &mut Sink,
        at: &Ptr<'_>,
        place: Place<'_>,
        bytes: &[u8],
        rule: rules::Rule,
    ) {
        if let Some(first) = set.insert(bytes, place) {
            sink.push(
                rule,
                at,
                format!("identifier already used at {first}"),
                if rule.id == rules::ID_DUPLICATE.id {
                    "identifiers must be unique within an Account"
                } else {
                    "field identifiers must be unique within an Item"
                },
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn got(f: impl FnOnce(&mut Sink)) -> Vec<(&'static str, String)> {
        let mut sink = Sink::default();
        f(&mut sink);
        sink.diagnostics
            .into_iter()
            .map(|d| (d.rule, d.pointer))
            .collect()
    }

    fn check_id_text(sink: &mut Sink, at: &Ptr<'_>, text: &str) {
        check_id_into(sink, at, text, &mut Vec::new());
    }

    #[test]
    fn id_sets_find_what_was_inserted_and_keep_the_first_pointer() {
        let mut set = IdSet::with_capacity(2, "/accounts/0/items/".into());
        let p = Ptr::root().key("items");
        for i in 0..1000u32 {
            assert_eq!(
                set.insert(&i.to_be_bytes(), Place::At(&p.idx(i as usize))),
                None
            );
        }
        for i in 1000..2000u32 {
            assert_eq!(set.insert(&i.to_be_bytes(), Place::Item(i as usize)), None);
        }
        assert!(set.contains(&7u32.to_be_bytes()));
        assert!(!set.contains_item(&7u32.to_be_bytes()));
        assert!(set.contains_item(&1007u32.to_be_bytes()));
        assert!(!set.contains(&2000u32.to_be_bytes()));
        assert!(!set.contains(&[]));
        assert_eq!(
            set.insert(&999u32.to_be_bytes(), Place::None).as_deref(),
            Some("/items/999")
        );
        assert_eq!(
            set.insert(&1999u32.to_be_bytes(), Place::None).as_deref(),
            Some("/accounts/0/items/1999/id")
        );
        // An item that repeats another object's id makes links to it resolve.
        assert_eq!(
            set.insert(&7u32.to_be_bytes(), Place::Item(3)).as_deref(),
            Some("/items/7")
        );
        assert!(set.contains_item(&7u32.to_be_bytes()));
        assert_eq!(set.insert(&[], Place::None), None);
        assert_eq!(set.insert(&[], Place::At(&p)).as_deref(), Some(""));
        set.clear();
        assert!(!set.contains(&7u32.to_be_bytes()));
    }

    #[test]
    fn id_text_rules() {
        let p = Ptr::root().key("id");
        assert!(got(|s| check_id_text(s, &p, "AAECAwQFBgcICQoLDA0ODw")).is_empty());
        assert_eq!(
            got(|s| check_id_text(s, &p, "not base64!")),
            [("id.not-base64url", "/id".into())]
        );
        assert_eq!(
            got(|s| check_id_text(s, &p, &"A".repeat(88))),
            [("id.too-long", "/id".into())]
        );
        assert_eq!(
            got(|s| check_id_text(s, &p, "")),
            [("id.empty", "/id".into())]
        );
        assert_eq!(
            got(|s| check_id_text(s, &p, "AQ==")),
            [("b64url.padded", "/id".into())]
        );
        assert_eq!(
            got(|s| drop(check_b64_text(s, &p, "+/8"))),
            [("b64url.non-canonical", "/id".into())]
        );
        assert_eq!(
            got(|s| drop(check_b64_text(s, &p, "*"))),
            [("b64url.invalid", "/id".into())]
        );
    }

    #[test]
    fn duplicates_are_per_namespace() {
        let mut scope = IdScope::default();
        let mut sink = Sink::default();
        scope.entity(&mut sink, &Ptr::root().key("a"), b"x");
        scope.field(&mut sink, &Ptr::root().key("f"), b"x");
        assert!(sink.diagnostics.is_empty());
        scope.entity(&mut sink, &Ptr::root().key("b"), b"x");
        scope.field(&mut sink, &Ptr::root().key("g"), b"x");
        let got: Vec<_> = sink
            .diagnostics
            .iter()
            .map(|d| (d.rule, d.pointer.as_str()))
            .collect();
        assert_eq!(got, [("id.duplicate", "/b"), ("id.duplicate-field", "/g")]);
        assert!(sink.diagnostics[0].message.contains("/a"));
        scope.begin_item();
        scope.field(&mut sink, &Ptr::root().key("h"), b"x");
        scope.entity(&mut sink, &Ptr::root().key("c"), b"x");
        assert_eq!(
            sink.diagnostics.len(),
            3,
            "field ids restart per item, entity ids do not"
        );
    }
}
