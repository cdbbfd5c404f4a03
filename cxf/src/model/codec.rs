//! How model types are read from and written to JSON.
//!
//! Objects of the spec are declared once with [`record!`], which generates the struct, the
//! reader (known members by name, older-draft aliases with a note, everything else kept as
//! unknown members, duplicates rejected, required members checked) and the canonical writer
//! (spec member order, empty optional arrays omitted, unknown members last).

use std::borrow::Cow;

use crate::error::ParseErrorKind;
use crate::json::reader::{Reader, Result};
use crate::json::writer::Writer;
use crate::parse::Ctx;
use crate::pointer::Path;
use crate::text::{Secret, Text};

/// Reading a value of the model from JSON.
pub(crate) trait FromJson: Sized {
    fn from_json(r: &mut Reader<'_>, ctx: &mut Ctx, path: &Path<'_>) -> Result<Self>;
}

/// Writing a value of the model as canonical JSON.
pub(crate) trait ToJson {
    fn to_json(&self, w: &mut Writer);
}

impl FromJson for Text {
    fn from_json(r: &mut Reader<'_>, _ctx: &mut Ctx, path: &Path<'_>) -> Result<Self> {
        Ok(match r.read_str(path)? {
            Cow::Borrowed(s) => Text::from(s),
            Cow::Owned(s) => Text::from(s),
        })
    }
}

impl ToJson for Text {
    fn to_json(&self, w: &mut Writer) {
        w.string(self);
    }
}

impl FromJson for Secret {
    fn from_json(r: &mut Reader<'_>, _ctx: &mut Ctx, path: &Path<'_>) -> Result<Self> {
        Ok(match r.read_str(path)? {
            Cow::Borrowed(s) => Secret::new(s),
            Cow::Owned(s) => Secret::from_string(s),
        })
    }
}

impl ToJson for Secret {
    fn to_json(&self, w: &mut Writer) {
        w.string(self.expose());
    }
}

impl FromJson for bool {
    fn from_json(r: &mut Reader<'_>, _ctx: &mut Ctx, path: &Path<'_>) -> Result<Self> {
        r.read_bool(path)
    }
}

impl ToJson for bool {
    fn to_json(&self, w: &mut Writer) {
        w.bool(*self);
    }
}

impl FromJson for u64 {
    fn from_json(r: &mut Reader<'_>, _ctx: &mut Ctx, path: &Path<'_>) -> Result<Self> {
        let token = r.read_number(path)?;
        if !token.integer || token.negative {
            return Err(r.error(
                ParseErrorKind::InvalidValue("expected a non-negative integer".into()),
                path,
            ));
        }
        token.text.parse::<u64>().map_err(|_| {
            r.error(
                ParseErrorKind::InvalidValue("integer too large".into()),
                path,
            )
        })
    }
}

impl ToJson for u64 {
    fn to_json(&self, w: &mut Writer) {
        w.u64(*self);
    }
}

/// Consumes a `null` in place of an optional member (1Password writes `"id": null`), with a
/// note; `false` when the value is not `null`.
pub(crate) fn take_null(r: &mut Reader<'_>, ctx: &mut Ctx, path: &Path<'_>) -> Result<bool> {
    if r.peek_type(path)? != crate::json::reader::JsonType::Null {
        return Ok(false);
    }
    r.skip_value(path)?;
    ctx.note(
        "null-optional-member",
        path,
        "optional member set to null; treated as absent",
    );
    Ok(true)
}

impl<T: FromJson> FromJson for Box<T> {
    fn from_json(r: &mut Reader<'_>, ctx: &mut Ctx, path: &Path<'_>) -> Result<Self> {
        T::from_json(r, ctx, path).map(Box::new)
    }
}

impl<T: ToJson> ToJson for Box<T> {
    fn to_json(&self, w: &mut Writer) {
        (**self).to_json(w);
    }
}

/// A container an array of the model is read into: filled element by element, then trimmed.
pub(crate) trait ArrayOf<T>: Default + Extend<T> {
    /// Gives back the capacity beyond the length.
    fn trim(&mut self);
}

impl<T> ArrayOf<T> for thin_vec::ThinVec<T> {
    fn trim(&mut self) {
        if self.capacity() > self.len() {
            self.shrink_to_fit();
        }
    }
}

impl<T> ArrayOf<T> for Vec<T> {
    fn trim(&mut self) {
        if self.capacity() > self.len() {
            self.shrink_to_fit();
        }
    }
}

/// Reads an array of `T`. Arrays of the model are `ThinVec`s: one pointer wide, no allocation
/// when empty, which keeps a parsed vault small. The array is trimmed to its length once read:
/// a `ThinVec` takes room for 4 elements at the first push, and most arrays of a vault hold one
/// or two (an item's credentials, its URLs), so untrimmed they cost a sixth of the document.
/// Shrinking moves only the elements (handles: a [`Secret`]'s bytes are always on the heap).
pub(crate) fn read_array<T: FromJson, C: ArrayOf<T>>(
    r: &mut Reader<'_>,
    ctx: &mut Ctx,
    path: &Path<'_>,
) -> Result<C> {
    let mut cur = r.begin_array(path)?;
    let mut out = C::default();
    while r.next_element(&mut cur, path)? {
        out.extend(Some(T::from_json(r, ctx, &path.index(cur.index()))?));
    }
    out.trim();
    Ok(out)
}

pub(crate) fn write_array<T: ToJson>(items: &[T], w: &mut Writer) {
    w.begin_array();
    for item in items {
        w.element();
        item.to_json(w);
    }
    w.end_array();
}

/// Reads a CXF timestamp (UNIX seconds). Older exporters write negative placeholders (Google:
/// -11644473600, the Windows epoch) and fractional seconds; both are normalised with a note.
/// `None` means the value was dropped.
pub(crate) fn read_timestamp(
    r: &mut Reader<'_>,
    ctx: &mut Ctx,
    path: &Path<'_>,
) -> Result<Option<u64>> {
    let token = r.read_number(path)?;
    if token.negative {
        ctx.note(
            "negative-timestamp",
            path,
            "negative timestamp (an exporter placeholder for 'unknown') dropped",
        );
        return Ok(None);
    }
    if token.integer {
        return token.text.parse::<u64>().map(Some).map_err(|_| {
            r.error(
                ParseErrorKind::InvalidValue("timestamp too large".into()),
                path,
            )
        });
    }
    match token.text.parse::<f64>() {
        Ok(v) if v.is_finite() && v < u64::MAX as f64 => {
            ctx.note(
                "fractional-timestamp",
                path,
                "fractional timestamp truncated to whole seconds",
            );
            Ok(Some(v.trunc() as u64))
        }
        _ => Err(r.error(
            ParseErrorKind::InvalidValue("timestamp out of range".into()),
            path,
        )),
    }
}

/// The Rust type of a record member for each member mode.
macro_rules! member_type {
    (req $t:ty) => { $t };
    (opt $t:ty) => { Option<$t> };
    (arr $t:ty) => { thin_vec::ThinVec<$t> };
    (opt_arr $t:ty) => { thin_vec::ThinVec<$t> };
    (ts $t:ty) => { Option<u64> };
    (ts_req $t:ty) => { u64 };
    (ef $t:ty) => { Option<$crate::model::EditableField> };
    (ef_req $t:ty) => { $crate::model::EditableField };
}

/// The type read for a member before required-ness is checked.
macro_rules! member_slot {
    (req $t:ty) => { $t };
    (opt $t:ty) => { $t };
    (arr $t:ty) => { thin_vec::ThinVec<$t> };
    (opt_arr $t:ty) => { thin_vec::ThinVec<$t> };
    (ts $t:ty) => { u64 };
    (ts_req $t:ty) => { u64 };
    (ef $t:ty) => { $crate::model::EditableField };
    (ef_req $t:ty) => { $crate::model::EditableField };
}

/// Reads one member value; `None` when the value was dropped by a normalisation (a `null`
/// optional member, a negative timestamp).
macro_rules! read_member {
    (req $t:ty, $r:ident, $ctx:ident, $p:expr $(, $ft:ident)?) => {
        Some(<$t as $crate::model::codec::FromJson>::from_json(
            $r, $ctx, $p,
        )?)
    };
    (opt $t:ty, $r:ident, $ctx:ident, $p:expr $(, $ft:ident)?) => {
        if $crate::model::codec::take_null($r, $ctx, $p)? {
            None
        } else {
            Some(<$t as $crate::model::codec::FromJson>::from_json(
                $r, $ctx, $p,
            )?)
        }
    };
    (arr $t:ty, $r:ident, $ctx:ident, $p:expr $(, $ft:ident)?) => {
        Some($crate::model::codec::read_array::<$t, thin_vec::ThinVec<$t>>($r, $ctx, $p)?)
    };
    (opt_arr $t:ty, $r:ident, $ctx:ident, $p:expr $(, $ft:ident)?) => {
        if $crate::model::codec::take_null($r, $ctx, $p)? {
            None
        } else {
            Some($crate::model::codec::read_array::<$t, thin_vec::ThinVec<$t>>($r, $ctx, $p)?)
        }
    };
    (ts $t:ty, $r:ident, $ctx:ident, $p:expr $(, $ft:ident)?) => {
        if $crate::model::codec::take_null($r, $ctx, $p)? {
            None
        } else {
            $crate::model::codec::read_timestamp($r, $ctx, $p)?
        }
    };
    (ts_req $t:ty, $r:ident, $ctx:ident, $p:expr $(, $ft:ident)?) => {
        $crate::model::codec::read_timestamp($r, $ctx, $p)?
    };
    (ef $t:ty, $r:ident, $ctx:ident, $p:expr, $ft:ident) => {
        if $crate::model::codec::take_null($r, $ctx, $p)? {
            None
        } else {
            Some($crate::model::EditableField::read_expecting(
                $r,
                $ctx,
                $p,
                $crate::model::FieldType::$ft,
            )?)
        }
    };
    (ef_req $t:ty, $r:ident, $ctx:ident, $p:expr, $ft:ident) => {
        Some($crate::model::EditableField::read_expecting(
            $r,
            $ctx,
            $p,
            $crate::model::FieldType::$ft,
        )?)
    };
}

/// Turns the slot of a member into its final value, enforcing required members.
macro_rules! finish_member {
    (req, $slot:expr, $json:literal, $r:ident, $ctx:ident, $path:ident) => {
        match $slot {
            Some(Some(v)) => v,
            _ => {
                return Err($r.error(
                    $crate::error::ParseErrorKind::MissingMember,
                    &$path.key($json),
                ))
            }
        }
    };
    (ef_req, $slot:expr, $json:literal, $r:ident, $ctx:ident, $path:ident) => {
        $crate::model::codec::finish_member!(req, $slot, $json, $r, $ctx, $path)
    };
    (ts_req, $slot:expr, $json:literal, $r:ident, $ctx:ident, $path:ident) => {
        match $slot {
            Some(v) => v.unwrap_or(0),
            None => {
                return Err($r.error(
                    $crate::error::ParseErrorKind::MissingMember,
                    &$path.key($json),
                ))
            }
        }
    };
    (arr, $slot:expr, $json:literal, $r:ident, $ctx:ident, $path:ident) => {
        match $slot {
            Some(v) => v.unwrap_or_default(),
            None => {
                // At the parent object: the member is absent, its pointer would not resolve.
                $ctx.note(
                    "missing-required-array",
                    $path,
                    concat!("required array `", $json, "` was missing; read as empty"),
                );
                thin_vec::ThinVec::new()
            }
        }
    };
    (opt_arr, $slot:expr, $json:literal, $r:ident, $ctx:ident, $path:ident) => {
        match $slot {
            Some(Some(v)) => {
                if v.is_empty() {
                    $ctx.note(
                        "empty-optional-array",
                        &$path.key($json),
                        concat!("empty optional array `", $json, "` omitted"),
                    );
                }
                v
            }
            _ => thin_vec::ThinVec::new(),
        }
    };
    ($mode:ident, $slot:expr, $json:literal, $r:ident, $ctx:ident, $path:ident) => {
        $slot.flatten()
    };
}

/// Writes one member in canonical form (absent optional members and empty optional arrays are
/// left out).
macro_rules! write_member {
    (req, $v:expr, $json:literal, $w:ident) => {{
        $w.key($json);
        $crate::model::codec::ToJson::to_json($v, $w);
    }};
    (ef_req, $v:expr, $json:literal, $w:ident) => {
        $crate::model::codec::write_member!(req, $v, $json, $w)
    };
    (ts_req, $v:expr, $json:literal, $w:ident) => {
        $crate::model::codec::write_member!(req, $v, $json, $w)
    };
    (arr, $v:expr, $json:literal, $w:ident) => {{
        $w.key($json);
        $crate::model::codec::write_array($v, $w);
    }};
    (opt_arr, $v:expr, $json:literal, $w:ident) => {
        if !$v.is_empty() {
            $w.key($json);
            $crate::model::codec::write_array($v, $w);
        }
    };
    ($mode:ident, $v:expr, $json:literal, $w:ident) => {
        if let Some(v) = $v {
            $w.key($json);
            $crate::model::codec::ToJson::to_json(v, $w);
        }
    };
}

/// Declares a spec object: the struct with its `unknown` members, its reader and its writer.
///
/// Member syntax: `name: MODE Type = "jsonName" [@ FieldType] [| "alias" => "note-code"]`.
/// An optional `[hook]` after the struct name names a method
/// `fn hook(&mut self, r, ctx, path) -> Result<()>` run after the members are read.
macro_rules! record {
    (
        $(#[$meta:meta])*
        pub struct $name:ident $([$hook:ident])? {
            $(
                $(#[$fmeta:meta])*
                $field:ident : $mode:ident $ty:ty = $json:literal
                    $(@ $ft:ident)? $(| $alias:literal => $code:literal)?
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Default)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $crate::model::codec::member_type!($mode $ty), )*
            /// Members this version of the model does not know, kept for a lossless round trip.
            pub unknown: $crate::model::Unknown,
        }

        impl $name {
            /// Reads the members of an object whose `{` was consumed. `disc` names a
            /// discriminator member (`type`, `name`) already dispatched on, and whether it was
            /// consumed before this call.
            #[allow(unused_variables, unused_mut, clippy::redundant_locals)]
            pub(crate) fn read_members(
                r: &mut $crate::json::reader::Reader<'_>,
                ctx: &mut $crate::parse::Ctx,
                path: &$crate::pointer::Path<'_>,
                cur: &mut $crate::json::reader::ObjectCursor,
                disc: Option<(&'static str, bool)>,
            ) -> $crate::json::reader::Result<Self> {
                $( let mut $field: Option<Option<$crate::model::codec::member_slot!($mode $ty)>> = None; )*
                let mut unknown = $crate::model::Unknown::default();
                let mut disc = disc;
                while let Some(key) = r.next_key(cur, path)? {
                    let kpath = path.key(&key);
                    match key.as_ref() {
                        $(
                            $json $(| $alias)? => {
                                if $field.is_some() {
                                    return Err(r.error(
                                        $crate::error::ParseErrorKind::DuplicateMember,
                                        &kpath,
                                    ));
                                }
                                $(
                                    if key.as_ref() == $alias {
                                        ctx.note(
                                            $code,
                                            &kpath,
                                            concat!("`", $alias, "` (older draft) read as `", $json, "`"),
                                        );
                                    }
                                )?
                                $field = Some($crate::model::codec::read_member!($mode $ty, r, ctx, &kpath $(, $ft)?));
                            }
                        )*
                        k if disc.is_some_and(|(name, _)| name == k) => {
                            if let Some((name, true)) = disc {
                                let _ = name;
                                return Err(r.error(
                                    $crate::error::ParseErrorKind::DuplicateMember,
                                    &kpath,
                                ));
                            }
                            disc = disc.map(|(name, _)| (name, true));
                            r.skip_value(&kpath)?;
                        }
                        _ => unknown.read_member(r, &key, &kpath)?,
                    }
                }
                let mut value = $name {
                    $( $field: $crate::model::codec::finish_member!($mode, $field, $json, r, ctx, path), )*
                    unknown,
                };
                $( value.$hook(r, ctx, path)?; )?
                Ok(value)
            }

            /// Writes the members (without braces) in canonical order.
            pub(crate) fn write_members(&self, w: &mut $crate::json::writer::Writer) {
                $( $crate::model::codec::write_member!($mode, &self.$field, $json, w); )*
                self.unknown.write_members(w);
            }
        }

        impl $crate::model::codec::FromJson for $name {
            fn from_json(
                r: &mut $crate::json::reader::Reader<'_>,
                ctx: &mut $crate::parse::Ctx,
                path: &$crate::pointer::Path<'_>,
            ) -> $crate::json::reader::Result<Self> {
                let mut cur = r.begin_object(path)?;
                Self::read_members(r, ctx, path, &mut cur, None)
            }
        }

        impl $crate::model::codec::ToJson for $name {
            fn to_json(&self, w: &mut $crate::json::writer::Writer) {
                w.begin_object();
                self.write_members(w);
                w.end_object();
            }
        }
    };
}

/// Declares a string enumeration of the spec with an `Other` variant that keeps unknown values
/// (the spec says unknown enumeration values must be ignored, not rejected).
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $(#[$fmeta:meta])* $first:ident = $fjson:literal,
            $( $(#[$vmeta:meta])* $variant:ident = $json:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $(#[$fmeta])* $first,
            $( $(#[$vmeta])* $variant, )*
            /// A value this version does not know, kept as written.
            Other($crate::text::Text),
        }

        impl $name {
            /// The value as written in JSON.
            pub fn as_str(&self) -> &str {
                match self {
                    $name::$first => $fjson,
                    $( $name::$variant => $json, )*
                    $name::Other(s) => s,
                }
            }

            /// Parses a JSON string value; unknown values become `Other`.
            pub fn from_json_str(s: &str) -> Self {
                match s {
                    $fjson => $name::$first,
                    $( $json => $name::$variant, )*
                    other => $name::Other($crate::text::Text::from(other)),
                }
            }

            /// Whether this is a value the spec defines.
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Other(_))
            }
        }

        impl Default for $name {
            fn default() -> Self {
                $name::$first
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::model::codec::FromJson for $name {
            fn from_json(
                r: &mut $crate::json::reader::Reader<'_>,
                _ctx: &mut $crate::parse::Ctx,
                path: &$crate::pointer::Path<'_>,
            ) -> $crate::json::reader::Result<Self> {
                Ok($name::from_json_str(&r.read_str(path)?))
            }
        }

        impl $crate::model::codec::ToJson for $name {
            fn to_json(&self, w: &mut $crate::json::writer::Writer) {
                w.string(self.as_str());
            }
        }
    };
}

pub(crate) use {
    finish_member, member_slot, member_type, read_member, record, string_enum, write_member,
};
