//! Members the model does not know, kept so that parse → write loses nothing.

use std::collections::HashSet;
use std::fmt;

use serde_json::Value;
use zeroize::Zeroize;

use crate::error::ParseErrorKind;
use crate::json::reader::{Reader, Result};
use crate::json::writer::Writer;
use crate::pointer::Path;
use crate::text::Text;

/// The unknown members of one object, in input order.
///
/// The spec requires importers to ignore members they do not know; a converter must also keep
/// them, or a round trip through this toolkit would drop data a newer exporter wrote. Values may
/// hold secrets, so `Debug` prints member names only and string values are wiped on drop.
#[derive(Clone, Default)]
pub struct Unknown(Option<Box<Members>>);

/// Boxed behind an `Option` so an object without unknown members pays 8 bytes: most have none.
#[derive(Clone, Default)]
struct Members {
    list: Vec<(Text, Value)>,
    /// Names of `list`, built once an object has many unknown members, so that checking a new
    /// name for duplicates stays O(1) (a hostile object with 100k members must not be O(n²)).
    index: Option<HashSet<Text>>,
}

/// Number of members from which duplicate checks use a hash set instead of a scan.
const INDEX_FROM: usize = 16;

impl Members {
    fn contains(&self, name: &str) -> bool {
        match &self.index {
            Some(index) => index.contains(name),
            None => self.list.iter().any(|(k, _)| k == name),
        }
    }

    fn push(&mut self, name: Text, value: Value) {
        if let Some(index) = &mut self.index {
            index.insert(name.clone());
        } else if self.list.len() + 1 >= INDEX_FROM {
            let mut index: HashSet<Text> = self.list.iter().map(|(k, _)| k.clone()).collect();
            index.insert(name.clone());
            self.index = Some(index);
        }
        self.list.push((name, value));
    }
}

impl Unknown {
    /// No unknown members.
    pub const fn empty() -> Self {
        Unknown(None)
    }

    /// Whether there are no unknown members.
    pub fn is_empty(&self) -> bool {
        self.0.as_ref().is_none_or(|m| m.list.is_empty())
    }

    /// Number of unknown members.
    pub fn len(&self) -> usize {
        self.0.as_ref().map_or(0, |m| m.list.len())
    }

    /// The members, in input order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0
            .iter()
            .flat_map(|m| m.list.iter())
            .map(|(k, v)| (k.as_str(), v))
    }

    /// The value of member `name`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.iter().find(|(k, _)| *k == name).map(|(_, v)| v)
    }

    /// Sets member `name`, replacing an existing value.
    pub fn insert(&mut self, name: impl Into<Text>, value: Value) {
        let name = name.into();
        let members = self.0.get_or_insert_with(Default::default);
        match members.list.iter_mut().find(|(k, _)| *k == name) {
            Some(slot) => slot.1 = value,
            None => members.push(name, value),
        }
    }

    /// Removes member `name` and returns its value.
    pub fn remove(&mut self, name: &str) -> Option<Value> {
        let members = self.0.as_mut()?;
        let i = members.list.iter().position(|(k, _)| *k == name)?;
        let value = members.list.remove(i).1;
        if let Some(index) = &mut members.index {
            index.remove(name);
        }
        if members.list.is_empty() {
            self.0 = None;
        }
        Some(value)
    }

    /// Reads the value of an unknown member `key` (its name already consumed).
    pub(crate) fn read_member(
        &mut self,
        r: &mut Reader<'_>,
        key: &str,
        path: &Path<'_>,
    ) -> Result<()> {
        if self.0.as_ref().is_some_and(|m| m.contains(key)) {
            return Err(r.error(ParseErrorKind::DuplicateMember, path));
        }
        let value = r.read_value(path)?;
        self.0
            .get_or_insert_with(Default::default)
            .push(Text::from(key), value);
        Ok(())
    }

    pub(crate) fn write_members(&self, w: &mut Writer) {
        for (k, v) in self.iter() {
            w.key_escaped(k);
            w.value(v);
        }
    }
}

/// Equal when the same members with equal values appear in the same order (an emptied list
/// equals no list).
impl PartialEq for Unknown {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl fmt::Debug for Unknown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter().map(|(k, _)| k)).finish()
    }
}

/// Wipes the string contents of a JSON value.
pub(crate) fn wipe_value(value: &mut Value) {
    match value {
        Value::String(s) => s.zeroize(),
        Value::Array(items) => items.iter_mut().for_each(wipe_value),
        Value::Object(map) => map.values_mut().for_each(wipe_value),
        _ => {}
    }
}

impl Drop for Unknown {
    fn drop(&mut self) {
        if let Some(members) = self.0.as_mut() {
            for (_, v) in members.list.iter_mut() {
                wipe_value(v);
            }
        }
    }
}
