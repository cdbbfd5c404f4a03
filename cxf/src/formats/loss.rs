//! The loss report: what a conversion could not carry, value by value, and why.
//!
//! Every entry names the value by an RFC 6901 JSON Pointer into the CXF form of the input (for a
//! CXF input, the input itself): the smallest node that was not carried, such as a field's
//! `value`, a `label`, a whole credential or a whole item. Entries are of two kinds:
//!
//! * [`LossKind::Lost`]: the value is not in the output at all;
//! * [`LossKind::Changed`]: the value is in the output in another shape (moved into the notes or
//!   a custom field, a type flattened to text); the entry says where and why.
//!
//! Writers explain what they leave out, but the report of a write does not rest on their
//! bookkeeping: [`write()`](crate::formats::write) reads its own output back and compares it
//! with the source value by value (see `readback.rs`), so a value that is missing is listed even
//! when the writer forgot it, and a value the writer called lost but wrote anyway is listed as
//! changed.

use std::fmt;

/// Why something was not carried into the target, or carried in another shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LossReason {
    /// The target format has no place for it (password history, URI match rules, a passkey in a
    /// CSV format...).
    NoEquivalent,
    /// This converter does not convert it yet, although the target could hold it (attachments,
    /// HOTP, linked fields...).
    Unsupported,
    /// The source value is malformed and was left out (a key that is not PKCS#8, a bad TOTP URI).
    InvalidValue,
    /// A whole record was skipped on purpose (trashed items, malformed CSV rows, sync pseudo-rows).
    Skipped,
    /// The target's importer would refuse the record (Chrome and Firefox need a URL and a
    /// password): it is written, but will not arrive.
    TargetRefuses,
    /// Found only by reading the output back: the writer left the value out without saying so.
    /// This is a bug of the writer; the report is still exact.
    NotReadBack,
}

impl LossReason {
    /// Stable code: `no-equivalent`, `unsupported`, `invalid-value`, `skipped`,
    /// `target-refuses` or `not-read-back`.
    pub fn code(self) -> &'static str {
        match self {
            LossReason::NoEquivalent => "no-equivalent",
            LossReason::Unsupported => "unsupported",
            LossReason::InvalidValue => "invalid-value",
            LossReason::Skipped => "skipped",
            LossReason::TargetRefuses => "target-refuses",
            LossReason::NotReadBack => "not-read-back",
        }
    }
}

impl fmt::Display for LossReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Whether a value is gone or only in another shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LossKind {
    /// The value is not in the output.
    Lost,
    /// The value is in the output, in another shape or place.
    Changed,
}

impl LossKind {
    /// Stable code: `lost` or `changed`.
    pub fn code(self) -> &'static str {
        match self {
            LossKind::Lost => "lost",
            LossKind::Changed => "changed",
        }
    }
}

/// One value (or node) that was not carried as it was. Never holds a secret value: only
/// pointers, titles, member names and explanations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LossEntry {
    /// Lost or changed.
    pub kind: LossKind,
    /// RFC 6901 JSON Pointer of the node in the CXF form of the input (`/accounts/0/items/3/
    /// credentials/1/number/value`). A reader's entry points at the item the source value
    /// belonged to, or is empty when the source record produced no item (then `item_index`
    /// names the record).
    pub pointer: String,
    /// Position of the item (record, row, entry) in the source, counting from 0, when known.
    pub item_index: Option<usize>,
    /// Title of the item in the source, when it has one.
    pub item_title: Option<String>,
    /// What it is, in the source's vocabulary: a CXF member path for writers
    /// (`credentials[1]:passport`, `tags`), the column or member name for readers
    /// (`passwordHistory`, `login.uris[1].match`).
    pub what: String,
    /// Why.
    pub reason: LossReason,
    /// A sentence for people: what happened and, where there is one, what to do.
    pub detail: String,
}

/// Everything a read or a write could not carry. Empty means nothing was lost or changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LossReport {
    entries: Vec<LossEntry>,
    /// Entries of a reader that name their item by its id: the pointer is set once the
    /// document is complete ([`LossReport::resolve_items`]).
    item_ids: Vec<(usize, crate::B64)>,
}

impl LossReport {
    /// An empty report.
    pub fn new() -> Self {
        Self::default()
    }

    /// The entries, in the order they were found.
    pub fn entries(&self) -> &[LossEntry] {
        &self.entries
    }

    /// The entries whose value is not in the output.
    pub fn lost(&self) -> impl Iterator<Item = &LossEntry> {
        self.entries.iter().filter(|e| e.kind == LossKind::Lost)
    }

    /// The entries whose value is in the output in another shape.
    pub fn changed(&self) -> impl Iterator<Item = &LossEntry> {
        self.entries.iter().filter(|e| e.kind == LossKind::Changed)
    }

    /// Whether nothing was lost or changed.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Adds an entry.
    pub fn push(&mut self, entry: LossEntry) {
        self.entries.push(entry);
    }

    /// Records that a value of `item` is lost; `at` is the pointer below the item's pointer
    /// (`""` for the item itself, `/credentials/2`, `/tags`).
    pub(crate) fn lose(
        &mut self,
        item: &ItemRef<'_>,
        at: &str,
        what: impl Into<String>,
        reason: LossReason,
        detail: impl Into<String>,
    ) {
        self.entry(LossKind::Lost, item, at, what.into(), reason, detail.into());
    }

    /// Records that a value of `item` is in the output in another shape (`detail` says where).
    pub(crate) fn change(
        &mut self,
        item: &ItemRef<'_>,
        at: &str,
        what: impl Into<String>,
        reason: LossReason,
        detail: impl Into<String>,
    ) {
        self.entry(
            LossKind::Changed,
            item,
            at,
            what.into(),
            reason,
            detail.into(),
        );
    }

    /// A lost value of `item` at the item's own pointer (readers: the source member `what`
    /// has no place in the item).
    pub(crate) fn add(
        &mut self,
        item: &ItemRef<'_>,
        what: impl Into<String>,
        reason: LossReason,
        detail: impl Into<String>,
    ) {
        self.lose(item, "", what, reason, detail);
    }

    fn entry(
        &mut self,
        kind: LossKind,
        item: &ItemRef<'_>,
        at: &str,
        what: String,
        reason: LossReason,
        detail: String,
    ) {
        let mut pointer = item.pointer.clone();
        pointer.push_str(at);
        if let Some(id) = &item.item_id {
            self.item_ids.push((self.entries.len(), id.clone()));
        }
        self.entries.push(LossEntry {
            kind,
            pointer,
            item_index: item.index,
            item_title: item.title.map(str::to_owned),
            what,
            reason,
            detail,
        });
    }

    /// Appends the entries of another report.
    pub fn extend(&mut self, other: LossReport) {
        let offset = self.entries.len();
        self.item_ids
            .extend(other.item_ids.into_iter().map(|(i, id)| (i + offset, id)));
        self.entries.extend(other.entries);
    }

    /// Points the entries that name their item by id at that item in `doc` (readers build the
    /// document after they report). Entries of items that are not in it keep an empty pointer.
    pub(crate) fn resolve_items(&mut self, doc: &crate::Document) {
        if self.item_ids.is_empty() {
            return;
        }
        let mut at = std::collections::HashMap::new();
        for (ai, account) in doc.accounts.iter().enumerate() {
            for (ii, item) in account.items.iter().enumerate() {
                at.insert(&item.id, (ai, ii));
            }
        }
        for (entry, id) in self.item_ids.drain(..) {
            if let (Some((ai, ii)), Some(e)) = (at.get(&id), self.entries.get_mut(entry)) {
                e.pointer = format!("/accounts/{ai}/items/{ii}{}", e.pointer);
            }
        }
    }

    /// Names the item `id` by its place, `/accounts/{account}/items/{position}`, in the entries
    /// that wait for it ([`LossReport::resolve_items`] for one item).
    pub(crate) fn resolve_one(&mut self, account: usize, position: usize, id: &crate::B64) {
        let mut rest = Vec::new();
        for (entry, eid) in self.item_ids.drain(..) {
            match self.entries.get_mut(entry) {
                Some(e) if &eid == id => {
                    e.pointer = format!("/accounts/{account}/items/{position}{}", e.pointer);
                }
                _ => rest.push((entry, eid)),
            }
        }
        self.item_ids = rest;
    }

    /// Moves entries about items of account `account` by `offset` positions (and into account
    /// `to`, when given): a chunk's entries to their places in the whole input.
    pub(crate) fn rebase_items(&mut self, account: usize, offset: usize, to: Option<usize>) {
        let prefix = format!("/accounts/{account}/items/");
        let to = to.unwrap_or(account);
        if offset == 0 && to == account {
            return;
        }
        for e in &mut self.entries {
            let Some(rest) = e.pointer.strip_prefix(&prefix) else {
                continue;
            };
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            if let Ok(k) = rest[..digits].parse::<usize>() {
                e.pointer = format!("/accounts/{to}/items/{}{}", k + offset, &rest[digits..]);
            }
        }
    }

    /// Adds `by` to every entry's item position (a writer's count of items, for a chunk).
    pub(crate) fn shift_item_index(&mut self, by: usize) {
        for e in &mut self.entries {
            if let Some(i) = &mut e.item_index {
                *i += by;
            }
        }
    }

    /// Keeps only the entries about items (their pointer is below an item, or names no node).
    pub(crate) fn retain_items(&mut self) {
        self.entries
            .retain(|e| e.pointer.is_empty() || is_item_pointer(&e.pointer));
    }

    pub(crate) fn into_entries(self) -> Vec<LossEntry> {
        self.entries
    }

    /// The report as JSON: `{"lost":[ENTRY...],"changed":[ENTRY...]}`, each entry
    /// `{"pointer","itemIndex","itemTitle","what","reason","detail"}` (the shape of
    /// `cxf convert --report`).
    pub fn to_json(&self) -> serde_json::Value {
        let list = |kind: LossKind| {
            self.entries
                .iter()
                .filter(|e| e.kind == kind)
                .map(|e| {
                    serde_json::json!({
                        "pointer": e.pointer,
                        "itemIndex": e.item_index,
                        "itemTitle": e.item_title,
                        "what": e.what,
                        "reason": e.reason.code(),
                        "detail": e.detail,
                    })
                })
                .collect::<Vec<_>>()
        };
        serde_json::json!({ "lost": list(LossKind::Lost), "changed": list(LossKind::Changed) })
    }

    /// How many whole items are lost (entries of kind lost whose pointer is an item,
    /// `/accounts/A/items/I`): the items a write left out, whatever the reason.
    pub fn lost_items(&self) -> usize {
        self.lost()
            .filter(|e| {
                let t: Vec<&str> = e.pointer.split('/').collect();
                t.len() == 5
                    && t[1] == "accounts"
                    && t[3] == "items"
                    && [t[2], t[4]]
                        .iter()
                        .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            })
            .count()
    }

    /// `N values lost, M changed`.
    pub fn summary(&self) -> String {
        let lost = self.lost().count();
        let changed = self.len() - lost;
        format!(
            "{lost} value{} lost, {changed} changed",
            if lost == 1 { "" } else { "s" }
        )
    }
}

impl fmt::Display for LossReport {
    /// One line per entry: `lost /accounts/0/items/3/tags #3 "Title": tags (no-equivalent):
    /// detail`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in &self.entries {
            write!(f, "{} ", e.kind.code())?;
            if !e.pointer.is_empty() {
                write!(f, "{} ", e.pointer)?;
            }
            if let Some(i) = e.item_index {
                write!(f, "#{i} ")?;
            }
            if let Some(t) = &e.item_title {
                write!(f, "{t:?}: ")?;
            }
            writeln!(f, "{} ({}): {}", e.what, e.reason, e.detail)?;
        }
        Ok(())
    }
}

/// The item a loss entry is about.
#[derive(Debug, Clone, Default)]
pub(crate) struct ItemRef<'a> {
    pub(crate) index: Option<usize>,
    pub(crate) title: Option<&'a str>,
    /// JSON Pointer of the item in the CXF form of the input; empty when unknown (readers) or
    /// for the whole document.
    pub(crate) pointer: String,
    /// The id of the item a reader is building (the pointer is found from it at the end).
    pub(crate) item_id: Option<crate::B64>,
}

impl<'a> ItemRef<'a> {
    /// Names the item a reader builds from this record, so that entries point at it.
    pub(crate) fn with_item(mut self, id: &crate::B64) -> Self {
        self.item_id = Some(id.clone());
        self
    }

    /// A record of a source file (readers): its position and title.
    pub(crate) fn new(index: usize, title: &'a str) -> Self {
        Self {
            index: Some(index),
            title: Some(title),
            pointer: String::new(),
            item_id: None,
        }
    }

    /// Item `item` of account `account` of a CXF document (writers); `index` counts items
    /// across accounts.
    pub(crate) fn in_document(account: usize, item: usize, index: usize, title: &'a str) -> Self {
        Self {
            index: Some(index),
            title: Some(title),
            pointer: format!("/accounts/{account}/items/{item}"),
            item_id: None,
        }
    }

    /// A node of the document outside any item, e.g. `/accounts/0/collections`.
    pub(crate) fn node(pointer: String) -> Self {
        Self {
            index: None,
            title: None,
            pointer,
            item_id: None,
        }
    }
}

/// Whether `pointer` is `/accounts/A/items/I` or below it.
fn is_item_pointer(pointer: &str) -> bool {
    let mut t = pointer.split('/').skip(1);
    t.next() == Some("accounts")
        && t.next()
            .is_some_and(|a| a.bytes().all(|b| b.is_ascii_digit()))
        && t.next() == Some("items")
        && t.next()
            .is_some_and(|i| !i.is_empty() && i.bytes().all(|b| b.is_ascii_digit()))
}
