//! Exact loss accounting: the written output is read back with the same format's reader and
//! compared with the source, value by value, in one place for every writer.
//!
//! # What is compared
//!
//! Both documents are walked as canonical CXF JSON. A *value* is every string and number below
//! `/accounts` except structure: ids (`id`, linked `item` references, collection membership),
//! discriminators (`type`, `fieldType`) and extensions (which writers report as a whole). Values
//! are compared after trimming white space and turning CRLF into LF, as most formats do.
//!
//! Each source item is paired with the read-back item that shares the most values with it
//! (values shared by more than [`COMMON`] items do not vote), so formats that reorder items
//! (KeePass groups) are handled. Then each source value is:
//!
//! * **kept** when the paired item holds the same value in the same role (the last two member
//!   names of its pointer, like `passportNumber/value`);
//! * **changed** when it holds the same value in another role (a passport number in a custom
//!   field), or holds it inside a longer value: as a line, after `label: `, or anywhere for
//!   values of [`CONTAINED_MIN`] bytes or more (a field moved into the notes);
//! * **lost** otherwise.
//!
//! Account-level values (account names, collection titles) are compared with the read-back's
//! account-level values the same way.
//!
//! # How the writer's report is reconciled
//!
//! Writers report what they leave out or move, with a reason. An entry covers the values below
//! its pointer. A `lost` entry whose values all turn out to be in the output becomes `changed`;
//! a `lost` entry that covers some values that are in the output is split value by value. A
//! value that is missing or moved and that no entry covers gets an entry of its own
//! ([`LossReason::NotReadBack`] when missing: a writer bug that the tests fail on), grouped into
//! one entry per credential or item when all of its values are missing. The result is exact
//! whatever the writer's bookkeeping: every missing value is named, and no `lost` entry names a
//! value that is in the output.
//!
//! The read-back runs on every [`write()`](crate::formats::write): it costs one read of the
//! output, less than the write itself for every format, and it is the only way the report can be
//! trusted for a writer nobody has audited.

use std::collections::{HashMap, HashSet};

use zeroize::Zeroizing;

use crate::formats::loss::{LossEntry, LossKind, LossReason, LossReport};
use crate::json::reader::{JsonType, Reader};
use crate::pointer::{Path, push_token};
use crate::{Document, Limits};

/// Values found in more read-back items than this do not vote when pairing items.
pub(crate) const COMMON: usize = 64;
/// Values at least this long count as kept in another shape when found anywhere inside a
/// longer value; shorter ones only as a whole line or after `label: `.
pub(crate) const CONTAINED_MIN: usize = 8;
/// Candidate read-back items kept per source item when pairing.
const CANDIDATES: usize = 8;

/// A value of a document.
struct Leaf {
    /// Its JSON Pointer.
    pointer: String,
    /// The item it belongs to (index into the document's item list), `None` at account level.
    item: Option<usize>,
    value: Zeroizing<String>,
}

impl Leaf {
    /// The last two member names of the pointer (array indices skipped): what the value is.
    fn role(&self) -> (&str, &str) {
        let mut names = self
            .pointer
            .rsplit('/')
            .filter(|t| !t.is_empty() && !t.bytes().all(|b| b.is_ascii_digit()));
        let last = names.next().unwrap_or("");
        (names.next().unwrap_or(""), last)
    }
}

/// The values of a document, and its items as `/accounts/A/items/I` pointers.
struct Leaves {
    leaves: Vec<Leaf>,
    items: Vec<String>,
    /// Item titles (not secret: reports name items by title).
    titles: Vec<Option<String>>,
}

/// What became of one source value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Kept,
    Changed,
    Lost,
}

/// Reconciles `explained` (the writer's report) with what `back` (the output read back) holds
/// of `source`. Fails only if a document cannot be walked (deeper than the walk allows).
pub(crate) fn reconcile(
    source: &Document,
    back: &Document,
    explained: LossReport,
) -> Result<LossReport, String> {
    let src = leaves(source)?;
    let rb = leaves(back)?;
    let not_written: HashSet<&str> = explained
        .entries()
        .iter()
        .filter(|e| {
            e.kind == LossKind::Lost
                && matches!(e.reason, LossReason::Skipped | LossReason::TargetRefuses)
        })
        .map(|e| e.pointer.as_str())
        .collect();
    let fates = fates(&src, &rb, &not_written);
    Ok(merge(&src, &fates, explained))
}

fn fates(src: &Leaves, rb: &Leaves, not_written: &HashSet<&str>) -> Vec<Fate> {
    let mut rb_item_leaves: Vec<Vec<usize>> = vec![Vec::new(); rb.items.len()];
    let mut rb_account_leaves: Vec<usize> = Vec::new();
    for (li, l) in rb.leaves.iter().enumerate() {
        match l.item {
            Some(i) => rb_item_leaves[i].push(li),
            None => rb_account_leaves.push(li),
        }
    }
    let mut src_item_leaves: Vec<Vec<usize>> = vec![Vec::new(); src.items.len()];
    let mut src_account_leaves: Vec<usize> = Vec::new();
    for (li, l) in src.leaves.iter().enumerate() {
        match l.item {
            Some(i) => src_item_leaves[i].push(li),
            None => src_account_leaves.push(li),
        }
    }
    let mut fates = vec![Fate::Lost; src.leaves.len()];
    let mut src_done = vec![false; src.items.len()];
    let mut rb_used = vec![false; rb.items.len()];
    // Most writers keep the order of items: a read-back item whose every value is in the next
    // source item, in the same role, is that item (an unambiguous pair, found in linear time).
    let mut next = 0;
    for (si, own) in src_item_leaves.iter().enumerate() {
        if next >= rb.items.len() {
            break;
        }
        // An item the writer says it did not write is not paired with another that shares
        // its values (the planted-value test checks that such a claim is true).
        if not_written.contains(src.items[si].as_str()) {
            src_done[si] = true;
            continue;
        }
        let theirs = &rb_item_leaves[next];
        if !theirs.is_empty() && within(rb, theirs, src, own) {
            src_done[si] = true;
            rb_used[next] = true;
            next += 1;
            judge(src, own, rb, theirs, &mut fates);
        }
    }
    // The rest by shared values: which unpaired read-back items hold each value (and each
    // value in its role: a match in the same role counts twice).
    let mut holders: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut role_holders: HashMap<(&str, &str, &str), Vec<usize>> = HashMap::new();
    for (ri, ls) in rb_item_leaves.iter().enumerate() {
        if rb_used[ri] {
            continue;
        }
        for &li in ls {
            let l = &rb.leaves[li];
            let h = holders.entry(l.value.as_str()).or_default();
            if h.last() != Some(&ri) && h.len() <= COMMON {
                h.push(ri);
            }
            let (a, b) = l.role();
            let h = role_holders.entry((a, b, l.value.as_str())).or_default();
            if h.last() != Some(&ri) && h.len() <= COMMON {
                h.push(ri);
            }
        }
    }
    // Candidate pairs by the number of values they share; the best pairs are taken first over
    // the whole document, so a skipped item that shares a user name with a login cannot take
    // the login's place.
    let mut pairs: Vec<(usize, usize, usize)> = Vec::new();
    let mut scores: HashMap<usize, usize> = HashMap::new();
    for (si, own) in src_item_leaves.iter().enumerate() {
        if src_done[si] || not_written.contains(src.items[si].as_str()) {
            continue;
        }
        scores.clear();
        for &li in own {
            let l = &src.leaves[li];
            let (a, b) = l.role();
            for h in [
                holders.get(l.value.as_str()),
                role_holders.get(&(a, b, l.value.as_str())),
            ]
            .into_iter()
            .flatten()
            .filter(|h| h.len() <= COMMON)
            {
                for &ri in h {
                    *scores.entry(ri).or_insert(0) += 1;
                }
            }
        }
        let mut best: Vec<(usize, usize)> = scores.iter().map(|(&ri, &n)| (n, ri)).collect();
        best.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.abs_diff(si).cmp(&b.1.abs_diff(si))));
        pairs.extend(best.into_iter().take(CANDIDATES).map(|(n, ri)| (n, si, ri)));
    }
    pairs.sort_unstable_by(|a, b| {
        b.0.cmp(&a.0)
            .then(a.1.abs_diff(a.2).cmp(&b.1.abs_diff(b.2)))
            .then(a.1.cmp(&b.1))
            .then(a.2.cmp(&b.2))
    });
    for (_, si, ri) in pairs {
        if src_done[si] || rb_used[ri] {
            continue;
        }
        src_done[si] = true;
        rb_used[ri] = true;
        judge(
            src,
            &src_item_leaves[si],
            rb,
            &rb_item_leaves[ri],
            &mut fates,
        );
    }
    judge(src, &src_account_leaves, rb, &rb_account_leaves, &mut fates);
    fates
}

/// Whether every value of `theirs` (read back) is among `own` (source) in the same role.
fn within(rb: &Leaves, theirs: &[usize], src: &Leaves, own: &[usize]) -> bool {
    fn key(l: &Leaf) -> (&str, &str, &str) {
        let (a, b) = l.role();
        (a, b, l.value.as_str())
    }
    if theirs.len() > own.len() {
        return false;
    }
    if own.len() * theirs.len() <= 1024 {
        return theirs.iter().all(|&ri| {
            let k = key(&rb.leaves[ri]);
            own.iter().any(|&li| key(&src.leaves[li]) == k)
        });
    }
    let mine: HashSet<(&str, &str, &str)> = own.iter().map(|&li| key(&src.leaves[li])).collect();
    theirs.iter().all(|&ri| mine.contains(&key(&rb.leaves[ri])))
}

/// Decides the fate of the source values `own` against the read-back values `theirs`.
///
/// Each read-back value stands for one source value: first a source value of the same role,
/// then one of another role. Only the read-back values left over after that (a note the
/// writer filled with moved fields) are searched for values held inside them, so that a URL
/// that carries its own source value does not also count for a relying party id inside it.
fn judge(src: &Leaves, own: &[usize], rb: &Leaves, theirs: &[usize], fates: &mut [Fate]) {
    if own.len() * theirs.len() <= 4096 {
        return judge_small(src, own, rb, theirs, fates);
    }
    let mut by_role: HashMap<(&str, &str, &str), Vec<usize>> = HashMap::new();
    let mut by_value: HashMap<&str, Vec<usize>> = HashMap::new();
    for &ri in theirs.iter().rev() {
        let l = &rb.leaves[ri];
        let (a, b) = l.role();
        by_role
            .entry((a, b, l.value.as_str()))
            .or_default()
            .push(ri);
        by_value.entry(l.value.as_str()).or_default().push(ri);
    }
    let mut consumed: HashSet<usize> = HashSet::new();
    let take = |list: Option<&mut Vec<usize>>, consumed: &mut HashSet<usize>| {
        let list = list?;
        while let Some(ri) = list.pop() {
            if consumed.insert(ri) {
                return Some(ri);
            }
        }
        None
    };
    let mut pending = Vec::new();
    for &li in own {
        let l = &src.leaves[li];
        let (a, b) = l.role();
        if take(by_role.get_mut(&(a, b, l.value.as_str())), &mut consumed).is_some() {
            fates[li] = Fate::Kept;
        } else {
            pending.push(li);
        }
    }
    let mut inside = Vec::new();
    for li in pending {
        let v = src.leaves[li].value.as_str();
        if take(by_value.get_mut(v), &mut consumed).is_some() {
            fates[li] = Fate::Changed;
        } else {
            inside.push(li);
        }
    }
    let left: Vec<&str> = theirs
        .iter()
        .filter(|ri| !consumed.contains(ri))
        .map(|&ri| rb.leaves[ri].value.as_str())
        .collect();
    for li in inside {
        let v = src.leaves[li].value.as_str();
        if left.iter().any(|hay| contains(hay, v)) {
            fates[li] = Fate::Changed;
        }
    }
}

/// [`judge`] for items of a few dozen values: the same rules, by scanning (no allocation but
/// one small vector), which is several times faster than hashing.
fn judge_small(src: &Leaves, own: &[usize], rb: &Leaves, theirs: &[usize], fates: &mut [Fate]) {
    let mut consumed = vec![false; theirs.len()];
    let find = |consumed: &[bool], same: &dyn Fn(&Leaf) -> bool| {
        (0..theirs.len()).find(|&k| !consumed[k] && same(&rb.leaves[theirs[k]]))
    };
    for &li in own {
        let l = &src.leaves[li];
        let role = l.role();
        if let Some(k) = find(&consumed, &|r: &Leaf| {
            r.value == l.value && r.role() == role
        }) {
            consumed[k] = true;
            fates[li] = Fate::Kept;
        }
    }
    for &li in own {
        if fates[li] != Fate::Lost {
            continue;
        }
        let l = &src.leaves[li];
        if let Some(k) = find(&consumed, &|r: &Leaf| r.value == l.value) {
            consumed[k] = true;
            fates[li] = Fate::Changed;
        }
    }
    for &li in own {
        if fates[li] != Fate::Lost {
            continue;
        }
        let v = src.leaves[li].value.as_str();
        if (0..theirs.len()).any(|k| !consumed[k] && contains(&rb.leaves[theirs[k]].value, v)) {
            fates[li] = Fate::Changed;
        }
    }
}

/// Whether `hay` holds `v` in another shape: as a line, after `label: `, or anywhere when `v`
/// is long enough not to be there by chance.
fn contains(hay: &str, v: &str) -> bool {
    if v.is_empty() || hay.len() <= v.len() {
        return false;
    }
    if v.len() >= CONTAINED_MIN {
        return hay.contains(v);
    }
    hay.lines().any(|line| {
        let line = line.trim();
        line == v
            || line
                .strip_suffix(v)
                .is_some_and(|head| head.trim_end().ends_with(':'))
            || line
                .strip_prefix(v)
                .is_some_and(|rest| rest.starts_with(':'))
    })
}

fn covers(entry: &str, leaf: &str) -> bool {
    entry.starts_with("/accounts/")
        && leaf.starts_with(entry)
        && matches!(leaf.as_bytes().get(entry.len()), None | Some(b'/'))
}

fn merge(src: &Leaves, fates: &[Fate], explained: LossReport) -> LossReport {
    // Leaves are in document order, so the leaves below a pointer are one sorted run... except
    // that pointer order is not string order (`/10` < `/9`); search linearly per entry by a
    // prefix index instead.
    let mut by_item: HashMap<&str, Vec<usize>> = HashMap::new();
    if !explained.is_empty() {
        for (li, l) in src.leaves.iter().enumerate() {
            by_item.entry(item_prefix(&l.pointer)).or_default().push(li);
        }
    }
    let below = |pointer: &str| -> Vec<usize> {
        by_item
            .get(item_prefix(pointer))
            .map(|ls| {
                ls.iter()
                    .copied()
                    .filter(|&li| covers(pointer, &src.leaves[li].pointer))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut covered = vec![false; src.leaves.len()];
    let mut out = LossReport::new();
    for mut e in explained.into_entries() {
        let ls = below(&e.pointer);
        for &li in &ls {
            covered[li] = true;
        }
        if ls.is_empty() {
            out.push(e);
            continue;
        }
        // The writer's kind is a claim; what the read-back found decides.
        let lost = ls.iter().filter(|&&li| fates[li] == Fate::Lost).count();
        let kept = ls.iter().filter(|&&li| fates[li] == Fate::Kept).count();
        if lost == ls.len() || passkey_key_lost(&e.pointer, &ls, src, fates) {
            if e.kind == LossKind::Changed {
                e.kind = LossKind::Lost;
                e.detail.push_str(" (but it is not in the output)");
            }
            out.push(e);
        } else if lost == 0 {
            match e.kind {
                // Carried as it was after all (a target that derives the same value).
                LossKind::Lost if kept == ls.len() => {}
                LossKind::Lost => {
                    e.kind = LossKind::Changed;
                    e.detail
                        .push_str(" (its values are in the output in another place)");
                    out.push(e);
                }
                LossKind::Changed => out.push(e),
            }
        } else {
            // Some values made it and some did not: name each missing one.
            for &li in &ls {
                let mut part = e.clone();
                part.pointer.clone_from(&src.leaves[li].pointer);
                match (fates[li], e.kind) {
                    (Fate::Lost, _) => {
                        part.kind = LossKind::Lost;
                        if e.kind == LossKind::Changed {
                            part.detail.push_str(" (this value is not in the output)");
                        }
                    }
                    (_, LossKind::Changed) | (Fate::Kept, _) => continue,
                    (Fate::Changed, LossKind::Lost) => {
                        part.kind = LossKind::Changed;
                        part.detail
                            .push_str(" (this value is in the output in another place)");
                    }
                }
                out.push(part);
            }
            if e.kind == LossKind::Changed {
                out.push(e);
            }
        }
    }
    unexplained(src, fates, &covered, &mut out);
    out
}

/// Whether `entry` is a passkey credential whose private key is not in the output. A passkey
/// signs in with its key or not at all: such a passkey is lost whole, whatever of its other
/// values the output happens to hold (its RP ID inside the item's URL, its user name as the
/// login's), rather than split into values of which some look carried.
fn passkey_key_lost(entry: &str, ls: &[usize], src: &Leaves, fates: &[Fate]) -> bool {
    if credential_prefix(entry) != entry {
        return false;
    }
    let member = |li: usize, name: &str| {
        let p = &src.leaves[li].pointer;
        p.len() == entry.len() + 1 + name.len() && p.ends_with(name) && covers(entry, p)
    };
    ls.iter().any(|&li| member(li, "credentialId"))
        && ls
            .iter()
            .any(|&li| member(li, "key") && fates[li] == Fate::Lost)
}

/// Entries for the values that no writer entry covers and that are not kept.
fn unexplained(src: &Leaves, fates: &[Fate], covered: &[bool], out: &mut LossReport) {
    let open = |li: usize| !covered[li] && fates[li] != Fate::Kept;
    let mut li = 0;
    while li < src.leaves.len() {
        if !open(li) {
            li += 1;
            continue;
        }
        // The largest enclosing item or credential whose values are all missing and unexplained.
        let l = &src.leaves[li];
        let mut group_end = li + 1;
        let mut pointer = l.pointer.as_str();
        if fates[li] == Fate::Lost {
            for node in [item_prefix(&l.pointer), credential_prefix(&l.pointer)] {
                if node.is_empty() || node == l.pointer {
                    continue;
                }
                let first = (0..=li)
                    .rev()
                    .take_while(|&k| covers(node, &src.leaves[k].pointer))
                    .last()
                    .unwrap_or(li);
                let end = (li..src.leaves.len())
                    .take_while(|&k| covers(node, &src.leaves[k].pointer))
                    .last()
                    .map_or(li + 1, |k| k + 1);
                if first == li && (li..end).all(|k| !covered[k] && fates[k] == Fate::Lost) {
                    group_end = end;
                    pointer = node;
                    break;
                }
            }
        }
        let (kind, reason, detail) = match fates[li] {
            Fate::Lost => (
                LossKind::Lost,
                LossReason::NotReadBack,
                "not in the output: the writer left it out without saying why (found by reading the output back)",
            ),
            _ => (
                LossKind::Changed,
                LossReason::NoEquivalent,
                "in the output in another place or shape (found by reading the output back)",
            ),
        };
        let (a, b) = l.role();
        let what = if pointer == l.pointer {
            if a.is_empty() {
                b.to_owned()
            } else {
                format!("{a}.{b}")
            }
        } else {
            pointer.rsplit('/').nth(1).unwrap_or("").to_owned()
        };
        out.push(LossEntry {
            kind,
            pointer: pointer.to_owned(),
            item_index: l.item,
            item_title: l.item.and_then(|i| src.titles[i].clone()),
            what,
            reason,
            detail: detail.to_owned(),
        });
        li = group_end;
    }
}

/// `/accounts/A/items/I` of a pointer below an item, else `/accounts/A` (or the pointer).
fn item_prefix(pointer: &str) -> &str {
    prefix_tokens(pointer, 4)
        .filter(|p| p.split('/').nth(3) == Some("items"))
        .or_else(|| prefix_tokens(pointer, 2))
        .unwrap_or(pointer)
}

/// `/accounts/A/items/I/credentials/C` of a pointer below a credential, else empty.
fn credential_prefix(pointer: &str) -> &str {
    prefix_tokens(pointer, 6)
        .filter(|p| {
            p.split('/').nth(3) == Some("items") && p.split('/').nth(5) == Some("credentials")
        })
        .unwrap_or("")
}

/// The pointer cut after `n` tokens, if it has that many.
fn prefix_tokens(pointer: &str, n: usize) -> Option<&str> {
    let mut seen = 0;
    for (i, b) in pointer.bytes().enumerate() {
        if b == b'/' {
            if seen == n {
                return Some(&pointer[..i]);
            }
            seen += 1;
        }
    }
    (seen == n).then_some(pointer)
}

// ------------------------------------------------------------------------------------ walk

fn leaves(doc: &Document) -> Result<Leaves, String> {
    let json = doc.to_json_vec();
    let text = std::str::from_utf8(&json).map_err(|e| e.to_string())?;
    let limits = Limits {
        max_document_bytes: usize::MAX,
        max_depth: 1024,
        max_items: usize::MAX,
        max_string_bytes: usize::MAX,
        max_values: usize::MAX,
    };
    let mut walk = Walk {
        r: Reader::new(text, &limits),
        pointer: String::new(),
        out: Leaves {
            leaves: Vec::new(),
            items: Vec::new(),
            titles: Vec::new(),
        },
        item: None,
    };
    walk.root().map_err(|e| e.to_string())?;
    Ok(walk.out)
}

struct Walk<'a> {
    r: Reader<'a>,
    pointer: String,
    out: Leaves,
    item: Option<usize>,
}

type WalkResult = crate::json::reader::Result<()>;

impl Walk<'_> {
    fn root(&mut self) -> WalkResult {
        let mut cur = self.r.begin_object(&Path::Root)?;
        while let Some(key) = self.r.next_key(&mut cur, &Path::Root)? {
            if key == "accounts" {
                self.pointer.push_str("/accounts");
                self.accounts()?;
                self.pointer.clear();
            } else {
                self.r.skip_value(&Path::Root)?;
            }
        }
        Ok(())
    }

    fn accounts(&mut self) -> WalkResult {
        let mut cur = self.r.begin_array(&Path::Root)?;
        while self.r.next_element(&mut cur, &Path::Root)? {
            let len = self.pointer.len();
            self.pointer.push('/');
            self.pointer.push_str(&cur.index().to_string());
            self.account()?;
            self.pointer.truncate(len);
        }
        Ok(())
    }

    fn account(&mut self) -> WalkResult {
        let mut cur = self.r.begin_object(&Path::Root)?;
        while let Some(key) = self.r.next_key(&mut cur, &Path::Root)? {
            let len = self.pointer.len();
            push_token(&mut self.pointer, &key);
            if key == "items" {
                let mut items = self.r.begin_array(&Path::Root)?;
                while self.r.next_element(&mut items, &Path::Root)? {
                    let len = self.pointer.len();
                    self.pointer.push('/');
                    self.pointer.push_str(&items.index().to_string());
                    self.item = Some(self.out.items.len());
                    self.out.items.push(self.pointer.clone());
                    self.out.titles.push(None);
                    self.value()?;
                    self.item = None;
                    self.pointer.truncate(len);
                }
            } else if is_structure(&key) {
                self.r.skip_value(&Path::Root)?;
            } else {
                self.value()?;
            }
            self.pointer.truncate(len);
        }
        Ok(())
    }

    fn value(&mut self) -> WalkResult {
        match self.r.peek_type(&Path::Root)? {
            JsonType::Object => {
                let first = self.out.leaves.len();
                let (mut field, mut valued, mut label) = (false, false, None);
                let mut cur = self.r.begin_object(&Path::Root)?;
                while let Some(key) = self.r.next_key(&mut cur, &Path::Root)? {
                    field |= key == "fieldType";
                    // Collection membership: `items` below a collection are references.
                    if is_structure(&key) || key == "items" {
                        self.r.skip_value(&Path::Root)?;
                        continue;
                    }
                    let len = self.pointer.len();
                    push_token(&mut self.pointer, &key);
                    let before = self.out.leaves.len();
                    self.value()?;
                    match &*key {
                        "value" => valued = self.out.leaves.len() > before,
                        "label" if self.out.leaves.len() > before => label = Some(before),
                        _ => {}
                    }
                    self.pointer.truncate(len);
                }
                // An editable field with no value holds no data: its label alone is not a
                // value to carry (writers leave such fields out).
                if let (true, false, Some(at)) = (field, valued, label) {
                    if at >= first {
                        self.out.leaves.remove(at);
                    }
                }
            }
            JsonType::Array => {
                let mut cur = self.r.begin_array(&Path::Root)?;
                while self.r.next_element(&mut cur, &Path::Root)? {
                    let len = self.pointer.len();
                    self.pointer.push('/');
                    self.pointer.push_str(&cur.index().to_string());
                    self.value()?;
                    self.pointer.truncate(len);
                }
            }
            JsonType::String => {
                let s = self.r.read_str(&Path::Root)?;
                self.leaf(&s);
                if let std::borrow::Cow::Owned(s) = s {
                    drop(Zeroizing::new(s));
                }
            }
            JsonType::Number => {
                let n = self.r.read_number(&Path::Root)?;
                self.leaf(n.text);
            }
            JsonType::Bool | JsonType::Null => self.r.skip_value(&Path::Root)?,
        }
        Ok(())
    }

    fn leaf(&mut self, raw: &str) {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return;
        }
        let value = if trimmed.contains('\r') {
            Zeroizing::new(trimmed.replace("\r\n", "\n"))
        } else {
            Zeroizing::new(trimmed.to_owned())
        };
        if let Some(i) = self.item {
            if self.pointer.ends_with("/title") && self.pointer.len() == self.out.items[i].len() + 6
            {
                self.out.titles[i] = Some(trimmed.to_owned());
            }
        }
        self.out.leaves.push(Leaf {
            pointer: self.pointer.clone(),
            item: self.item,
            value,
        });
    }
}

/// Members that are structure, not values: ids, references, discriminators, extensions.
fn is_structure(key: &str) -> bool {
    matches!(
        key,
        "id" | "item" | "account" | "type" | "fieldType" | "extensions" | "version"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::loss::ItemRef;

    fn doc(items: &str) -> Document {
        let json = format!(
            r#"{{"version":{{"major":1,"minor":0}},"exporterRpId":"t.example","exporterDisplayName":"t","timestamp":1,"accounts":[{{"id":"QQ","username":"","email":"","items":[{items}]}}]}}"#
        );
        Document::parse(json.as_bytes(), &Limits::default())
            .unwrap()
            .document
    }

    const NOTE: &str =
        r#"{"type":"note","content":{"fieldType":"string","value":"the note text"}}"#;
    const LOGIN: &str =
        r#"{"type":"basic-auth","username":{"fieldType":"string","value":"alice"}}"#;

    #[test]
    fn a_silent_drop_is_named_and_a_false_claim_is_corrected() {
        let source = doc(&format!(
            r#"{{"id":"AQ","title":"Mail","credentials":[{LOGIN},{NOTE}]}},{{"id":"Ag","title":"Bank","credentials":[{LOGIN}]}}"#
        ));
        // The output lost the note of the first item and kept the second item whole, though
        // the writer claimed it lost the second item's login.
        let back = doc(&format!(
            r#"{{"id":"Aw","title":"Bank","credentials":[{LOGIN}]}},{{"id":"BA","title":"Mail","credentials":[{LOGIN}]}}"#
        ));
        let mut claimed = LossReport::new();
        claimed.lose(
            &ItemRef::in_document(0, 1, 1, "Bank"),
            "/credentials/0",
            "credentials[0]:basic-auth",
            LossReason::NoEquivalent,
            "claimed",
        );
        let loss = reconcile(&source, &back, claimed).unwrap();
        let entries: Vec<(&str, LossKind, LossReason)> = loss
            .entries()
            .iter()
            .map(|e| (e.pointer.as_str(), e.kind, e.reason))
            .collect();
        assert_eq!(
            entries,
            [(
                "/accounts/0/items/0/credentials/1",
                LossKind::Lost,
                LossReason::NotReadBack
            )],
            "{loss}"
        );
        assert_eq!(loss.entries()[0].item_title.as_deref(), Some("Mail"));
    }

    #[test]
    fn the_label_of_an_empty_field_is_not_a_value() {
        let source = doc(&format!(
            r#"{{"id":"AQ","title":"Mail","credentials":[{LOGIN},{{"type":"custom-fields","fields":[{{"fieldType":"string","value":"","label":"gender"}}]}}]}}"#
        ));
        let back = doc(&format!(
            r#"{{"id":"AQ","title":"Mail","credentials":[{LOGIN}]}}"#
        ));
        let loss = reconcile(&source, &back, LossReport::new()).unwrap();
        assert!(loss.is_empty(), "{loss}");
    }

    #[test]
    fn a_value_moved_into_the_notes_is_changed() {
        let source = doc(&format!(
            r#"{{"id":"AQ","title":"Mail","credentials":[{LOGIN},{{"type":"custom-fields","fields":[{{"fieldType":"string","value":"7 Main Street","label":"Street"}}]}}]}}"#
        ));
        let back = doc(&format!(
            r#"{{"id":"AQ","title":"Mail","credentials":[{LOGIN},{{"type":"note","content":{{"fieldType":"string","value":"Street: 7 Main Street"}}}}]}}"#
        ));
        let loss = reconcile(&source, &back, LossReport::new()).unwrap();
        let entries: Vec<(&str, LossKind)> = loss
            .entries()
            .iter()
            .map(|e| (e.pointer.as_str(), e.kind))
            .collect();
        assert_eq!(
            entries,
            [
                (
                    "/accounts/0/items/0/credentials/1/fields/0/value",
                    LossKind::Changed
                ),
                (
                    "/accounts/0/items/0/credentials/1/fields/0/label",
                    LossKind::Changed
                ),
            ],
            "{loss}"
        );
    }

    const PASSKEY: &str = r#"{"type":"passkey","credentialId":"AQID","rpId":"login.example.com","username":"alice","userDisplayName":"Alice","userHandle":"BAUG","key":"MC4CAQAwBQYDK2VwBCIEIAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g"}"#;

    #[test]
    fn a_passkey_a_writer_changed_is_named() {
        // A writer that changes a passkey's RP ID or key (it would no longer sign in) is caught
        // by the read-back, though it said nothing.
        let source = doc(&format!(
            r#"{{"id":"AQ","title":"Mail","credentials":[{PASSKEY}]}}"#
        ));
        for (what, damaged) in [
            ("rpId", PASSKEY.replace("login.example.com", "example.com")),
            ("key", PASSKEY.replace("MC4CAQAw", "MC4CAQEw")),
        ] {
            let back = doc(&format!(
                r#"{{"id":"AQ","title":"Mail","credentials":[{damaged}]}}"#
            ));
            let loss = reconcile(&source, &back, LossReport::new()).unwrap();
            let pointer = format!("/accounts/0/items/0/credentials/0/{what}");
            assert!(loss.lost().any(|e| e.pointer == pointer), "{what}: {loss}");
        }
    }

    #[test]
    fn a_lost_passkey_is_lost_whole() {
        // The passkey's RP ID is inside the URL the target wrote (Firefox keeps the origin)
        // and its user name is the login's: the output holds those values, but not the key, so
        // the passkey is lost as a whole rather than reported as partly carried.
        let login = r#"{"type":"basic-auth","username":{"fieldType":"string","value":"alice"}}"#;
        let source = doc(&format!(
            r#"{{"id":"AQ","title":"Mail","scope":{{"urls":["https://login.example.com/a"],"androidApps":[]}},"credentials":[{login},{PASSKEY}]}}"#
        ));
        let back = doc(&format!(
            r#"{{"id":"AQ","title":"Mail","scope":{{"urls":["https://login.example.com"],"androidApps":[]}},"credentials":[{login}]}}"#
        ));
        let mut claimed = LossReport::new();
        claimed.lose(
            &ItemRef::in_document(0, 0, 0, "Mail"),
            "/credentials/1",
            "credentials[1]:passkey",
            LossReason::NoEquivalent,
            "holds only logins",
        );
        let loss = reconcile(&source, &back, claimed).unwrap();
        let passkey: Vec<(&str, LossKind)> = loss
            .entries()
            .iter()
            .filter(|e| e.pointer.contains("/credentials/1"))
            .map(|e| (e.pointer.as_str(), e.kind))
            .collect();
        assert_eq!(
            passkey,
            [("/accounts/0/items/0/credentials/1", LossKind::Lost)],
            "{loss}"
        );
    }

    #[test]
    fn contained_values_need_a_line_or_a_label_when_short() {
        assert!(contains("PIN: 1234\nother", "1234"));
        assert!(contains("notes\n1234\n", "1234"));
        assert!(!contains("order 12345", "1234"));
        assert!(contains("moved: correct horse battery", "horse battery"));
        assert!(!contains("abc", "abc"));
    }

    #[test]
    fn prefixes_cut_at_items_and_credentials() {
        let p = "/accounts/1/items/22/credentials/3/number/value";
        assert_eq!(item_prefix(p), "/accounts/1/items/22");
        assert_eq!(credential_prefix(p), "/accounts/1/items/22/credentials/3");
        assert_eq!(
            item_prefix("/accounts/1/collections/0/title"),
            "/accounts/1"
        );
        assert_eq!(credential_prefix("/accounts/1/items/2/title"), "");
        assert!(covers("/accounts/1/items/2", p.replace("22", "2").as_str()));
        assert!(!covers("/accounts/1/items/2", p));
    }
}
