//! The streaming spine: conversion that moves items from reader to writer a chunk at a time, so
//! that memory does not grow with the vault.
//!
//! # How it flows
//!
//! A *source* gives the document's header and account heads first (everything but the items,
//! collections included), then the items in chunks of [`StreamOptions::chunk_items`]. A *sink*
//! writes the header, then each chunk, then closes the output. Loss accounting is the same
//! check as [`write()`](super::write): each chunk is written as a small document of its own,
//! read back with the format's reader and compared value by value; the chunk's entries are
//! then moved to the item positions of the whole input. So a streamed conversion reports the
//! same losses, and writes the same bytes, as the whole-document functions (a test holds every
//! fixture of every format to that).
//!
//! # What streams, and the bound when it does not
//!
//! | | streams | memory when not |
//! |---|---|---|
//! | sources | `cxf` and plain `bitwarden-json` from a seekable input: a first pass reads the header, account heads and folders, a second the items, one at a time | every other format, encrypted Bitwarden exports and age files are read whole: the input and its document |
//! | sinks | `cxf` (written by the canonical writer item by item), `bitwarden-json`, `chrome-csv`, `apple-csv`, `firefox-csv`, `1password-csv`, `dashlane-csv` | `keepass-xml` and `kdbx` (one XML tree, then a cipher over all of it) and encrypted outputs (`--encrypt`) hold the whole document |
//!
//! What stays in memory while streaming grows only with the collections: each collection
//! membership (a folder's item ids), and, for Bitwarden input, an 8-byte hash per item id to
//! keep ids unique.

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom, Write};

use serde_json::Value;
use zeroize::Zeroizing;

use super::{
    ConvertError, Detection, Format, LossReport, ReadError, ReadOptions, WriteError, WriteOptions,
    bitwarden_json, build, detect, read_input,
};
use crate::json::split::{self, Layout, SplitError};
use crate::json::writer::Writer;
use crate::model::codec::ToJson;
use crate::parse::Ctx;
use crate::{B64, Collection, Document, Item, LinkedItem, ParseNote};

/// Items read from the input in the sample used for detection, per item array.
const SAMPLE_ITEMS: usize = 8;

/// How far a streamed conversion has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Progress {
    /// Items converted so far.
    pub items: usize,
    /// Items in the input, when known before the end.
    pub total_items: Option<usize>,
}

/// What [`convert_stream`] tells as it goes.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event<'a> {
    /// After each chunk.
    Progress(Progress),
    /// Loss entries, at their final places (each entry is told once).
    Loss(&'a [super::LossEntry]),
}

/// Options of [`convert_stream`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct StreamOptions {
    /// Items per chunk (default 256): what is held in memory at a time.
    pub chunk_items: usize,
    /// Exporter RP id and name written when the input has none (a bare Account, another
    /// manager's export read as CXF without one).
    pub fallback_exporter: Option<(String, String)>,
    /// Whether [`Streamed::loss`] gathers the entries (default); without it they are only told
    /// through [`Event::Loss`], so that a report of millions of entries need not be held.
    pub keep_loss: bool,
    /// Write a CXF output compact instead of indented (the default, as [`write()`](super::write)).
    pub compact: bool,
}

impl Default for StreamOptions {
    fn default() -> Self {
        StreamOptions {
            chunk_items: 256,
            fallback_exporter: None,
            keep_loss: true,
            compact: false,
        }
    }
}

impl StreamOptions {
    /// Sets the number of items per chunk (at least 1).
    pub fn with_chunk_items(mut self, n: usize) -> Self {
        self.chunk_items = n.max(1);
        self
    }

    /// Tells loss entries only through [`Event::Loss`] ([`StreamOptions::keep_loss`]).
    pub fn without_keeping_loss(mut self) -> Self {
        self.keep_loss = false;
        self
    }

    /// Sets the exporter written when the input has none.
    pub fn with_fallback_exporter(mut self, rp_id: &str, name: &str) -> Self {
        self.fallback_exporter = Some((rp_id.to_owned(), name.to_owned()));
        self
    }
}

/// The result of [`convert_stream`].
#[derive(Debug)]
#[non_exhaustive]
pub struct Streamed {
    /// The format the input was read as.
    pub from: Format,
    /// What reading and writing could not carry (read losses first per chunk); empty unless
    /// [`StreamOptions::keep_loss`].
    pub loss: LossReport,
    /// Entries lost and changed, and items not written (whether or not they were kept).
    pub lost: usize,
    /// Entries changed.
    pub changed: usize,
    /// Items the target did not get ([`LossReport::lost_items`]).
    pub lost_items: usize,
    /// What the CXF parser normalised (CXF inputs).
    pub notes: Vec<ParseNote>,
    /// Items read.
    pub items: usize,
    /// Credentials read.
    pub credentials: usize,
    /// Whether the input was read a chunk at a time (else it was read whole, see the module
    /// docs).
    pub streamed_input: bool,
    /// Whether the output was written a chunk at a time.
    pub streamed_output: bool,
}

/// Converts `input` to `to`, writing to `output` as it goes, with one loss report: the streaming
/// form of [`convert()`](super::convert). `events` hears the progress after each chunk and
/// the loss entries as they are found.
///
/// ```
/// use cxf::formats::{Format, ReadOptions, WriteOptions, stream};
///
/// let csv = b"name,url,username,password,note\r\nexample.com,https://example.com/,alice,hunter2,\r\n";
/// let mut out = Vec::new();
/// let done = stream::convert_stream(
///     std::io::Cursor::new(&csv[..]), None, Format::Cxf, &ReadOptions::default(),
///     &WriteOptions::default(), &stream::StreamOptions::default(), &mut out,
///     &mut |event| if let stream::Event::Progress(p) = event { eprintln!("{} items", p.items) },
/// )?;
/// assert_eq!((done.from, done.items), (Format::ChromeCsv, 1));
/// assert!(String::from_utf8(out)?.contains("\"example.com\""));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// As [`convert()`](super::convert), plus [`ConvertError::Io`] when reading the input or
/// writing the output fails. On error, part of the output may have been written: write to a
/// temporary file and rename it on success.
#[allow(clippy::too_many_arguments)]
pub fn convert_stream<R: Read + Seek + Send>(
    mut input: R,
    from: Option<Format>,
    to: Format,
    options: &ReadOptions,
    write_options: &WriteOptions,
    stream_options: &StreamOptions,
    output: &mut dyn Write,
    events: &mut dyn FnMut(Event<'_>),
) -> Result<Streamed, ConvertError> {
    if !to.can_write() {
        return Err(ConvertError::Write(WriteError::NotWritable(to)));
    }
    if write_options.encrypt && !to.can_encrypt() {
        return Err(ConvertError::Write(WriteError::NotEncryptable(to)));
    }
    let mut source = Source::open(&mut input, from, options)?;
    if let Some((rp_id, name)) = &stream_options.fallback_exporter {
        let head = &mut source.head;
        if head.exporter_rp_id.is_empty() && head.exporter_display_name.is_empty() {
            head.exporter_rp_id = rp_id.as_str().into();
            head.exporter_display_name = name.as_str().into();
        }
        if head.timestamp == 0 {
            head.timestamp = build::now();
        }
    }
    let mut sink = Sink::new(
        to,
        write_options,
        &source.head,
        !stream_options.compact,
        output,
    )?;
    let streamed_output = !matches!(sink.kind, SinkKind::Whole(_));
    let mut run = Run {
        loss: LossReport::new(),
        keep: stream_options.keep_loss,
        lost: 0,
        changed: 0,
        lost_items: 0,
        items: 0,
        credentials: 0,
        empty: 0,
        total: source.total,
        index: 0,
    };
    let chunk_items = stream_options.chunk_items.max(1);
    run.tell(std::mem::take(&mut source.loss), false, events);
    pump(
        &mut source,
        &mut input,
        options,
        chunk_items,
        &mut |chunk: Chunk| run.take(chunk, &mut sink, events),
    )?;
    let format = source.format;
    if run.empty > 0 && format != Format::Cxf {
        return Err(ConvertError::Read(ReadError::syntax(
            format,
            format!(
                "{} of {} records hold no value this reader knows; the file is probably not a {} export",
                run.empty,
                run.items,
                format.display_name()
            ),
        )));
    }
    for last in sink.finish()? {
        run.tell(last, true, events);
    }
    Ok(Streamed {
        from: format,
        loss: run.loss,
        lost: run.lost,
        changed: run.changed,
        lost_items: run.lost_items,
        notes: source.notes,
        items: run.items,
        credentials: run.credentials,
        streamed_input: source.streamed,
        streamed_output,
    })
}

/// A small document that shows what `input` is, for [`detect`]: a JSON input
/// with its item arrays cut to their first few items (one pass over the input, in memory
/// bounded by what is not items); any other input whole. The input is left at its start.
///
/// # Errors
/// Reading fails, the input is larger than `limits.max_document_bytes` (non-JSON), or its
/// nesting is deeper than `limits.max_depth`.
pub fn sample<R: Read + Seek>(
    input: &mut R,
    limits: &crate::Limits,
) -> Result<Zeroizing<Vec<u8>>, ConvertError> {
    let sampled = match first_pass(input, limits, Format::Cxf)? {
        Some(mut sk) => Zeroizing::new(std::mem::take(&mut sk.sample)),
        None => read_whole(input, limits)?,
    };
    input.seek(SeekFrom::Start(0)).map_err(io)?;
    Ok(sampled)
}

/// For a JSON input: the first pass (the skeleton, everything but the items; a sample of
/// them for detection; their number). `None` for any other input. The input is left at its
/// start either way; `format` names the input in errors.
fn first_pass<R: Read + Seek>(
    input: &mut R,
    limits: &crate::Limits,
    format: Format,
) -> Result<Option<split::Skeleton>, ConvertError> {
    let mut start = [0u8; 512];
    let n = read_up_to(input, &mut start).map_err(io)?;
    input.seek(SeekFrom::Start(0)).map_err(io)?;
    if !is_json(&start[..n]) {
        return Ok(None);
    }
    let sk = split::split(
        &mut *input,
        Layout::Cxf,
        limits.max_depth + 1,
        limits.max_document_bytes,
        true,
        SAMPLE_ITEMS,
        |_| Ok::<(), ConvertError>(()),
    )
    .map_err(|e| split_error(e, format))?;
    input.seek(SeekFrom::Start(0)).map_err(io)?;
    Ok(Some(sk))
}

fn is_json(start: &[u8]) -> bool {
    let text = start.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(start);
    text.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

fn read_whole<R: Read>(
    input: &mut R,
    limits: &crate::Limits,
) -> Result<Zeroizing<Vec<u8>>, ConvertError> {
    let mut bytes = Zeroizing::new(Vec::new());
    input
        .take(limits.max_document_bytes as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() > limits.max_document_bytes {
        return Err(ConvertError::Read(ReadError::Limit {
            limit: "max_document_bytes",
            max: limits.max_document_bytes,
        }));
    }
    Ok(bytes)
}

/// Hands the source's chunks to `consume`: reading runs in a thread of its own while the
/// writer works on the previous chunk (two chunks in flight at most, so memory stays bounded);
/// without threads (wasm32), in turn.
fn pump<R: Read + Seek + Send>(
    source: &mut Source,
    input: &mut R,
    options: &ReadOptions,
    chunk_items: usize,
    consume: &mut dyn FnMut(Chunk) -> Result<(), ConvertError>,
) -> Result<(), ConvertError> {
    #[cfg(target_arch = "wasm32")]
    return source.chunks(input, options, chunk_items, consume);
    #[cfg(not(target_arch = "wasm32"))]
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Chunk>(1);
        let reader = scope.spawn(move || {
            source.chunks(input, options, chunk_items, &mut |chunk| {
                // The writer stopped (it failed): stop reading too.
                tx.send(chunk)
                    .map_err(|_| ConvertError::Io(std::io::Error::other("the writer stopped")))
            })
        });
        let mut written = Ok(());
        for chunk in &rx {
            written = consume(chunk);
            if written.is_err() {
                break;
            }
        }
        drop(rx);
        let read = reader.join().expect("the reading thread panicked");
        written.and(read)
    })
}

/// Items of one account, with what the reader could not carry from them.
struct Chunk {
    account: usize,
    /// Position of the first item in its account.
    first: usize,
    items: Vec<Item>,
    /// Reader entries, pointers relative to this chunk (`/accounts/A/items/K`, K from 0).
    loss: LossReport,
}

/// Counters of one conversion.
struct Run {
    loss: LossReport,
    keep: bool,
    lost: usize,
    changed: usize,
    lost_items: usize,
    items: usize,
    credentials: usize,
    empty: usize,
    total: Option<usize>,
    /// Items before this chunk, across accounts.
    index: usize,
}

impl Run {
    /// Tells `loss` and counts it (and keeps it, if asked).
    /// `written`: the entries are a write's (whose item-level entries are items left out).
    fn tell(&mut self, loss: LossReport, written: bool, events: &mut dyn FnMut(Event<'_>)) {
        if loss.is_empty() {
            return;
        }
        self.lost += loss.lost().count();
        self.changed += loss.changed().count();
        if written {
            self.lost_items += loss.lost_items();
        }
        events(Event::Loss(loss.entries()));
        if self.keep {
            self.loss.extend(loss);
        }
    }

    fn take(
        &mut self,
        mut chunk: Chunk,
        sink: &mut Sink<'_>,
        events: &mut dyn FnMut(Event<'_>),
    ) -> Result<(), ConvertError> {
        let n = chunk.items.len();
        self.empty += chunk
            .items
            .iter()
            .filter(|i| build::holds_no_value(i))
            .count();
        self.credentials += chunk
            .items
            .iter()
            .map(|i| i.credentials.len())
            .sum::<usize>();
        let mut read_loss = std::mem::take(&mut chunk.loss);
        read_loss.rebase_items(chunk.account, chunk.first, None);
        self.tell(read_loss, false, events);
        if let Some(write_loss) = sink.chunk(chunk, self.index)? {
            self.tell(write_loss, true, events);
        }
        self.items += n;
        self.index += n;
        events(Event::Progress(Progress {
            items: self.items,
            total_items: self.total,
        }));
        Ok(())
    }
}

// ------------------------------------------------------------------------------------ sources

enum Plan {
    /// CXF items parsed one at a time.
    Cxf { layout_owners: Vec<Option<usize>> },
    /// Plain Bitwarden records read one at a time.
    Bitwarden { top: Value },
    /// The document, read whole.
    Whole(Document),
}

struct Source {
    format: Format,
    /// The header and the accounts without items (collections complete).
    head: Document,
    plan: Plan,
    notes: Vec<ParseNote>,
    loss: LossReport,
    total: Option<usize>,
    streamed: bool,
}

fn io(e: std::io::Error) -> ConvertError {
    ConvertError::Io(e)
}

impl Source {
    fn open<R: Read + Seek>(
        input: &mut R,
        from: Option<Format>,
        options: &ReadOptions,
    ) -> Result<Source, ConvertError> {
        let limits = &options.limits;
        let streamable = from.is_none_or(|f| matches!(f, Format::Cxf | Format::BitwardenJson));
        let first = if streamable {
            first_pass(input, limits, from.unwrap_or(Format::Cxf))?
        } else {
            None
        };
        if let Some(sk) = first {
            let format = match from {
                Some(f) => Some(f),
                None => match detect(&sk.sample) {
                    Detection::Certain(f) => Some(f),
                    _ => None,
                },
            };
            let total: usize = sk.counts.iter().sum();
            if total > limits.max_items {
                return Err(ConvertError::Read(ReadError::Limit {
                    limit: "max_items",
                    max: limits.max_items,
                }));
            }
            match format {
                Some(Format::Cxf) => {
                    if let Some(source) = Self::cxf(&sk, options)? {
                        return Ok(source);
                    }
                }
                Some(Format::BitwardenJson) if sk.owners.iter().all(Option::is_none) => {
                    if let Some(source) = Self::bitwarden(input, &sk, options)? {
                        return Ok(source);
                    }
                }
                _ => {}
            }
        }
        // Everything else is read whole.
        let bytes = read_whole(input, limits)?;
        let read = read_input(&bytes, from, options)?;
        drop(bytes);
        let mut doc = read.document;
        let total = doc.accounts.iter().map(|a| a.items.len()).sum();
        let head = head_of(&mut doc);
        Ok(Source {
            format: read.format,
            head,
            plan: Plan::Whole(doc),
            notes: read.notes,
            loss: read.loss,
            total: Some(total),
            streamed: false,
        })
    }

    /// A CXF source, or `None` when the skeleton has items where the layout does not expect
    /// them (an unknown root `items` in a Header, an `accounts` in a bare Account): those are
    /// read whole.
    fn cxf(sk: &split::Skeleton, options: &ReadOptions) -> Result<Option<Source>, ConvertError> {
        let Some(parsed) = crate::parse::skeleton_head(sk, &options.limits)
            .map_err(|e| ConvertError::Read(ReadError::Cxf(e)))?
        else {
            return Ok(None);
        };
        Ok(Some(Source {
            format: Format::Cxf,
            head: parsed.document,
            plan: Plan::Cxf {
                layout_owners: sk.owners.clone(),
            },
            notes: parsed.notes,
            loss: LossReport::new(),
            total: Some(sk.counts.iter().sum()),
            streamed: true,
        }))
    }

    /// A plain Bitwarden source; `None` for an encrypted export (read whole).
    fn bitwarden<R: Read + Seek>(
        input: &mut R,
        sk: &split::Skeleton,
        options: &ReadOptions,
    ) -> Result<Option<Source>, ConvertError> {
        let top: Value = super::util::json::parse(&sk.bytes, Format::BitwardenJson)
            .map_err(ConvertError::Read)?;
        if top.get("encrypted").and_then(Value::as_bool) == Some(true)
            || !top.get("items").is_some_and(Value::is_array)
        {
            return Ok(None);
        }
        // The collections need every item's folders before the first item is written: a
        // pass over the records' ids and folder references, when there are folders.
        let mut records = bitwarden_json::Records::new(&top, true);
        if records.has_folders() {
            let mut index = 0usize;
            split::split(
                &mut *input,
                Layout::RootItems,
                options.limits.max_depth + 1,
                options.limits.max_document_bytes,
                false,
                0,
                |e| {
                    let mut v: Value = serde_json::from_slice(e.bytes)
                        .map_err(|err| bitwarden_syntax(e.line, e.column, &err))?;
                    records.membership(index, &v);
                    bitwarden_json::wipe_value(&mut v);
                    index += 1;
                    Ok(())
                },
            )
            .map_err(|e| split_error(e, Format::BitwardenJson))?;
            input.seek(SeekFrom::Start(0)).map_err(io)?;
        }
        let head = build::document(Format::BitwardenJson, vec![records.acc.finish()], options);
        Ok(Some(Source {
            format: Format::BitwardenJson,
            head,
            plan: Plan::Bitwarden { top },
            notes: Vec::new(),
            loss: LossReport::new(),
            total: Some(sk.counts.iter().sum()),
            streamed: true,
        }))
    }

    /// Second pass: the items, `chunk_items` at a time, to `each`.
    fn chunks<R: Read + Seek>(
        &mut self,
        input: &mut R,
        options: &ReadOptions,
        chunk_items: usize,
        each: &mut dyn FnMut(Chunk) -> Result<(), ConvertError>,
    ) -> Result<(), ConvertError> {
        let limits = &options.limits;
        let mut emitted = false;
        let mut pending = Chunk {
            account: 0,
            first: 0,
            items: Vec::with_capacity(chunk_items),
            loss: LossReport::new(),
        };
        // Hands over the pending chunk when it is full or the account changes.
        let mut push = |account: usize,
                        item: Option<Item>,
                        loss: LossReport,
                        pending: &mut Chunk,
                        each: &mut dyn FnMut(Chunk) -> Result<(), ConvertError>|
         -> Result<(), ConvertError> {
            if account != pending.account || pending.items.len() >= chunk_items {
                let next_first = if account == pending.account {
                    pending.first + pending.items.len()
                } else {
                    0
                };
                let done = std::mem::replace(
                    pending,
                    Chunk {
                        account,
                        first: next_first,
                        items: Vec::with_capacity(chunk_items),
                        loss: LossReport::new(),
                    },
                );
                emitted = true;
                each(done)?;
            }
            let mut loss = loss;
            loss.rebase_items(0, pending.items.len(), Some(account));
            pending.loss.extend(loss);
            pending.items.extend(item);
            Ok(())
        };
        match &mut self.plan {
            Plan::Whole(doc) => {
                for (a, account) in doc.accounts.iter_mut().enumerate() {
                    for item in std::mem::take(&mut account.items) {
                        push(a, Some(item), LossReport::new(), &mut pending, each)?;
                    }
                }
            }
            Plan::Cxf { layout_owners } => {
                let owners = layout_owners.clone();
                let mut ctx = Ctx::new(limits);
                split::split(
                    &mut *input,
                    Layout::Cxf,
                    limits.max_depth + 1,
                    limits.max_document_bytes,
                    false,
                    0,
                    |e| {
                        let owner = owners.get(e.array).copied().flatten();
                        let account = owner.unwrap_or(0);
                        let item = crate::parse::parse_item(&e, owner, limits, &mut ctx)
                            .map_err(|err| ConvertError::Read(ReadError::Cxf(err)))?;
                        push(account, Some(item), LossReport::new(), &mut pending, each)
                    },
                )
                .map_err(|e| split_error(e, Format::Cxf))?;
                self.notes.append(&mut ctx.notes);
            }
            Plan::Bitwarden { top } => {
                let mut records = bitwarden_json::Records::new(top, false);
                let mut index = 0usize;
                split::split(
                    &mut *input,
                    Layout::RootItems,
                    limits.max_depth + 1,
                    limits.max_document_bytes,
                    false,
                    0,
                    |e| {
                        let mut v: Value = serde_json::from_slice(e.bytes)
                            .map_err(|err| bitwarden_syntax(e.line, e.column, &err))?;
                        let mut loss = LossReport::new();
                        records.record(index, &v, &mut loss);
                        bitwarden_json::wipe_value(&mut v);
                        index += 1;
                        let item = records.acc.take_item();
                        // Entries name their item by id: it is item 0 of a one-item account.
                        if let Some(item) = &item {
                            loss.resolve_one(0, 0, &item.id);
                        }
                        push(0, item, loss, &mut pending, each)
                    },
                )
                .map_err(|e| split_error(e, Format::BitwardenJson))?;
            }
        }
        // The last chunk; an empty one when there was none, so that the account-level values
        // are written and checked once.
        if !pending.items.is_empty() || !pending.loss.is_empty() || !emitted {
            each(pending)?;
        }
        Ok(())
    }
}

/// The document without its items (they stay in `doc`).
fn head_of(doc: &mut Document) -> Document {
    let mut taken = Vec::with_capacity(doc.accounts.len());
    for a in &mut doc.accounts {
        taken.push(std::mem::take(&mut a.items));
    }
    let head = doc.clone();
    for (a, items) in doc.accounts.iter_mut().zip(taken) {
        a.items = items;
    }
    head
}

fn read_up_to(input: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match input.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

fn bitwarden_syntax(line: usize, column: usize, err: &serde_json::Error) -> ConvertError {
    // serde_json's syntax messages name no input value; the position is in the whole file.
    let at = if err.line() == 1 {
        format!(
            "line {line}, column {}",
            column + err.column().saturating_sub(1)
        )
    } else {
        format!("line {}, column {}", line + err.line() - 1, err.column())
    };
    ConvertError::Read(ReadError::syntax(
        Format::BitwardenJson,
        format!(
            "an item is not valid JSON ({:?} error at {at})",
            err.classify()
        ),
    ))
}

fn split_error(e: SplitError<ConvertError>, format: Format) -> ConvertError {
    match e {
        SplitError::Io(e) => ConvertError::Io(e),
        SplitError::Limit(limit, max) => ConvertError::Read(ReadError::Limit { limit, max }),
        SplitError::Syntax { line, column } => ConvertError::Read(ReadError::syntax(
            format,
            format!("misplaced `,` in the items at line {line}, column {column}"),
        )),
        SplitError::Element(e) => e,
    }
}

// -------------------------------------------------------------------------------------- sinks

/// How chunk outputs of a whole-document writer join into one file.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Joint {
    /// CSV: the header once, then each chunk's rows.
    Rows,
    /// JSON whose item array is the root's last member (Bitwarden): the chunks' array bodies
    /// joined with `,`.
    LastArray,
}

enum SinkKind {
    /// The canonical CXF writer, item by item.
    Cxf {
        w: Writer,
        /// Accounts opened so far (the last one is open).
        opened: usize,
    },
    /// A whole-document writer run on each chunk, the outputs joined.
    Joined {
        joint: Joint,
        /// What every chunk's output starts with (the header row; the JSON up to `[`).
        prefix: Vec<u8>,
        /// What closes an empty output (`]\n}\n`).
        suffix: Vec<u8>,
        /// White space before the closing `]` of a non-empty array.
        close_space: Option<Vec<u8>>,
    },
    /// Everything gathered, written at the end.
    Whole(Document),
}

struct Sink<'o> {
    format: Format,
    options: WriteOptions,
    kind: SinkKind,
    /// The header and account heads, collections complete.
    head: Document,
    /// The same without collection members, and where each item is a member (account, item
    /// id → paths of child positions): chunk documents are built from these in time
    /// proportional to the chunk.
    bare: Document,
    members: HashMap<(usize, B64), Vec<Vec<usize>>>,
    checks: Checks,
    out: &'o mut dyn Write,
}

/// Formats whose writer's output joins chunk by chunk.
fn joint(format: Format) -> Option<Joint> {
    match format {
        Format::BitwardenJson => Some(Joint::LastArray),
        Format::ChromeCsv
        | Format::AppleCsv
        | Format::FirefoxCsv
        | Format::OnePasswordCsv
        | Format::DashlaneCsv => Some(Joint::Rows),
        _ => None,
    }
}

impl<'o> Sink<'o> {
    fn new(
        format: Format,
        options: &WriteOptions,
        head: &Document,
        pretty: bool,
        out: &'o mut dyn Write,
    ) -> Result<Sink<'o>, ConvertError> {
        let kind = match (format, joint(format)) {
            (_, _) if options.encrypt => SinkKind::Whole(head.clone()),
            (Format::Cxf, _) => {
                let mut w = Writer::new(1 << 16, pretty);
                w.begin_object();
                head.write_header_members(&mut w);
                w.key("accounts");
                w.begin_array();
                SinkKind::Cxf { w, opened: 0 }
            }
            (_, Some(joint)) => {
                let (empty, _) =
                    super::write_with(format, head, options).map_err(ConvertError::Write)?;
                let (prefix, suffix) = match joint {
                    Joint::Rows => (empty.to_vec(), Vec::new()),
                    Joint::LastArray => {
                        let at = find_last(&empty, b"[]").ok_or_else(|| join_error(format))?;
                        (empty[..=at].to_vec(), empty[at + 1..].to_vec())
                    }
                };
                out.write_all(&prefix).map_err(io)?;
                SinkKind::Joined {
                    joint,
                    prefix,
                    suffix,
                    close_space: None,
                }
            }
            _ => SinkKind::Whole(head.clone()),
        };
        let mut bare = head.clone();
        let mut members = HashMap::new();
        if matches!(kind, SinkKind::Joined { .. }) {
            for (a, account) in bare.accounts.iter_mut().enumerate() {
                index_members(a, &mut account.collections, &mut Vec::new(), &mut members);
            }
        }
        Ok(Sink {
            format,
            options: options.clone(),
            kind,
            head: head.clone(),
            bare,
            members,
            checks: Checks::default(),
            out,
        })
    }

    /// Writes one chunk (`index`: items before it, across accounts); returns the loss entries
    /// of a chunk checked by now (the previous one: its check runs beside this write), at their
    /// places in the whole input.
    fn chunk(&mut self, chunk: Chunk, index: usize) -> Result<Option<LossReport>, ConvertError> {
        let head = &self.head;
        match &mut self.kind {
            SinkKind::Cxf { w, opened } => {
                while *opened <= chunk.account && *opened < head.accounts.len() {
                    if *opened > 0 {
                        head.accounts[*opened - 1].write_tail(w);
                    }
                    w.element();
                    head.accounts[*opened].write_head(w);
                    *opened += 1;
                }
                for item in &chunk.items {
                    w.element();
                    item.to_json(w);
                }
                w.drain_to(self.out).map_err(io)?;
                Ok(None)
            }
            SinkKind::Whole(doc) => {
                if let Some(account) = doc.accounts.get_mut(chunk.account) {
                    account.items.extend(chunk.items);
                }
                Ok(None)
            }
            SinkKind::Joined {
                joint,
                prefix,
                suffix,
                close_space,
            } => {
                let (account, first) = (chunk.account, chunk.first);
                let doc = chunk_document(&self.bare, &self.members, chunk);
                let (bytes, explained, check) =
                    super::write_unchecked(self.format, &doc, &self.options)
                        .map_err(ConvertError::Write)?;
                let body = bytes
                    .strip_prefix(prefix.as_slice())
                    .ok_or_else(|| join_error(self.format))?;
                match joint {
                    Joint::Rows => self.out.write_all(body).map_err(io)?,
                    Joint::LastArray => {
                        let end = body
                            .strip_suffix(suffix.as_slice())
                            .ok_or_else(|| join_error(self.format))?;
                        let trimmed = end.trim_ascii_end();
                        if !trimmed.is_empty() {
                            if close_space.is_some() {
                                self.out.write_all(b",").map_err(io)?;
                            } else {
                                *close_space = Some(end[trimmed.len()..].to_vec());
                            }
                            self.out.write_all(trimmed).map_err(io)?;
                        }
                    }
                }
                let job = Check {
                    format: self.format,
                    options: self.options.clone(),
                    doc,
                    bytes,
                    explained,
                    check,
                    account,
                    first,
                    index,
                    first_chunk: self.checks.submitted == 0,
                };
                self.checks.submit(job)
            }
        }
    }

    /// Closes the output; returns the loss entries of the chunks still being checked, or of
    /// the whole-document write.
    fn finish(mut self) -> Result<Vec<LossReport>, ConvertError> {
        let mut loss = self.checks.finish()?;
        match &mut self.kind {
            SinkKind::Cxf { w, opened } => {
                // Accounts after the last chunk's (they have no items), then the header's
                // members after `accounts`.
                let accounts = &self.head.accounts;
                while *opened < accounts.len() {
                    if *opened > 0 {
                        accounts[*opened - 1].write_tail(w);
                    }
                    w.element();
                    accounts[*opened].write_head(w);
                    *opened += 1;
                }
                if *opened > 0 {
                    accounts[*opened - 1].write_tail(w);
                }
                w.end_array();
                self.head.unknown.write_members(w);
                w.end_object();
                let bytes = std::mem::replace(w, Writer::new(0, false)).finish();
                self.out.write_all(&bytes).map_err(io)?;
            }
            SinkKind::Joined {
                suffix,
                close_space,
                ..
            } => {
                if let Some(space) = close_space {
                    self.out.write_all(space).map_err(io)?;
                }
                self.out.write_all(suffix).map_err(io)?;
            }
            SinkKind::Whole(doc) => {
                let (bytes, write_loss) = super::write_with(self.format, doc, &self.options)
                    .map_err(ConvertError::Write)?;
                self.out.write_all(&bytes).map_err(io)?;
                loss.push(write_loss);
            }
        }
        self.out.flush().map_err(io)?;
        Ok(loss)
    }
}

/// The read-back check of one chunk's output ([`super::check_written`]).
struct Check {
    format: Format,
    options: WriteOptions,
    doc: Document,
    bytes: Zeroizing<Vec<u8>>,
    explained: LossReport,
    /// Whether the format needs the check (CXF does not).
    check: bool,
    account: usize,
    first: usize,
    index: usize,
    first_chunk: bool,
}

impl Check {
    /// The chunk's loss entries at their places in the whole input.
    fn run(self) -> Result<LossReport, ConvertError> {
        let mut loss = if self.check {
            super::check_written(
                self.format,
                &self.doc,
                &self.bytes,
                self.explained,
                &self.options,
            )
            .map_err(ConvertError::Write)?
        } else {
            self.explained
        };
        loss.rebase_items(self.account, self.first, None);
        loss.shift_item_index(self.index);
        if !self.first_chunk {
            // Account-level values (names, collection titles) are the same in every chunk's
            // document: their entries count once.
            loss.retain_items();
        }
        Ok(loss)
    }
}

/// Runs the checks of chunk outputs: in a thread of its own, one check beside the writing of
/// the next chunk (so two chunks at most are held), results in chunk order; in turn where
/// there are no threads (wasm32).
#[derive(Default)]
struct Checks {
    submitted: usize,
    #[cfg(not(target_arch = "wasm32"))]
    worker: Option<Worker>,
    #[cfg(not(target_arch = "wasm32"))]
    pending: usize,
}

/// The checking thread: jobs in, results out.
#[cfg(not(target_arch = "wasm32"))]
type Worker = (
    std::sync::mpsc::SyncSender<Check>,
    std::sync::mpsc::Receiver<Result<LossReport, ConvertError>>,
    std::thread::JoinHandle<()>,
);

impl Checks {
    /// Submits `job`; returns the result of the one before it, once it is done.
    fn submit(&mut self, job: Check) -> Result<Option<LossReport>, ConvertError> {
        self.submitted += 1;
        #[cfg(not(target_arch = "wasm32"))]
        {
            let (jobs, results, _) = self.worker.get_or_insert_with(|| {
                let (jobs, inbox) = std::sync::mpsc::sync_channel::<Check>(1);
                let (outbox, results) = std::sync::mpsc::channel();
                let handle = std::thread::spawn(move || {
                    for job in inbox {
                        if outbox.send(job.run()).is_err() {
                            break;
                        }
                    }
                });
                (jobs, results, handle)
            });
            if jobs.send(job).is_err() {
                // The worker stopped: it panicked; say so where it is joined.
                return Err(self.worker_failed());
            }
            self.pending += 1;
            if self.pending > 1 {
                self.pending -= 1;
                return match results.recv() {
                    Ok(result) => result.map(Some),
                    Err(_) => Err(self.worker_failed()),
                };
            }
            Ok(None)
        }
        #[cfg(target_arch = "wasm32")]
        {
            job.run().map(Some)
        }
    }

    /// The results still pending, in order.
    #[cfg_attr(target_arch = "wasm32", allow(unused_mut))]
    fn finish(&mut self) -> Result<Vec<LossReport>, ConvertError> {
        let mut out = Vec::new();
        #[cfg(not(target_arch = "wasm32"))]
        if let Some((jobs, results, handle)) = self.worker.take() {
            drop(jobs);
            for _ in 0..self.pending {
                match results.recv() {
                    Ok(result) => out.push(result?),
                    Err(_) => break,
                }
            }
            self.pending = 0;
            if handle.join().is_err() {
                return Err(ConvertError::Write(WriteError::ReadBack {
                    format: Format::Cxf,
                    message: "the check of the output stopped".into(),
                }));
            }
        }
        Ok(out)
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn worker_failed(&mut self) -> ConvertError {
        let message = match self.worker.take().map(|(_, _, h)| h.join()) {
            Some(Err(panic)) => panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default(),
            _ => String::new(),
        };
        ConvertError::Write(WriteError::ReadBack {
            format: Format::Cxf,
            message: format!("the check of the output stopped {message}"),
        })
    }
}

fn join_error(format: Format) -> ConvertError {
    ConvertError::Write(WriteError::ReadBack {
        format,
        message: "a chunk's output does not join the others".into(),
    })
}

fn find_last(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// The document a chunk is written as: the header, every account head (so that folders and
/// account-level values are the same in every chunk), collections holding only the chunk's
/// items, and the chunk's items in its account.
fn chunk_document(
    bare: &Document,
    members: &HashMap<(usize, B64), Vec<Vec<usize>>>,
    chunk: Chunk,
) -> Document {
    let mut doc = bare.clone();
    let Some(account) = doc.accounts.get_mut(chunk.account) else {
        // No account at all (an empty document): nothing to add.
        return doc;
    };
    if !members.is_empty() {
        for item in &chunk.items {
            for path in members
                .get(&(chunk.account, item.id.clone()))
                .into_iter()
                .flatten()
            {
                let mut at = &mut account.collections;
                let (last, parents) = path.split_last().expect("paths are not empty");
                for &p in parents {
                    at = &mut at[p].sub_collections;
                }
                at[*last].items.push(LinkedItem {
                    item: item.id.clone(),
                    ..LinkedItem::default()
                });
            }
        }
    }
    account.items = chunk.items.into();
    doc
}

/// Empties the collections' member lists into `members`: for each member of this account, the
/// positions that lead to its collection.
fn index_members(
    account: usize,
    collections: &mut [Collection],
    path: &mut Vec<usize>,
    members: &mut HashMap<(usize, B64), Vec<Vec<usize>>>,
) {
    for (i, c) in collections.iter_mut().enumerate() {
        path.push(i);
        for l in std::mem::take(&mut c.items) {
            // By item id alone, as the whole-document writers look members up.
            members
                .entry((account, l.item))
                .or_default()
                .push(path.clone());
        }
        index_members(account, &mut c.sub_collections, path, members);
        path.pop();
    }
}
