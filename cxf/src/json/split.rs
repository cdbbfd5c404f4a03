//! Splits a JSON document read from a stream into its *skeleton* (the document with the item
//! arrays emptied) and the items, one at a time, so that a vault of any size is read in memory
//! bounded by its largest item.
//!
//! The scanner only follows the structure (strings, nesting, separators); it does not check
//! the JSON. The skeleton and each item are then read by a real parser, which rejects what is
//! malformed with the line and column in the whole input ([`Element::line`], [`Element::column`]).
//! Depth is bounded by [`Limits::max_depth`](crate::Limits) and each item by
//! [`Limits::max_document_bytes`](crate::Limits), so a hostile stream cannot grow the stack or a
//! buffer without limit. Item bytes are wiped after use.

use std::io::Read;

use zeroize::{Zeroize, Zeroizing};

/// Which arrays hold the items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layout {
    /// `items` of the root object (a Bitwarden export; a bare CXF Account) and `items` of each
    /// element of the root's `accounts` (a CXF Header).
    Cxf,
    /// `items` of the root object only (a Bitwarden export).
    #[cfg_attr(not(feature = "formats"), allow(dead_code))]
    RootItems,
}

/// One item: its bytes and where it starts in the input.
pub(crate) struct Element<'a> {
    /// Ordinal of the item array among the item arrays of the input, from 0.
    pub(crate) array: usize,
    /// Position in its array, from 0.
    pub(crate) index: usize,
    /// Line (from 1) and byte column (from 1) of its first byte in the input.
    pub(crate) line: usize,
    pub(crate) column: usize,
    pub(crate) bytes: &'a [u8],
}

/// Why splitting stopped.
#[derive(Debug)]
pub(crate) enum SplitError<E> {
    Io(std::io::Error),
    /// Nesting deeper than the limit, or one item larger than the limit.
    Limit(&'static str, usize),
    /// A misplaced `,` in an item array, at this line and byte column.
    Syntax {
        line: usize,
        column: usize,
    },
    /// The callback refused an element.
    Element(E),
}

/// What [`split`] found around the items.
pub(crate) struct Skeleton {
    /// The input with every item array emptied (`[]`); small, parse it with a real parser.
    pub(crate) bytes: Vec<u8>,
    /// The skeleton with the first `keep` items of each item array left in: a small document
    /// that shows what the items look like (for format detection).
    #[cfg_attr(not(feature = "formats"), allow(dead_code))]
    pub(crate) sample: Vec<u8>,
    /// Number of elements of each item array, in input order.
    pub(crate) counts: Vec<usize>,
    /// For each item array: `None` for the root's `items`, `Some(k)` for the `items` of the
    /// k-th element of the root's `accounts`.
    pub(crate) owners: Vec<Option<usize>>,
    /// Where items were taken out, in skeleton order.
    pub(crate) gaps: Vec<Gap>,
    /// Whether the input ended outside the item arrays (else it is cut inside an item, and a
    /// whole-document parse says best where).
    pub(crate) complete: bool,
}

/// A place where the skeleton lacks the input's items: the `]` at skeleton offset `at` is at
/// `line`, `column` of the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Gap {
    pub(crate) at: usize,
    pub(crate) line: usize,
    pub(crate) column: usize,
}

impl Drop for Skeleton {
    fn drop(&mut self) {
        // The sample holds items, secrets included.
        self.sample.zeroize();
        self.bytes.zeroize();
    }
}

impl Skeleton {
    /// The input's line and column of the skeleton's `line`, `column` (an error the skeleton's
    /// parser found).
    pub(crate) fn input_position(&self, line: usize, column: usize) -> (usize, usize) {
        // The skeleton offset of (line, column).
        let mut offset = 0;
        for _ in 1..line {
            match memchr::memchr(b'\n', &self.bytes[offset..]) {
                Some(i) => offset += i + 1,
                None => break,
            }
        }
        offset = (offset + column.saturating_sub(1)).min(self.bytes.len());
        let Some(gap) = self.gaps.iter().rev().find(|g| g.at <= offset) else {
            return (line, column);
        };
        let between = &self.bytes[gap.at..offset];
        match memchr::memrchr(b'\n', between) {
            None => (gap.line, gap.column + between.len()),
            Some(last) => (
                gap.line + memchr::memchr_iter(b'\n', between).count(),
                between.len() - last,
            ),
        }
    }
}

/// Bytes that matter for the structure outside strings (everything else is copied along).
static STRUCTURAL: [bool; 256] = {
    let mut t = [false; 256];
    t[b'{' as usize] = true;
    t[b'}' as usize] = true;
    t[b'[' as usize] = true;
    t[b']' as usize] = true;
    t[b',' as usize] = true;
    t[b'"' as usize] = true;
    t
};

#[derive(Clone, Copy)]
enum Frame {
    /// An object; `key` is the last member name when it matters for the layout.
    Object {
        key: Key,
        expect_key: bool,
    },
    Array {
        target: bool,
    },
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Key {
    Other,
    Items,
    Accounts,
}

/// Scans `input`, calling `each` with every item (in order) unless `skip_items`, and returns the
/// skeleton (with a sample of `keep` items per array). `max_depth` bounds nesting; `max_item`
/// bounds one item's size.
#[allow(clippy::too_many_arguments)]
pub(crate) fn split<R: Read, E>(
    mut input: R,
    layout: Layout,
    max_depth: usize,
    max_item: usize,
    skip_items: bool,
    keep: usize,
    mut each: impl FnMut(Element<'_>) -> Result<(), E>,
) -> Result<Skeleton, SplitError<E>> {
    let mut s = State {
        layout,
        stack: Vec::with_capacity(16),
        skeleton: Vec::with_capacity(4096),
        sample: Vec::new(),
        keep,
        element: Vec::new(),
        counts: Vec::new(),
        owners: Vec::new(),
        gaps: Vec::new(),
        accounts_seen: 0,
        in_string: false,
        escape: false,
        key_buf: Vec::new(),
        capture_key: false,
        target_depth: None,
        in_element: false,
        after_comma: false,
        element_line: 0,
        element_column: 0,
        line: 1,
        line_start: 0,
        offset: 0,
        counted: 0,
    };
    // Our own buffer, wiped when done (a `BufReader`'s is freed as it is).
    let mut buf = Zeroizing::new(vec![0u8; 1 << 16]);
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(SplitError::Io(e)),
        };
        s.feed(&buf[..n], max_depth, max_item, skip_items, &mut each)?;
    }
    s.element.zeroize();
    let complete = s.target_depth.is_none();
    Ok(Skeleton {
        complete,
        bytes: s.skeleton,
        sample: s.sample,
        counts: s.counts,
        owners: s.owners,
        gaps: s.gaps,
    })
}

struct State {
    layout: Layout,
    stack: Vec<Frame>,
    skeleton: Vec<u8>,
    sample: Vec<u8>,
    keep: usize,
    element: Vec<u8>,
    counts: Vec<usize>,
    owners: Vec<Option<usize>>,
    gaps: Vec<Gap>,
    /// Objects opened as elements of the root's `accounts` so far.
    accounts_seen: usize,
    in_string: bool,
    escape: bool,
    /// Bytes of the member name being read (only near the root, where names matter).
    key_buf: Vec<u8>,
    capture_key: bool,
    /// Stack depth of the open item array, while inside one.
    target_depth: Option<usize>,
    in_element: bool,
    /// Inside an item array, right after a `,`.
    after_comma: bool,
    element_line: usize,
    element_column: usize,
    line: usize,
    /// Offset of the first byte of the current line.
    line_start: u64,
    /// Offset of the current buffer in the input.
    offset: u64,
    /// Bytes of the current buffer whose lines are counted.
    counted: usize,
}

impl State {
    fn out(&mut self, bytes: &[u8], skip_items: bool) {
        if self.in_element {
            if !skip_items {
                self.element.extend_from_slice(bytes);
            }
            if self.counts.last().is_some_and(|&n| n < self.keep) {
                self.sample.extend_from_slice(bytes);
            }
        } else if self.target_depth.is_none() {
            self.skeleton.extend_from_slice(bytes);
            if self.keep > 0 {
                self.sample.extend_from_slice(bytes);
            }
        }
    }

    /// Counts the lines of `buf[self.counted..upto]` (lines are counted only where a position
    /// is needed, and at the end of each buffer).
    fn sync_lines(&mut self, buf: &[u8], upto: usize) {
        let part = &buf[self.counted..upto];
        // Pretty JSON has a line break every few dozen bytes: a plain count (vectorised by the
        // compiler) beats finding each one.
        let lines = part.iter().filter(|&&b| b == b'\n').count();
        if lines > 0 {
            self.line += lines;
            let last = memchr::memrchr(b'\n', part).unwrap_or(0);
            self.line_start = self.offset + (self.counted + last) as u64 + 1;
        }
        self.counted = upto;
    }

    /// Line and byte column of `buf[i]`.
    fn position(&mut self, buf: &[u8], i: usize) -> (usize, usize) {
        self.sync_lines(buf, i);
        (
            self.line,
            (self.offset + i as u64 - self.line_start + 1) as usize,
        )
    }

    /// Copies `buf[*mark..to]` where the bytes go in the current state.
    fn flush(&mut self, buf: &[u8], mark: &mut usize, to: usize, skip_items: bool) {
        if to > *mark {
            self.out(&buf[*mark..to], skip_items);
        }
        *mark = to;
    }

    fn feed<E>(
        &mut self,
        buf: &[u8],
        max_depth: usize,
        max_item: usize,
        skip_items: bool,
        each: &mut impl FnMut(Element<'_>) -> Result<(), E>,
    ) -> Result<(), SplitError<E>> {
        let (mut i, mut mark) = (0, 0);
        self.counted = 0;
        while i < buf.len() {
            if self.in_string {
                if self.escape {
                    self.escape = false;
                    if self.capture_key {
                        self.key_buf.push(buf[i]);
                    }
                    i += 1;
                    continue;
                }
                // Jump to the next quote or backslash.
                let rest = &buf[i..];
                let Some(stop) = memchr::memchr2(b'"', b'\\', rest) else {
                    if self.capture_key {
                        self.key_buf.extend_from_slice(rest);
                    }
                    i = buf.len();
                    continue;
                };
                if self.capture_key {
                    self.key_buf.extend_from_slice(&rest[..stop]);
                }
                i += stop + 1;
                if rest[stop] == b'\\' {
                    self.escape = true;
                    if self.capture_key {
                        self.key_buf.push(b'\\');
                    }
                } else {
                    self.in_string = false;
                    if self.capture_key {
                        self.capture_key = false;
                        let key = match self.key_buf.as_slice() {
                            b"items" => Key::Items,
                            b"accounts" => Key::Accounts,
                            _ => Key::Other,
                        };
                        if let Some(Frame::Object { key: k, .. }) = self.stack.last_mut() {
                            *k = key;
                        }
                    }
                }
                continue;
            }
            let at_target = self.target_depth == Some(self.stack.len());
            if at_target && !self.in_element {
                // Between items: only white space, `,` and `]` belong here.
                if buf[i].is_ascii_whitespace() {
                    i += 1;
                    continue;
                }
            } else {
                // Inside a value or outside the item arrays: skip to the next byte that
                // matters for the structure.
                while i < buf.len() && !STRUCTURAL[buf[i] as usize] {
                    i += 1;
                }
                if i == buf.len() {
                    break;
                }
            }
            let b = buf[i];
            // A value or a closing bracket at the level of the item array's elements.
            if at_target && !self.in_element && b != b']' && b != b',' {
                self.flush(buf, &mut mark, i, skip_items);
                self.in_element = true;
                let n = self.counts.last().copied().unwrap_or(0);
                if n > 0 && n < self.keep {
                    self.sample.push(b',');
                }
                (self.element_line, self.element_column) = self.position(buf, i);
                self.element.clear();
            }
            if at_target && (b == b',' || b == b']') {
                if self.in_element {
                    self.flush(buf, &mut mark, i, skip_items);
                    self.check_item(max_item)?;
                    self.end_element(skip_items, each)?;
                } else if b == b',' || self.after_comma {
                    // `[,` or `,,` or `,]`: the whole-document parser refuses these too.
                    let (line, column) = self.position(buf, i);
                    return Err(SplitError::Syntax { line, column });
                }
                self.after_comma = b == b',';
                if b == b',' {
                    i += 1;
                    mark = i;
                    continue;
                }
                // Dropped white space before the `]`.
                mark = i;
            }
            match b {
                b'"' => {
                    self.in_string = true;
                    let capture = match self.stack.last_mut() {
                        Some(Frame::Object { expect_key, .. }) if *expect_key => {
                            *expect_key = false;
                            self.stack.len() <= 3
                        }
                        _ => false,
                    };
                    self.capture_key = capture;
                    self.key_buf.clear();
                }
                b'{' | b'[' => {
                    if self.stack.len() >= max_depth {
                        return Err(SplitError::Limit("max_depth", max_depth));
                    }
                    let target = b == b'[' && self.target_depth.is_none() && self.is_item_array();
                    if b == b'{' && self.is_account() {
                        self.accounts_seen += 1;
                    }
                    self.stack.push(if b == b'{' {
                        Frame::Object {
                            key: Key::Other,
                            expect_key: true,
                        }
                    } else {
                        Frame::Array { target }
                    });
                    if target {
                        // The `[` is the skeleton's; what follows is the items'.
                        self.flush(buf, &mut mark, i + 1, skip_items);
                        self.after_comma = false;
                        self.target_depth = Some(self.stack.len());
                        self.counts.push(0);
                        let owner = (self.stack.len() > 2).then(|| self.accounts_seen - 1);
                        self.owners.push(owner);
                    }
                }
                b'}' | b']' => {
                    let frame = self.stack.pop();
                    if let Some(Frame::Array { target: true }) = frame {
                        self.target_depth = None;
                        let (line, column) = self.position(buf, i);
                        self.gaps.push(Gap {
                            at: self.skeleton.len(),
                            line,
                            column,
                        });
                    }
                }
                b',' => {
                    if let Some(Frame::Object { expect_key, .. }) = self.stack.last_mut() {
                        *expect_key = true;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        self.flush(buf, &mut mark, buf.len(), skip_items);
        self.check_item(max_item)?;
        self.sync_lines(buf, buf.len());
        self.offset += buf.len() as u64;
        Ok(())
    }

    /// Whether the array being opened holds items: the value of `items` at the root, or of
    /// `items` in an element of the root's `accounts` (CXF layout).
    fn is_item_array(&self) -> bool {
        let key_of = |f: &Frame| match f {
            Frame::Object { key, .. } => Some(*key),
            Frame::Array { .. } => None,
        };
        match (self.layout, self.stack.as_slice()) {
            (_, [root]) => key_of(root) == Some(Key::Items),
            (Layout::Cxf, [root, Frame::Array { .. }, account]) => {
                key_of(root) == Some(Key::Accounts) && key_of(account) == Some(Key::Items)
            }
            _ => false,
        }
    }

    /// Whether an object being opened is an element of the root's `accounts`.
    fn is_account(&self) -> bool {
        matches!(
            self.stack.as_slice(),
            [
                Frame::Object {
                    key: Key::Accounts,
                    ..
                },
                Frame::Array { .. }
            ]
        )
    }

    fn check_item<E>(&self, max_item: usize) -> Result<(), SplitError<E>> {
        if self.element.len() > max_item {
            return Err(SplitError::Limit("max_document_bytes", max_item));
        }
        Ok(())
    }

    fn end_element<E>(
        &mut self,
        skip_items: bool,
        each: &mut impl FnMut(Element<'_>) -> Result<(), E>,
    ) -> Result<(), SplitError<E>> {
        self.in_element = false;
        let array = self.counts.len() - 1;
        let index = self.counts[array];
        self.counts[array] += 1;
        if skip_items {
            return Ok(());
        }
        while self.element.last().is_some_and(u8::is_ascii_whitespace) {
            self.element.pop();
        }
        let result = each(Element {
            array,
            index,
            line: self.element_line,
            column: self.element_column,
            bytes: &self.element,
        });
        self.element.zeroize();
        result.map_err(SplitError::Element)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(
        input: &str,
        layout: Layout,
        chunk: usize,
    ) -> (String, Vec<(usize, usize, usize, String)>) {
        let mut got = Vec::new();
        // A reader that hands out `chunk` bytes at a time: boundaries fall anywhere.
        struct Trickle<'a>(&'a [u8], usize);
        impl Read for Trickle<'_> {
            fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
                let n = self.1.min(out.len()).min(self.0.len());
                out[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let reader = Trickle(input.as_bytes(), chunk);
        let sk = split::<_, ()>(reader, layout, 64, 1 << 20, false, 0, |e| {
            got.push((
                e.array,
                e.index,
                e.line,
                String::from_utf8(e.bytes.to_vec()).unwrap(),
            ));
            Ok(())
        })
        .unwrap();
        (String::from_utf8(sk.bytes.clone()).unwrap(), got)
    }

    #[test]
    fn splits_items_of_every_account_at_any_buffer_boundary() {
        let input = "{\"version\":{\"major\":1},\"accounts\":[{\"id\":\"a\",\"items\":[{\"t\":\"x,]\\\"}\"},\n {\"t\":[1,2]}]},{\"items\":[]},{\"items\":[3]}],\"items\":5}";
        for chunk in [1, 2, 3, 7, 64, 4096] {
            let (skeleton, items) = run(input, Layout::Cxf, chunk);
            assert_eq!(
                skeleton,
                "{\"version\":{\"major\":1},\"accounts\":[{\"id\":\"a\",\"items\":[]},{\"items\":[]},{\"items\":[]}],\"items\":5}",
                "chunk {chunk}"
            );
            assert_eq!(
                items,
                vec![
                    (0, 0, 1, "{\"t\":\"x,]\\\"}\"}".to_owned()),
                    (0, 1, 2, "{\"t\":[1,2]}".to_owned()),
                    (2, 0, 2, "3".to_owned()),
                ],
                "chunk {chunk}"
            );
        }
    }

    #[test]
    fn root_items_layout_ignores_accounts_and_nested_items() {
        let input =
            r#"{"folders":[{"items":[1]}],"accounts":[{"items":[2]}],"items":[{"items":[4]}]}"#;
        let (skeleton, items) = run(input, Layout::RootItems, 5);
        assert_eq!(
            skeleton,
            r#"{"folders":[{"items":[1]}],"accounts":[{"items":[2]}],"items":[]}"#
        );
        assert_eq!(items, vec![(0, 0, 1, r#"{"items":[4]}"#.to_owned())]);
    }

    #[test]
    fn escaped_member_names_are_not_item_arrays() {
        // `"\u0069tems"` is `items` once unescaped; the skeleton keeps it whole, so the real
        // parser still sees every item (in the skeleton).
        let (skeleton, items) = run(r#"{"\u0069tems":[1,2]}"#, Layout::RootItems, 3);
        assert_eq!(skeleton, r#"{"\u0069tems":[1,2]}"#);
        assert!(items.is_empty());
    }

    #[test]
    fn limits_depth_and_item_size() {
        let deep = "[".repeat(100);
        let e = split::<_, ()>(deep.as_bytes(), Layout::Cxf, 64, 1 << 20, false, 0, |_| {
            Ok(())
        });
        assert!(matches!(e, Err(SplitError::Limit("max_depth", 64))));
        let big = format!("{{\"items\":[\"{}\"]}}", "a".repeat(100));
        let e = split::<_, ()>(big.as_bytes(), Layout::RootItems, 64, 50, false, 0, |_| {
            Ok(())
        });
        assert!(matches!(
            e,
            Err(SplitError::Limit("max_document_bytes", 50))
        ));
    }

    #[test]
    fn misplaced_commas_in_item_arrays_are_refused() {
        for bad in [
            r#"{"items":[,1]}"#,
            r#"{"items":[1,,2]}"#,
            "{\"items\":[1,\n]}",
        ] {
            let e = split::<_, ()>(
                bad.as_bytes(),
                Layout::RootItems,
                64,
                1 << 20,
                false,
                0,
                |_| Ok(()),
            );
            assert!(matches!(e, Err(SplitError::Syntax { .. })), "{bad}");
        }
    }

    #[test]
    fn counts_without_copying_items() {
        let sk = split::<_, ()>(
            br#"{"items":[{"a":1},{"b":2},3]}"#.as_slice(),
            Layout::RootItems,
            64,
            1 << 20,
            true,
            2,
            |_| panic!("no element when skipping"),
        )
        .unwrap();
        assert_eq!(sk.counts, vec![3]);
        assert_eq!(sk.bytes, br#"{"items":[]}"#);
        assert_eq!(sk.sample, br#"{"items":[{"a":1},{"b":2}]}"#);
        assert_eq!(sk.owners, vec![None]);
    }
}
