//! Members the model does not know, kept so that parse → write loses nothing.

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
// Boxed so an object without unknown members pays 8 bytes, not 24: most objects have none.
#[allow(clippy::box_collection)]
pub struct Unknown(Option<Box<Vec<(Text, Value)>>>);

impl Unknown {
    /// No unknown members.
    pub const fn empty() -> Self {
        Unknown(None)
    }

    /// Whether there are no unknown members.
    pub fn is_empty(&self) -> bool {
        self.0.as_ref().is_none_or(|v| v.is_empty())
    }

    /// Number of unknown members.
    pub fn len(&self) -> usize {
        self.0.as_ref().map_or(0, |v| v.len())
    }

    /// The members, in input order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0
            .iter()
            .flat_map(|v| v.iter())
            .map(|(k, v)| (k.as_str(), v))
    }

    /// The value of member `name`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.iter().find(|(k, _)| *k == name).map(|(_, v)| v)
    }

    /// Sets member `name`, replacing an existing value.
    pub fn insert(&mut self, name: impl Into<Text>, value: Value) {
        let name = name.into();
        let list = self.0.get_or_insert_with(Default::default);
        match list.iter_mut().find(|(k, _)| *k == name) {
            Some(slot) => slot.1 = value,
            None => list.push((name, value)),
        }
    }

    /// Removes member `name` and returns its value.
    pub fn remove(&mut self, name: &str) -> Option<Value> {
        let list = self.0.as_mut()?;
        let i = list.iter().position(|(k, _)| *k == name)?;
        let value = list.remove(i).1;
        if list.is_empty() {
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
        if self.get(key).is_some() {
            return Err(r.error(ParseErrorKind::DuplicateMember, path));
        }
        let value = r.read_value(path)?;
        self.0
            .get_or_insert_with(Default::default)
            .push((Text::from(key), value));
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
        if let Some(list) = self.0.as_mut() {
            for (_, v) in list.iter_mut() {
                wipe_value(v);
            }
        }
    }
}
