//! The loss report: what a conversion could not carry, per item, and why.

use std::fmt;

/// Why something was not carried into the target.
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
}

impl LossReason {
    /// Stable code: `no-equivalent`, `unsupported`, `invalid-value` or `skipped`.
    pub fn code(self) -> &'static str {
        match self {
            LossReason::NoEquivalent => "no-equivalent",
            LossReason::Unsupported => "unsupported",
            LossReason::InvalidValue => "invalid-value",
            LossReason::Skipped => "skipped",
        }
    }
}

impl fmt::Display for LossReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// One thing that was not carried. Never holds a secret value: only titles, member names and
/// explanations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LossEntry {
    /// Position of the item (record, row, entry) in the source, counting from 0, when known.
    pub item_index: Option<usize>,
    /// Title of the item in the source, when it has one.
    pub item_title: Option<String>,
    /// What was lost, as a path in the source's vocabulary (`passwordHistory`,
    /// `login.uris[1].match`, `credential:passkey`, `row`, `item`).
    pub what: String,
    /// Why.
    pub reason: LossReason,
    /// A sentence for people: what happened and, where there is one, what to do.
    pub detail: String,
}

/// Everything a read or a write could not carry. Empty means nothing was lost.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LossReport {
    entries: Vec<LossEntry>,
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

    /// Whether nothing was lost.
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

    /// Adds an entry from its parts.
    pub(crate) fn add(
        &mut self,
        item: &ItemRef<'_>,
        what: impl Into<String>,
        reason: LossReason,
        detail: impl Into<String>,
    ) {
        self.entries.push(LossEntry {
            item_index: item.index,
            item_title: item.title.map(str::to_owned),
            what: what.into(),
            reason,
            detail: detail.into(),
        });
    }

    /// Appends the entries of another report.
    pub fn extend(&mut self, other: LossReport) {
        self.entries.extend(other.entries);
    }

    /// The report as JSON: `{"entries":[{"itemIndex","itemTitle","what","reason","detail"}]}`
    /// (the shape of `cxf convert --report`).
    pub fn to_json(&self) -> serde_json::Value {
        let entries = self
            .entries
            .iter()
            .map(|e| {
                serde_json::json!({
                    "itemIndex": e.item_index,
                    "itemTitle": e.item_title,
                    "what": e.what,
                    "reason": e.reason.code(),
                    "detail": e.detail,
                })
            })
            .collect::<Vec<_>>();
        serde_json::json!({ "entries": entries })
    }
}

impl fmt::Display for LossReport {
    /// One line per entry: `#3 "Title": passwordHistory (no-equivalent): detail`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in &self.entries {
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
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ItemRef<'a> {
    pub(crate) index: Option<usize>,
    pub(crate) title: Option<&'a str>,
}

impl<'a> ItemRef<'a> {
    pub(crate) fn new(index: usize, title: &'a str) -> Self {
        Self {
            index: Some(index),
            title: Some(title),
        }
    }
}
