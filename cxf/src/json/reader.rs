//! A pull parser over a UTF-8 JSON document (RFC 8259).
//!
//! Why our own instead of `serde_json`'s deserializer: the model needs the JSON Pointer of every
//! error, credential dispatch on a `type` member that may come last (so the reader must be able
//! to look ahead and rewind), limits checked while reading (depth, string length, value count),
//! and duplicate member names rejected. The reader borrows from the input and allocates only
//! for strings that contain escapes.

use std::borrow::Cow;

use serde_json::{Map, Number, Value};

use crate::error::{ParseError, ParseErrorKind};
use crate::limits::Limits;
use crate::pointer::Path;

pub(crate) type Result<T> = std::result::Result<T, ParseError>;

/// The JSON type of the value at the reader's position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JsonType {
    Object,
    Array,
    String,
    Number,
    Bool,
    Null,
}

impl JsonType {
    pub(crate) fn name(self) -> &'static str {
        match self {
            JsonType::Object => "an object",
            JsonType::Array => "an array",
            JsonType::String => "a string",
            JsonType::Number => "a number",
            JsonType::Bool => "a boolean",
            JsonType::Null => "null",
        }
    }
}

/// A JSON number token, kept as text so that callers choose the conversion.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NumberToken<'a> {
    pub(crate) text: &'a str,
    pub(crate) negative: bool,
    /// No fraction and no exponent.
    pub(crate) integer: bool,
}

/// State of one object being read: whether the next member is the first.
#[derive(Debug)]
pub(crate) struct ObjectCursor {
    first: bool,
}

/// State of one array being read.
#[derive(Debug)]
pub(crate) struct ArrayCursor {
    first: bool,
    index: usize,
}

impl ArrayCursor {
    /// Index of the element the last `next_element` call positioned on.
    pub(crate) fn index(&self) -> usize {
        self.index - 1
    }
}

/// Bytes that end the fast path of string scanning: `"`, `\` and control characters.
static STRING_STOP: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 0x20 {
        table[i] = true;
        i += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

/// The index of the first byte at or after `i` that ends the fast path of string scanning
/// ([`STRING_STOP`]), or `bytes.len()`. Eight bytes at a time while none of them is `"`, `\\` or
/// a control character (the word tests below find whether a word holds one, never which).
#[inline]
fn scan_string(bytes: &[u8], mut i: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    while let Some(word) = bytes.get(i..).and_then(<[u8]>::first_chunk::<8>) {
        let w = u64::from_le_bytes(*word);
        let quote = w ^ (ONES * u64::from(b'"'));
        let backslash = w ^ (ONES * u64::from(b'\\'));
        // A zero byte of `quote` or `backslash`, or a byte of `w` below 0x20.
        let stop = (quote.wrapping_sub(ONES) & !quote)
            | (backslash.wrapping_sub(ONES) & !backslash)
            | (w.wrapping_sub(ONES * 0x20) & !w);
        if stop & HIGH != 0 {
            break;
        }
        i += 8;
    }
    while i < bytes.len() && !STRING_STOP[bytes[i] as usize] {
        i += 1;
    }
    i
}

/// A saved reader state (see [`Reader::checkpoint`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Checkpoint {
    pos: usize,
    depth: usize,
    values: usize,
}

pub(crate) struct Reader<'a> {
    src: &'a str,
    pos: usize,
    depth: usize,
    values: usize,
    limits: &'a Limits,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(src: &'a str, limits: &'a Limits) -> Self {
        Reader {
            src,
            pos: 0,
            depth: 0,
            values: 0,
            limits,
        }
    }

    #[cfg_attr(not(feature = "validate"), allow(dead_code))]
    /// A reader of a value that sits `depth` levels deep in a larger document (one item of a
    /// streamed input): the depth limit counts those levels too.
    pub(crate) fn nested(src: &'a str, limits: &'a Limits, depth: usize) -> Self {
        Reader {
            depth,
            ..Reader::new(src, limits)
        }
    }

    #[inline]
    fn bytes(&self) -> &'a [u8] {
        self.src.as_bytes()
    }

    #[cfg(test)]
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// The reader's state, to come back to after a look-ahead.
    pub(crate) fn checkpoint(&self) -> Checkpoint {
        Checkpoint {
            pos: self.pos,
            depth: self.depth,
            values: self.values,
        }
    }

    /// Rewinds to a checkpoint: position, nesting depth and value count, so that values read
    /// during a look-ahead are not counted twice against the limit.
    pub(crate) fn restore(&mut self, cp: Checkpoint) {
        self.pos = cp.pos;
        self.depth = cp.depth;
        self.values = cp.values;
    }

    /// Builds an error located at `path` and at the current input position.
    pub(crate) fn error(&self, kind: ParseErrorKind, path: &Path<'_>) -> ParseError {
        let upto = &self.bytes()[..self.pos.min(self.src.len())];
        let line = upto.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = upto.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        ParseError::new(kind, path.to_pointer(), line, self.pos - line_start + 1)
    }

    fn syntax(&self, msg: &str, path: &Path<'_>) -> ParseError {
        self.error(ParseErrorKind::Syntax(msg.to_owned()), path)
    }

    pub(crate) fn wrong_type(&mut self, expected: &'static str, path: &Path<'_>) -> ParseError {
        match self.peek_type(path) {
            Ok(found) => self.error(
                ParseErrorKind::WrongType {
                    expected,
                    found: found.name(),
                },
                path,
            ),
            Err(e) => e,
        }
    }

    #[inline]
    fn skip_ws(&mut self) {
        let bytes = self.bytes();
        while let Some(&b) = bytes.get(self.pos) {
            if matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    /// The type of the next value, after skipping whitespace.
    pub(crate) fn peek_type(&mut self, path: &Path<'_>) -> Result<JsonType> {
        self.skip_ws();
        match self.bytes().get(self.pos) {
            Some(b'{') => Ok(JsonType::Object),
            Some(b'[') => Ok(JsonType::Array),
            Some(b'"') => Ok(JsonType::String),
            Some(b'-' | b'0'..=b'9') => Ok(JsonType::Number),
            Some(b't' | b'f') => Ok(JsonType::Bool),
            Some(b'n') => Ok(JsonType::Null),
            Some(_) => Err(self.syntax("expected a value", path)),
            None => Err(self.syntax("unexpected end of input", path)),
        }
    }

    fn count_value(&mut self, path: &Path<'_>) -> Result<()> {
        self.values += 1;
        if self.values > self.limits.max_values {
            return Err(self.error(
                ParseErrorKind::Limit {
                    limit: "max_values",
                    max: self.limits.max_values,
                },
                path,
            ));
        }
        Ok(())
    }

    fn enter(&mut self, path: &Path<'_>) -> Result<()> {
        self.depth += 1;
        if self.depth > self.limits.max_depth {
            return Err(self.error(
                ParseErrorKind::Limit {
                    limit: "max_depth",
                    max: self.limits.max_depth,
                },
                path,
            ));
        }
        self.count_value(path)
    }

    /// Starts reading an object; a different JSON type is a `wrong-type` error.
    pub(crate) fn begin_object(&mut self, path: &Path<'_>) -> Result<ObjectCursor> {
        self.skip_ws();
        if self.bytes().get(self.pos) != Some(&b'{') {
            return Err(self.wrong_type("an object", path));
        }
        self.enter(path)?;
        self.pos += 1;
        Ok(ObjectCursor { first: true })
    }

    /// Reads the next member name of the object and the `:` after it; `None` at the end of the
    /// object.
    pub(crate) fn next_key(
        &mut self,
        cur: &mut ObjectCursor,
        path: &Path<'_>,
    ) -> Result<Option<Cow<'a, str>>> {
        self.skip_ws();
        let bytes = self.bytes();
        if cur.first {
            cur.first = false;
            if bytes.get(self.pos) == Some(&b'}') {
                self.pos += 1;
                self.depth -= 1;
                return Ok(None);
            }
        } else {
            match bytes.get(self.pos) {
                Some(b',') => {
                    self.pos += 1;
                    self.skip_ws();
                }
                Some(b'}') => {
                    self.pos += 1;
                    self.depth -= 1;
                    return Ok(None);
                }
                Some(_) => return Err(self.syntax("expected ',' or '}' after a member", path)),
                None => return Err(self.syntax("unexpected end of input in an object", path)),
            }
        }
        if self.bytes().get(self.pos) != Some(&b'"') {
            return Err(self.syntax("expected a member name in double quotes", path));
        }
        self.pos += 1;
        let key = self.string_body(path)?;
        self.skip_ws();
        if self.bytes().get(self.pos) != Some(&b':') {
            return Err(self.syntax("expected ':' after a member name", path));
        }
        self.pos += 1;
        Ok(Some(key))
    }

    /// Starts reading an array; a different JSON type is a `wrong-type` error.
    pub(crate) fn begin_array(&mut self, path: &Path<'_>) -> Result<ArrayCursor> {
        self.skip_ws();
        if self.bytes().get(self.pos) != Some(&b'[') {
            return Err(self.wrong_type("an array", path));
        }
        self.enter(path)?;
        self.pos += 1;
        Ok(ArrayCursor {
            first: true,
            index: 0,
        })
    }

    /// Positions on the next element; `false` at the end of the array.
    pub(crate) fn next_element(&mut self, cur: &mut ArrayCursor, path: &Path<'_>) -> Result<bool> {
        self.skip_ws();
        let bytes = self.bytes();
        if cur.first {
            cur.first = false;
            if bytes.get(self.pos) == Some(&b']') {
                self.pos += 1;
                self.depth -= 1;
                return Ok(false);
            }
        } else {
            match bytes.get(self.pos) {
                Some(b',') => {
                    self.pos += 1;
                    self.skip_ws();
                    if self.bytes().get(self.pos) == Some(&b']') {
                        let elem = path.index(cur.index);
                        return Err(self.syntax("trailing comma in an array", &elem));
                    }
                }
                Some(b']') => {
                    self.pos += 1;
                    self.depth -= 1;
                    return Ok(false);
                }
                Some(_) => return Err(self.syntax("expected ',' or ']' after an element", path)),
                None => return Err(self.syntax("unexpected end of input in an array", path)),
            }
        }
        cur.index += 1;
        Ok(true)
    }

    /// Reads a string value; a different JSON type is a `wrong-type` error.
    pub(crate) fn read_str(&mut self, path: &Path<'_>) -> Result<Cow<'a, str>> {
        self.skip_ws();
        if self.bytes().get(self.pos) != Some(&b'"') {
            return Err(self.wrong_type("a string", path));
        }
        self.count_value(path)?;
        self.pos += 1;
        self.string_body(path)
    }

    /// Reads the rest of a string whose opening quote was consumed.
    fn string_body(&mut self, path: &Path<'_>) -> Result<Cow<'a, str>> {
        let bytes = self.bytes();
        let start = self.pos;
        let i = scan_string(bytes, start);
        match bytes.get(i) {
            Some(b'"') => {
                self.pos = i + 1;
                self.check_string_len(i - start, path)?;
                Ok(Cow::Borrowed(&self.src[start..i]))
            }
            Some(b'\\') => {
                let mut out = String::with_capacity(i - start + 16);
                out.push_str(&self.src[start..i]);
                self.pos = i;
                self.string_escaped(out, path).map(Cow::Owned)
            }
            Some(_) => {
                self.pos = i;
                Err(self.syntax("control character inside a string", path))
            }
            None => {
                self.pos = i;
                Err(self.syntax("unterminated string", path))
            }
        }
    }

    fn check_string_len(&self, len: usize, path: &Path<'_>) -> Result<()> {
        if len > self.limits.max_string_bytes {
            return Err(self.error(
                ParseErrorKind::Limit {
                    limit: "max_string_bytes",
                    max: self.limits.max_string_bytes,
                },
                path,
            ));
        }
        Ok(())
    }

    /// Slow path of string reading: unescapes into `out`, starting at a backslash.
    fn string_escaped(&mut self, mut out: String, path: &Path<'_>) -> Result<String> {
        let bytes = self.bytes();
        loop {
            let start = self.pos;
            let i = scan_string(bytes, start);
            out.push_str(&self.src[start..i]);
            self.pos = i;
            match bytes.get(i) {
                Some(b'"') => {
                    self.pos += 1;
                    self.check_string_len(out.len(), path)?;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let c = match bytes.get(self.pos) {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.pos += 1;
                            let c = self.unicode_escape(path)?;
                            out.push(c);
                            if out.len() > self.limits.max_string_bytes {
                                self.check_string_len(out.len(), path)?;
                            }
                            continue;
                        }
                        _ => return Err(self.syntax("invalid escape sequence in a string", path)),
                    };
                    self.pos += 1;
                    out.push(c);
                    if out.len() > self.limits.max_string_bytes {
                        self.check_string_len(out.len(), path)?;
                    }
                }
                Some(_) => return Err(self.syntax("control character inside a string", path)),
                None => return Err(self.syntax("unterminated string", path)),
            }
        }
    }

    fn hex4(&mut self, path: &Path<'_>) -> Result<u32> {
        let bytes = self.bytes();
        let Some(digits) = bytes.get(self.pos..self.pos + 4) else {
            return Err(self.syntax("truncated \\u escape", path));
        };
        let mut v = 0u32;
        for &d in digits {
            let n = match d {
                b'0'..=b'9' => d - b'0',
                b'a'..=b'f' => d - b'a' + 10,
                b'A'..=b'F' => d - b'A' + 10,
                _ => return Err(self.syntax("invalid hex digit in a \\u escape", path)),
            };
            v = v * 16 + u32::from(n);
        }
        self.pos += 4;
        Ok(v)
    }

    /// Decodes the `XXXX` of `\uXXXX` (and a following low surrogate escape if needed).
    fn unicode_escape(&mut self, path: &Path<'_>) -> Result<char> {
        let hi = self.hex4(path)?;
        let code = if (0xD800..0xDC00).contains(&hi) {
            let bytes = self.bytes();
            if bytes.get(self.pos) != Some(&b'\\') || bytes.get(self.pos + 1) != Some(&b'u') {
                return Err(self.syntax("lone surrogate in a \\u escape", path));
            }
            self.pos += 2;
            let lo = self.hex4(path)?;
            if !(0xDC00..0xE000).contains(&lo) {
                return Err(self.syntax("lone surrogate in a \\u escape", path));
            }
            0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
        } else if (0xDC00..0xE000).contains(&hi) {
            return Err(self.syntax("lone surrogate in a \\u escape", path));
        } else {
            hi
        };
        char::from_u32(code).ok_or_else(|| self.syntax("invalid \\u escape", path))
    }

    /// Reads a number token; a different JSON type is a `wrong-type` error.
    pub(crate) fn read_number(&mut self, path: &Path<'_>) -> Result<NumberToken<'a>> {
        self.skip_ws();
        match self.bytes().get(self.pos) {
            Some(b'-' | b'0'..=b'9') => {}
            _ => return Err(self.wrong_type("a number", path)),
        }
        self.count_value(path)?;
        self.number_token(path)
    }

    fn number_token(&mut self, path: &Path<'_>) -> Result<NumberToken<'a>> {
        let bytes = self.bytes();
        let start = self.pos;
        let mut i = start;
        let negative = bytes.get(i) == Some(&b'-');
        if negative {
            i += 1;
        }
        match bytes.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => {
                while matches!(bytes.get(i), Some(b'0'..=b'9')) {
                    i += 1;
                }
            }
            _ => {
                self.pos = i;
                return Err(self.syntax("invalid number", path));
            }
        }
        let mut integer = true;
        if bytes.get(i) == Some(&b'.') {
            integer = false;
            i += 1;
            if !matches!(bytes.get(i), Some(b'0'..=b'9')) {
                self.pos = i;
                return Err(self.syntax("invalid number: digits expected after '.'", path));
            }
            while matches!(bytes.get(i), Some(b'0'..=b'9')) {
                i += 1;
            }
        }
        if matches!(bytes.get(i), Some(b'e' | b'E')) {
            integer = false;
            i += 1;
            if matches!(bytes.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            if !matches!(bytes.get(i), Some(b'0'..=b'9')) {
                self.pos = i;
                return Err(self.syntax("invalid number: digits expected in the exponent", path));
            }
            while matches!(bytes.get(i), Some(b'0'..=b'9')) {
                i += 1;
            }
        }
        self.pos = i;
        Ok(NumberToken {
            text: &self.src[start..i],
            negative,
            integer,
        })
    }

    /// Reads `true` or `false`; a different JSON type is a `wrong-type` error.
    pub(crate) fn read_bool(&mut self, path: &Path<'_>) -> Result<bool> {
        self.skip_ws();
        let rest = &self.bytes()[self.pos..];
        let value = if rest.starts_with(b"true") {
            true
        } else if rest.starts_with(b"false") {
            false
        } else if matches!(rest.first(), Some(b't' | b'f')) {
            return Err(self.syntax("invalid literal", path));
        } else {
            return Err(self.wrong_type("a boolean", path));
        };
        self.count_value(path)?;
        self.pos += if value { 4 } else { 5 };
        Ok(value)
    }

    fn literal(&mut self, word: &[u8], path: &Path<'_>) -> Result<()> {
        if self.bytes()[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(self.syntax("invalid literal", path))
        }
    }

    /// Skips one value of any type, checking its syntax and the limits.
    pub(crate) fn skip_value(&mut self, path: &Path<'_>) -> Result<()> {
        match self.peek_type(path)? {
            JsonType::Object => {
                let mut cur = self.begin_object(path)?;
                while let Some(key) = self.next_key(&mut cur, path)? {
                    self.skip_value(&path.key(&key))?;
                }
            }
            JsonType::Array => {
                let mut cur = self.begin_array(path)?;
                while self.next_element(&mut cur, path)? {
                    self.skip_value(&path.index(cur.index()))?;
                }
            }
            JsonType::String => {
                self.read_str(path)?;
            }
            JsonType::Number => {
                self.read_number(path)?;
            }
            JsonType::Bool => {
                self.read_bool(path)?;
            }
            JsonType::Null => {
                self.count_value(path)?;
                self.literal(b"null", path)?;
            }
        }
        Ok(())
    }

    /// Reads one value of any type as a `serde_json::Value` (for members the model does not
    /// know). Duplicate member names are rejected here too.
    pub(crate) fn read_value(&mut self, path: &Path<'_>) -> Result<Value> {
        match self.peek_type(path)? {
            JsonType::Object => {
                let mut cur = self.begin_object(path)?;
                let mut map = Map::new();
                while let Some(key) = self.next_key(&mut cur, path)? {
                    let child = path.key(&key);
                    if map.contains_key(key.as_ref()) {
                        return Err(self.error(ParseErrorKind::DuplicateMember, &child));
                    }
                    let value = self.read_value(&child)?;
                    map.insert(key.into_owned(), value);
                }
                Ok(Value::Object(map))
            }
            JsonType::Array => {
                let mut cur = self.begin_array(path)?;
                let mut items = Vec::new();
                while self.next_element(&mut cur, path)? {
                    items.push(self.read_value(&path.index(cur.index()))?);
                }
                Ok(Value::Array(items))
            }
            JsonType::String => Ok(Value::String(self.read_str(path)?.into_owned())),
            JsonType::Number => {
                let token = self.read_number(path)?;
                Ok(Value::Number(self.json_number(token, path)?))
            }
            JsonType::Bool => Ok(Value::Bool(self.read_bool(path)?)),
            JsonType::Null => {
                self.count_value(path)?;
                self.literal(b"null", path)?;
                Ok(Value::Null)
            }
        }
    }

    /// Converts a number token to a `serde_json::Number` the way `serde_json` itself would.
    pub(crate) fn json_number(&self, token: NumberToken<'_>, path: &Path<'_>) -> Result<Number> {
        if token.integer {
            if !token.negative {
                if let Ok(v) = token.text.parse::<u64>() {
                    return Ok(Number::from(v));
                }
            } else if let Ok(v) = token.text.parse::<i64>() {
                // serde_json reads `-0` as the float -0.0; do the same so values compare equal.
                if v != 0 {
                    return Ok(Number::from(v));
                }
            }
        }
        token
            .text
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .ok_or_else(|| {
                self.error(
                    ParseErrorKind::InvalidValue("number out of range".into()),
                    path,
                )
            })
    }

    /// Checks that only whitespace follows the top-level value.
    pub(crate) fn finish(&mut self) -> Result<()> {
        self.skip_ws();
        if self.pos != self.src.len() {
            return Err(self.syntax("trailing characters after the JSON value", &Path::Root));
        }
        Ok(())
    }

    /// Looks ahead in the object that starts at the current position for member `name` and
    /// returns its string value, then rewinds. `Ok(None)` when the object has no such member.
    pub(crate) fn find_string_member(
        &mut self,
        name: &str,
        path: &Path<'_>,
    ) -> Result<Option<Cow<'a, str>>> {
        let cp = self.checkpoint();
        let mut cur = self.begin_object(path)?;
        let mut found = None;
        while let Some(key) = self.next_key(&mut cur, path)? {
            let child = path.key(&key);
            if key == name {
                found = Some(self.read_str(&child)?);
                break;
            }
            self.skip_value(&child)?;
        }
        self.restore(cp);
        Ok(found)
    }

    /// Looks ahead in the object at the current position and returns the names of its members,
    /// then rewinds.
    pub(crate) fn member_names(&mut self, path: &Path<'_>) -> Result<Vec<Cow<'a, str>>> {
        let cp = self.checkpoint();
        let mut cur = self.begin_object(path)?;
        let mut names = Vec::new();
        while let Some(key) = self.next_key(&mut cur, path)? {
            self.skip_value(&path.key(&key))?;
            names.push(key);
        }
        self.restore(cp);
        Ok(names)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(src: &str) -> Result<Value> {
        let limits = Limits::default();
        let mut r = Reader::new(src, &limits);
        let v = r.read_value(&Path::Root)?;
        r.finish()?;
        Ok(v)
    }

    #[test]
    fn agrees_with_serde_json() {
        for src in [
            r#"{"a":[1,-2,3.5,1e3,-0,18446744073709551615,-9223372036854775808],"b":{"c":null,"d":true,"e":false}}"#,
            r#"["\u00e9\ud83d\ude00\n\t\"\\\/", "plain", ""]"#,
            "  { \"x\" : [ ] , \"y\" : { } }  ",
            "123456789012345678901234567890",
        ] {
            let ours = value(src).unwrap();
            let theirs: Value = serde_json::from_str(src).unwrap();
            assert_eq!(ours, theirs, "{src}");
        }
    }

    #[test]
    fn rejects_bad_json_with_kind() {
        for src in [
            "{\"a\":1,}",
            "[1,]",
            "\"abc",
            "\"\\x\"",
            "\"\\ud800\"",
            "\"\\udc00x\"",
            "01",
            "1.",
            "-",
            "tru",
            "{\"a\" 1}",
            "\"a\u{1}b\"",
            "[1 2]",
            "{} {}",
        ] {
            let err = value(src).unwrap_err();
            assert_eq!(err.kind().code(), "syntax", "{src}");
        }
    }

    #[test]
    fn duplicate_members_are_rejected_with_pointer() {
        let err = value(r#"{"a":{"b":1,"b":2}}"#).unwrap_err();
        assert_eq!(err.kind(), &ParseErrorKind::DuplicateMember);
        assert_eq!(err.pointer(), "/a/b");
    }

    #[test]
    fn depth_limit_names_the_limit() {
        let limits = Limits {
            max_depth: 3,
            ..Limits::default()
        };
        let mut r = Reader::new("[[[[1]]]]", &limits);
        let err = r.read_value(&Path::Root).unwrap_err();
        assert_eq!(
            err.kind(),
            &ParseErrorKind::Limit {
                limit: "max_depth",
                max: 3
            }
        );
        assert_eq!(err.pointer(), "/0/0/0");
    }

    #[test]
    fn string_limit_applies_after_unescaping() {
        let limits = Limits {
            max_string_bytes: 4,
            ..Limits::default()
        };
        let mut r = Reader::new(r#"["abcd","ab\ncd"]"#, &limits);
        let err = r.read_value(&Path::Root).unwrap_err();
        assert_eq!(err.kind().code(), "limit");
        assert_eq!(err.pointer(), "/1");
    }

    #[test]
    fn lookahead_rewinds() {
        let limits = Limits::default();
        let src = r#"{"a":{"x":[1,2]},"type":"note","b":2}"#;
        let mut r = Reader::new(src, &limits);
        let ty = r.find_string_member("type", &Path::Root).unwrap();
        assert_eq!(ty.as_deref(), Some("note"));
        assert_eq!(r.pos(), 0);
        let v = r.read_value(&Path::Root).unwrap();
        assert_eq!(v["b"], 2);
    }

    #[test]
    fn string_scan_stops_at_the_first_stop_byte() {
        // Every stop byte at every offset of a word, after every kind of ordinary byte.
        for len in 0..20 {
            for filler in [b'a', b'~', 0x7f, 0x80, 0xff, 0x21, 0x5b, 0x5d, 0x20] {
                for stop in (0u8..0x20).chain([b'"', b'\\']) {
                    let mut bytes = vec![filler; len];
                    bytes.push(stop);
                    bytes.extend_from_slice(b"abcdefgh\"");
                    assert_eq!(scan_string(&bytes, 0), len, "{len} {filler:#x} {stop:#x}");
                    assert_eq!(scan_string(&bytes[..len], 0), len);
                }
            }
        }
    }

    #[test]
    fn error_position_is_line_and_column() {
        let err = value("{\n  \"a\": tru\n}").unwrap_err();
        assert_eq!((err.line(), err.column()), (2, 8));
    }
}
