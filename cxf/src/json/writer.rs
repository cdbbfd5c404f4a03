//! A JSON writer into a buffer that never leaves copies of its contents behind.
//!
//! The output of a CXF document holds every secret of a vault. A `Vec<u8>` that grows copies its
//! bytes to a new allocation and frees the old one without wiping it; this writer grows by hand
//! and zeroizes the old allocation first.

use serde_json::Value;
use zeroize::{Zeroize, Zeroizing};

/// Bytes that need escaping inside a JSON string.
static NEEDS_ESCAPE: [bool; 256] = {
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

const HEX: &[u8; 16] = b"0123456789abcdef";

pub(crate) struct Writer {
    buf: Vec<u8>,
    /// Indentation unit for pretty output; `None` for compact output.
    indent: Option<&'static [u8]>,
    /// One entry per open object or array: whether it has no member or element yet.
    first: Vec<bool>,
}

impl Writer {
    pub(crate) fn new(capacity: usize, pretty: bool) -> Self {
        Writer {
            buf: Vec::with_capacity(capacity.max(64)),
            indent: pretty.then_some(b"  ".as_slice()),
            first: Vec::with_capacity(16),
        }
    }

    pub(crate) fn finish(mut self) -> Zeroizing<Vec<u8>> {
        if self.indent.is_some() {
            self.push(b"\n");
        }
        Zeroizing::new(std::mem::take(&mut self.buf))
    }

    /// Writes what is buffered so far to `out` and wipes it (streamed output: the buffer holds
    /// one chunk at a time).
    #[cfg_attr(not(feature = "formats"), allow(dead_code))]
    pub(crate) fn drain_to(&mut self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        let result = out.write_all(&self.buf);
        self.buf.zeroize();
        self.buf.clear();
        result
    }

    #[inline]
    fn reserve(&mut self, n: usize) {
        if self.buf.capacity() - self.buf.len() < n {
            self.grow(n);
        }
    }

    #[cold]
    fn grow(&mut self, n: usize) {
        let wanted = (self.buf.len() + n).max(self.buf.capacity() * 2);
        let mut bigger = Vec::with_capacity(wanted);
        bigger.extend_from_slice(&self.buf);
        self.buf.zeroize();
        self.buf = bigger;
    }

    #[inline]
    fn push(&mut self, bytes: &[u8]) {
        self.reserve(bytes.len());
        self.buf.extend_from_slice(bytes);
    }

    fn newline(&mut self) {
        /// A line break and the indentation of the first 32 levels, written in one copy.
        const BREAK: &[u8; 65] =
            b"\n                                                                ";
        if let Some(unit) = self.indent {
            let depth = self.first.len();
            let width = unit.len() * depth;
            self.reserve(1 + width);
            if unit == b"  " && width < BREAK.len() {
                self.buf.extend_from_slice(&BREAK[..=width]);
            } else {
                self.buf.push(b'\n');
                for _ in 0..depth {
                    self.buf.extend_from_slice(unit);
                }
            }
        }
    }

    /// Writes the separator before a member or element of the innermost container.
    fn separator(&mut self) {
        if let Some(first) = self.first.last_mut() {
            if *first {
                *first = false;
            } else {
                self.push(b",");
            }
            self.newline();
        }
    }

    pub(crate) fn begin_object(&mut self) {
        self.push(b"{");
        self.first.push(true);
    }

    pub(crate) fn end_object(&mut self) {
        self.close(b"}");
    }

    pub(crate) fn begin_array(&mut self) {
        self.push(b"[");
        self.first.push(true);
    }

    pub(crate) fn end_array(&mut self) {
        self.close(b"]");
    }

    fn close(&mut self, bracket: &[u8]) {
        let was_empty = self.first.pop().unwrap_or(true);
        if !was_empty {
            self.newline();
        }
        self.push(bracket);
    }

    /// Writes a member name (and `:`) in the current object. `name` must need no escaping.
    #[inline]
    pub(crate) fn key(&mut self, name: &str) {
        self.separator();
        self.reserve(name.len() + 4);
        self.buf.push(b'"');
        self.buf.extend_from_slice(name.as_bytes());
        self.buf.extend_from_slice(if self.indent.is_some() {
            b"\": "
        } else {
            b"\":"
        });
    }

    /// Writes a member name that may need escaping (names of unknown members).
    pub(crate) fn key_escaped(&mut self, name: &str) {
        self.separator();
        self.string_raw(name);
        self.push(if self.indent.is_some() { b": " } else { b":" });
    }

    /// Prepares for an array element.
    pub(crate) fn element(&mut self) {
        self.separator();
    }

    pub(crate) fn string(&mut self, s: &str) {
        self.string_raw(s);
    }

    fn string_raw(&mut self, s: &str) {
        let bytes = s.as_bytes();
        self.reserve(bytes.len() + 2);
        self.buf.push(b'"');
        let mut start = 0;
        for (i, &b) in bytes.iter().enumerate() {
            if !NEEDS_ESCAPE[b as usize] {
                continue;
            }
            if start < i {
                self.push(&bytes[start..i]);
            }
            match b {
                b'"' => self.push(b"\\\""),
                b'\\' => self.push(b"\\\\"),
                b'\n' => self.push(b"\\n"),
                b'\r' => self.push(b"\\r"),
                b'\t' => self.push(b"\\t"),
                0x08 => self.push(b"\\b"),
                0x0c => self.push(b"\\f"),
                _ => self.push(&[
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX[(b >> 4) as usize],
                    HEX[(b & 15) as usize],
                ]),
            }
            start = i + 1;
        }
        self.push(&bytes[start..]);
        self.push(b"\"");
    }

    pub(crate) fn u64(&mut self, v: u64) {
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        let mut n = v;
        loop {
            i -= 1;
            digits[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        self.push(&digits[i..]);
    }

    pub(crate) fn bool(&mut self, v: bool) {
        self.push(if v { b"true" } else { b"false" });
    }

    /// Writes an arbitrary JSON value (unknown members), keeping the member order it has.
    pub(crate) fn value(&mut self, v: &Value) {
        match v {
            Value::Null => self.push(b"null"),
            Value::Bool(b) => self.bool(*b),
            Value::Number(n) => {
                let text = n.to_string();
                self.push(text.as_bytes());
            }
            Value::String(s) => self.string(s),
            Value::Array(items) => {
                self.begin_array();
                for item in items {
                    self.element();
                    self.value(item);
                }
                self.end_array();
            }
            Value::Object(map) => {
                self.begin_object();
                for (k, item) in map {
                    self.key_escaped(k);
                    self.value(item);
                }
                self.end_object();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_round_trips_through_serde_json() {
        let v: Value = serde_json::json!({
            "s": "quote\" back\\ nl\n ctl\u{1} é 😀",
            "n": [0, 1, -5, 2.5, 18446744073709551615u64],
            "o": {"k": null, "t": true, "e": {}, "a": []}
        });
        for pretty in [false, true] {
            let mut w = Writer::new(0, pretty);
            w.value(&v);
            let out = w.finish();
            let back: Value = serde_json::from_slice(&out).unwrap();
            assert_eq!(back, v);
        }
    }

    #[test]
    fn growth_keeps_content() {
        let mut w = Writer::new(1, false);
        w.begin_array();
        for i in 0..1000 {
            w.element();
            w.u64(i);
        }
        w.end_array();
        let out = w.finish();
        let back: Vec<u64> = serde_json::from_slice(&out).unwrap();
        assert_eq!(back, (0..1000).collect::<Vec<_>>());
    }
}
