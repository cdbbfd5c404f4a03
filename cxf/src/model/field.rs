//! EditableField (§3.4): a value with a field type that says how to encode and show it.

use std::borrow::Cow;

use crate::json::reader::{JsonType, Reader, Result};
use crate::model::B64;
use crate::model::Extension;
use crate::model::codec::{FromJson, record, string_enum};
use crate::parse::Ctx;
use crate::pointer::Path;
use crate::text::{Secret, Text};

string_enum! {
    /// The `fieldType` of an [`EditableField`]: the string encoding of `value` and how to show it.
    pub enum FieldType {
        /// Any UTF-8 text, shown in clear.
        String = "string",
        /// A secret; hidden unless the user asks.
        ConcealedString = "concealed-string",
        /// An e-mail address (RFC 5322 addr-spec).
        Email = "email",
        /// A number written as a string.
        Number = "number",
        /// Exactly `"true"` or `"false"`.
        Boolean = "boolean",
        /// An RFC 3339 full-date, `YYYY-MM-DD`.
        Date = "date",
        /// `YYYY-MM`.
        YearMonth = "year-month",
        /// One of `unsecured`, `wep`, `wpa-personal`, `wpa2-personal`, `wpa3-personal`.
        WifiNetworkSecurityType = "wifi-network-security-type",
        /// ISO 3166-1 alpha-2 country code.
        CountryCode = "country-code",
        /// ISO 3166-2 subdivision code, e.g. `US-CA`.
        SubdivisionCode = "subdivision-code",
    }
}

record! {
    /// A user-visible value of a credential. `value` is always a JSON string whatever the
    /// field type, and is kept as a [`Secret`] (notes, card numbers and concealed fields alike).
    pub struct EditableField {
        /// Optional opaque identifier (base64url, at most 64 bytes).
        id: opt B64 = "id",
        /// How `value` is encoded and shown.
        field_type: req FieldType = "fieldType",
        /// The value, always a string.
        value: req Secret = "value",
        /// User-facing label.
        label: opt Text = "label",
        /// Extensions.
        extensions: opt_arr Extension = "extensions",
    }
}

impl EditableField {
    /// A field of type `field_type` with `value` and nothing else.
    pub fn new(field_type: FieldType, value: impl Into<Secret>) -> Self {
        EditableField {
            field_type,
            value: value.into(),
            ..EditableField::default()
        }
    }

    /// Reads a field in a slot whose spec type is `expected`. A bare string (the 2024 working
    /// draft wrote some members, like `note.content` and card numbers, as plain strings) is
    /// wrapped into a field of the expected type, with a note.
    pub(crate) fn read_expecting(
        r: &mut Reader<'_>,
        ctx: &mut Ctx,
        path: &Path<'_>,
        expected: FieldType,
    ) -> Result<Self> {
        if r.peek_type(path)? == JsonType::String {
            let value = match r.read_str(path)? {
                Cow::Borrowed(s) => Secret::new(s),
                Cow::Owned(s) => Secret::from_string(s),
            };
            ctx.note(
                "wd-bare-string-field",
                path,
                format!("bare string (older draft) wrapped as an EditableField of type {expected}"),
            );
            return Ok(EditableField::new(expected, value));
        }
        EditableField::from_json(r, ctx, path)
    }
}
