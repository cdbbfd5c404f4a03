//! A small, bounded MessagePack decoder: enough to read the values `rmp_serde` writes (Proton
//! Pass stores its passkeys that way), nothing more.
//!
//! Every MessagePack type is decoded except the extension types (`fixext`, `ext`), which no
//! serde serialisation of plain data produces; they are an error. Limits:
//!
//! * the input is at most [`MAX_INPUT`] bytes;
//! * containers nest at most [`MAX_DEPTH`] deep;
//! * a container's announced length only sizes its allocation up to the bytes left in the
//!   input (every element takes at least one byte), so a hostile length cannot reserve memory
//!   the input does not back;
//! * trailing bytes after the value are an error.
//!
//! Decoded strings, byte strings and integers are wiped when the value is dropped (a passkey
//! record holds its private key as an array of small integers).

use zeroize::Zeroize as _;

/// Largest input decoded (a Proton passkey record is well under 1 KiB).
pub(crate) const MAX_INPUT: usize = 64 * 1024;

/// Deepest nesting of arrays and maps.
pub(crate) const MAX_DEPTH: usize = 32;

/// A decoded MessagePack value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Mp {
    /// `nil`.
    Nil,
    /// `true` / `false`.
    Bool(bool),
    /// Any integer (`uint 8..64`, `int 8..64`, fixints).
    Int(i128),
    /// `float 32` (widened) or `float 64`.
    Float(f64),
    /// `str`: UTF-8 text.
    Str(String),
    /// `bin`: raw bytes.
    Bin(Vec<u8>),
    /// `array`.
    Array(Vec<Mp>),
    /// `map`, in input order.
    Map(Vec<(Mp, Mp)>),
}

impl Drop for Mp {
    fn drop(&mut self) {
        match self {
            Mp::Int(i) => i.zeroize(),
            Mp::Str(s) => s.zeroize(),
            Mp::Bin(b) => b.zeroize(),
            _ => {}
        }
    }
}

impl Mp {
    /// The value of the member `key` of a map with text keys.
    pub(crate) fn get(&self, key: &str) -> Option<&Mp> {
        match self {
            Mp::Map(m) => m.iter().find_map(|(k, v)| match k {
                Mp::Str(s) if s == key => Some(v),
                _ => None,
            }),
            _ => None,
        }
    }

    /// The text of a `str`.
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Mp::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The value of an integer.
    pub(crate) fn as_int(&self) -> Option<i128> {
        match self {
            Mp::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// The elements of an array.
    pub(crate) fn as_array(&self) -> Option<&[Mp]> {
        match self {
            Mp::Array(a) => Some(a),
            _ => None,
        }
    }

    /// A byte string: a `bin`, or an array of integers 0..=255 (how serde writes a `Vec<u8>`
    /// without `serde_bytes`).
    pub(crate) fn bytes(&self) -> Option<zeroize::Zeroizing<Vec<u8>>> {
        match self {
            Mp::Bin(b) => Some(zeroize::Zeroizing::new(b.clone())),
            Mp::Array(a) => {
                let mut out = zeroize::Zeroizing::new(Vec::with_capacity(a.len()));
                for v in a {
                    out.push(u8::try_from(v.as_int()?).ok()?);
                }
                Some(out)
            }
            _ => None,
        }
    }
}

/// Why the input is not one MessagePack value within the limits. Carries no input bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MpError {
    /// Larger than [`MAX_INPUT`].
    TooLarge,
    /// Nested deeper than [`MAX_DEPTH`].
    TooDeep,
    /// Ends inside a value.
    Truncated,
    /// Bytes left after the value.
    TrailingBytes,
    /// A type byte that is reserved (`0xc1`) or an extension type.
    Unsupported,
    /// A `str` that is not UTF-8.
    NotUtf8,
}

impl std::fmt::Display for MpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            MpError::TooLarge => "larger than the MessagePack size limit",
            MpError::TooDeep => "MessagePack nested too deep",
            MpError::Truncated => "MessagePack value cut short",
            MpError::TrailingBytes => "bytes after the MessagePack value",
            MpError::Unsupported => "MessagePack extension or reserved type",
            MpError::NotUtf8 => "MessagePack text that is not UTF-8",
        })
    }
}

/// Decodes `input`, which must be exactly one MessagePack value.
pub(crate) fn decode(input: &[u8]) -> Result<Mp, MpError> {
    if input.len() > MAX_INPUT {
        return Err(MpError::TooLarge);
    }
    let mut r = Reader { data: input };
    let v = r.value(0)?;
    if r.data.is_empty() {
        Ok(v)
    } else {
        Err(MpError::TrailingBytes)
    }
}

struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], MpError> {
        if self.data.len() < n {
            return Err(MpError::Truncated);
        }
        let (head, rest) = self.data.split_at(n);
        self.data = rest;
        Ok(head)
    }

    fn be(&mut self, n: usize) -> Result<u64, MpError> {
        Ok(self
            .take(n)?
            .iter()
            .fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
    }

    fn len(&mut self, n: usize) -> Result<usize, MpError> {
        usize::try_from(self.be(n)?).map_err(|_| MpError::TooLarge)
    }

    fn value(&mut self, depth: usize) -> Result<Mp, MpError> {
        let tag = self.take(1)?[0];
        Ok(match tag {
            0x00..=0x7f => Mp::Int(i128::from(tag)),
            0xe0..=0xff => Mp::Int(i128::from(tag as i8)),
            0x80..=0x8f => self.map(usize::from(tag & 0x0f), depth)?,
            0x90..=0x9f => self.array(usize::from(tag & 0x0f), depth)?,
            0xa0..=0xbf => self.str(usize::from(tag & 0x1f))?,
            0xc0 => Mp::Nil,
            0xc2 => Mp::Bool(false),
            0xc3 => Mp::Bool(true),
            0xc4..=0xc6 => {
                let n = self.len(1 << (tag - 0xc4))?;
                Mp::Bin(self.take(n)?.to_vec())
            }
            0xca => Mp::Float(f64::from(f32::from_bits(self.be(4)? as u32))),
            0xcb => Mp::Float(f64::from_bits(self.be(8)?)),
            0xcc..=0xcf => Mp::Int(i128::from(self.be(1 << (tag - 0xcc))?)),
            0xd0 => Mp::Int(i128::from(self.be(1)? as u8 as i8)),
            0xd1 => Mp::Int(i128::from(self.be(2)? as u16 as i16)),
            0xd2 => Mp::Int(i128::from(self.be(4)? as u32 as i32)),
            0xd3 => Mp::Int(i128::from(self.be(8)? as i64)),
            0xd9..=0xdb => {
                let n = self.len(1 << (tag - 0xd9))?;
                self.str(n)?
            }
            0xdc | 0xdd => {
                let n = self.len(if tag == 0xdc { 2 } else { 4 })?;
                self.array(n, depth)?
            }
            0xde | 0xdf => {
                let n = self.len(if tag == 0xde { 2 } else { 4 })?;
                self.map(n, depth)?
            }
            // 0xc1 (never used), 0xc7..=0xc9 (ext), 0xd4..=0xd8 (fixext).
            _ => return Err(MpError::Unsupported),
        })
    }

    fn str(&mut self, n: usize) -> Result<Mp, MpError> {
        let bytes = self.take(n)?;
        let s = std::str::from_utf8(bytes).map_err(|_| MpError::NotUtf8)?;
        Ok(Mp::Str(s.to_owned()))
    }

    fn array(&mut self, n: usize, depth: usize) -> Result<Mp, MpError> {
        if depth >= MAX_DEPTH {
            return Err(MpError::TooDeep);
        }
        let mut out = Vec::with_capacity(n.min(self.data.len()));
        for _ in 0..n {
            out.push(self.value(depth + 1)?);
        }
        Ok(Mp::Array(out))
    }

    fn map(&mut self, n: usize, depth: usize) -> Result<Mp, MpError> {
        if depth >= MAX_DEPTH {
            return Err(MpError::TooDeep);
        }
        let mut out = Vec::with_capacity(n.min(self.data.len() / 2));
        for _ in 0..n {
            let k = self.value(depth + 1)?;
            let v = self.value(depth + 1)?;
            out.push((k, v));
        }
        Ok(Mp::Map(out))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A minimal MessagePack writer for tests (the shapes `rmp_serde::to_vec_named` writes).
    pub(crate) enum W<'a> {
        Nil,
        Int(i64),
        Str(&'a str),
        /// A byte string written as serde writes a `Vec<u8>`: an array of integers.
        Seq(&'a [u8]),
        /// A byte string as MessagePack `bin` (how `serde_bytes` would write it).
        Bin(&'a [u8]),
        Arr(Vec<W<'a>>),
        Map(Vec<(&'a str, W<'a>)>),
    }

    impl W<'_> {
        pub(crate) fn encode(&self, out: &mut Vec<u8>) {
            match self {
                W::Nil => out.push(0xc0),
                W::Int(i) => match *i {
                    0..=0x7f => out.push(*i as u8),
                    -32..=-1 => out.push(*i as i8 as u8),
                    0x80..=0xff => out.extend([0xcc, *i as u8]),
                    0x100..=0xffff => {
                        out.push(0xcd);
                        out.extend((*i as u16).to_be_bytes());
                    }
                    -128..=-33 => out.extend([0xd0, *i as i8 as u8]),
                    _ => {
                        out.push(0xd3);
                        out.extend(i.to_be_bytes());
                    }
                },
                W::Str(s) => {
                    match s.len() {
                        n @ 0..=31 => out.push(0xa0 | n as u8),
                        n @ 32..=255 => out.extend([0xd9, n as u8]),
                        n => {
                            out.push(0xda);
                            out.extend((n as u16).to_be_bytes());
                        }
                    }
                    out.extend(s.as_bytes());
                }
                W::Seq(b) => W::Arr(b.iter().map(|x| W::Int(i64::from(*x))).collect()).encode(out),
                W::Bin(b) => {
                    out.extend([0xc4, b.len() as u8]);
                    out.extend(*b);
                }
                W::Arr(a) => {
                    header(out, a.len(), 0x90, 0xdc);
                    for v in a {
                        v.encode(out);
                    }
                }
                W::Map(m) => {
                    header(out, m.len(), 0x80, 0xde);
                    for (k, v) in m {
                        W::Str(k).encode(out);
                        v.encode(out);
                    }
                }
            }
        }
    }

    fn header(out: &mut Vec<u8>, n: usize, fix: u8, wide: u8) {
        if n < 16 {
            out.push(fix | n as u8);
        } else {
            out.push(wide);
            out.extend((n as u16).to_be_bytes());
        }
    }

    #[test]
    fn decodes_every_plain_type() {
        let input = [
            0x8a, // map(10)
            0xa1, b'a', 0x05, // positive fixint
            0xa1, b'b', 0xff, // negative fixint -1
            0xa1, b'c', 0xcd, 0x01, 0x00, // uint16 256
            0xa1, b'd', 0xd1, 0xff, 0x00, // int16 -256
            0xa1, b'e', 0xc4, 0x02, 0xde, 0xad, // bin8
            0xa1, b'f', 0xdc, 0x00, 0x02, 0xc3, 0xc2, // array16 [true, false]
            0xa1, b'g', 0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0, // float64 1.5
            0xa1, b'h', 0xc0, // nil
            0xa1, b'i', 0xd9, 0x01, b'x', // str8
            0xa1, b'j', 0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // u64 max
        ];
        let v = decode(&input).unwrap();
        assert_eq!(v.get("a").and_then(Mp::as_int), Some(5));
        assert_eq!(v.get("b").and_then(Mp::as_int), Some(-1));
        assert_eq!(v.get("c").and_then(Mp::as_int), Some(256));
        assert_eq!(v.get("d").and_then(Mp::as_int), Some(-256));
        assert_eq!(
            v.get("e").and_then(Mp::bytes).unwrap().as_slice(),
            [0xde, 0xad]
        );
        assert_eq!(
            v.get("f"),
            Some(&Mp::Array(vec![Mp::Bool(true), Mp::Bool(false)]))
        );
        assert_eq!(v.get("g"), Some(&Mp::Float(1.5)));
        assert_eq!(v.get("h"), Some(&Mp::Nil));
        assert_eq!(v.get("i").and_then(Mp::as_str), Some("x"));
        assert_eq!(v.get("j").and_then(Mp::as_int), Some(i128::from(u64::MAX)));
    }

    #[test]
    fn an_array_of_small_integers_is_a_byte_string() {
        let mut out = Vec::new();
        W::Seq(&[0, 127, 128, 255]).encode(&mut out);
        assert_eq!(out, [0x94, 0x00, 0x7f, 0xcc, 0x80, 0xcc, 0xff]);
        assert_eq!(
            decode(&out).unwrap().bytes().unwrap().as_slice(),
            [0, 127, 128, 255]
        );
        // An element out of range is no byte string.
        assert_eq!(decode(&[0x91, 0xcd, 0x01, 0x00]).unwrap().bytes(), None);
    }

    #[test]
    fn refuses_what_it_cannot_back() {
        assert_eq!(decode(&[]), Err(MpError::Truncated));
        assert_eq!(decode(&[0xc0, 0xc0]), Err(MpError::TrailingBytes));
        assert_eq!(decode(&[0xc1]), Err(MpError::Unsupported));
        assert_eq!(decode(&[0xd4, 0x01, 0x00]), Err(MpError::Unsupported));
        assert_eq!(decode(&[0xa2, 0xff, 0xfe]), Err(MpError::NotUtf8));
        // A huge announced length with no elements behind it: cut short, no big allocation.
        assert_eq!(
            decode(&[0xdd, 0xff, 0xff, 0xff, 0xff]),
            Err(MpError::Truncated)
        );
        assert_eq!(
            decode(&[0xdf, 0xff, 0xff, 0xff, 0xff, 0xc0]),
            Err(MpError::Truncated)
        );
        assert_eq!(
            decode(&[0xc6, 0xff, 0xff, 0xff, 0xff]),
            Err(MpError::Truncated)
        );
        let deep = vec![0x91; MAX_DEPTH + 1];
        assert_eq!(decode(&deep), Err(MpError::TooDeep));
        let mut ok = vec![0x91; MAX_DEPTH];
        ok.push(0xc0);
        assert!(decode(&ok).is_ok());
        assert_eq!(decode(&vec![0; MAX_INPUT + 1]), Err(MpError::TooLarge));
    }
}
