//! The streaming spine gives what the whole-document functions give: for every fixture of every
//! readable format (and the shared real samples, when `CXF_SHARED_SAMPLES` is set), to every
//! writable target but `kdbx` (a cipher over the whole document, read whole anyway), converted
//! with chunks of 1, 2 and 256 items: the same output bytes, the same loss entries, the same
//! error as reading the whole document and writing it (`read_input` + `write_with`).

mod common;

use std::io::Cursor;
use std::path::{Path, PathBuf};

use cxf::formats::stream::{Event, StreamOptions, convert_stream};
use cxf::formats::{self, Format, ReadOptions, WriteOptions};
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// (file, format, read options) of every fixture with a sidecar, and every valid and quirk CXF
/// fixture.
fn inputs() -> Vec<(PathBuf, Format, ReadOptions)> {
    let mut out = Vec::new();
    let base = ReadOptions::default().with_timestamp(1_750_000_000);
    for (fixture, expect) in common::fixture_cases(&root().join("fixtures/formats")) {
        let format: Format = expect["format"].as_str().unwrap().parse().unwrap();
        let mut o = base.clone();
        if let Some(p) = expect.get("password").and_then(Value::as_str) {
            o = o.with_password(p);
        }
        if let Some(c) = expect.get("columns").and_then(Value::as_str) {
            o = o.with_columns(c.parse().unwrap());
        }
        out.push((fixture, format, o));
    }
    for sub in ["fixtures/cxf/valid", "fixtures/cxf/quirks"] {
        for f in std::fs::read_dir(root().join(sub)).unwrap() {
            let f = f.unwrap().path();
            if f.extension().is_some_and(|e| e == "json") {
                out.push((f, Format::Cxf, base.clone()));
            }
        }
    }
    if let Some(samples) = std::env::var_os("CXF_SHARED_SAMPLES") {
        for dir in std::fs::read_dir(samples).unwrap() {
            let dir = dir.unwrap().path();
            let Some(format) = common::sample_format(&dir.file_name().unwrap().to_string_lossy())
            else {
                continue;
            };
            if dir.to_string_lossy().contains("encrypted") {
                continue;
            }
            for f in walk(&dir) {
                out.push((f, format, base.clone()));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if !p.file_name().unwrap().to_string_lossy().starts_with('.')
            && p.extension().is_none_or(|x| x != "md")
        {
            out.push(p);
        }
    }
    out
}

fn sorted_entries(loss: &formats::LossReport) -> Vec<String> {
    let mut v: Vec<String> = loss.entries().iter().map(|e| format!("{e:?}")).collect();
    v.sort();
    v
}

#[test]
fn streamed_conversion_equals_the_whole_document_conversion() {
    let targets: Vec<Format> = Format::ALL
        .iter()
        .copied()
        .filter(|f| f.can_write() && *f != Format::Kdbx)
        .collect();
    let (mut compared, mut streamed_in) = (0, 0);
    for (path, from, options) in inputs() {
        let bytes = std::fs::read(&path).unwrap();
        for &to in &targets {
            // The whole-document path: read, then write (with its read-back check).
            let whole = formats::read_input(&bytes, Some(from), &options).and_then(|input| {
                let mut write_options = WriteOptions::default();
                write_options.password.clone_from(&options.password);
                write_options.key_file.clone_from(&options.key_file);
                let (output, write_loss) = formats::write_with(to, &input.document, &write_options)
                    .map_err(formats::ConvertError::Write)?;
                let mut loss = input.loss;
                loss.extend(write_loss);
                Ok((input.format, output, loss))
            });
            for chunk in [1, 2, 256] {
                let mut out = Vec::new();
                let streamed = convert_stream(
                    Cursor::new(&bytes),
                    Some(from),
                    to,
                    &options,
                    &WriteOptions::default(),
                    &StreamOptions::default().with_chunk_items(chunk),
                    &mut out,
                    &mut |_| {},
                );
                let what = format!("{} -> {to}, chunks of {chunk}", path.display());
                match (&whole, streamed) {
                    (Ok((w_from, w_output, w_loss)), Ok(s)) => {
                        assert_eq!(
                            String::from_utf8_lossy(w_output),
                            String::from_utf8_lossy(&out),
                            "{what}: output"
                        );
                        assert_eq!(
                            sorted_entries(w_loss),
                            sorted_entries(&s.loss),
                            "{what}: loss"
                        );
                        assert_eq!(*w_from, s.from, "{what}");
                        compared += 1;
                        streamed_in += usize::from(s.streamed_input);
                    }
                    (Err(w), Err(s)) => assert_eq!(w.to_string(), s.to_string(), "{what}: error"),
                    (w, s) => panic!(
                        "{what}: whole {:?}, streamed {:?}",
                        w.as_ref().map(|_| ()).map_err(ToString::to_string),
                        s.map(|_| ()).map_err(|e| e.to_string())
                    ),
                }
            }
        }
    }
    eprintln!("{compared} conversions compared, {streamed_in} with a streamed input");
    assert!(
        compared > 500 && streamed_in > 100,
        "{compared} {streamed_in}"
    );
}

#[test]
fn streamed_cxf_items_are_located_in_the_whole_input() {
    // A bad item far into the file: the error's line and pointer are those of the whole file.
    let mut text = String::from(
        "{\"version\":{\"major\":1,\"minor\":0},\"exporterRpId\":\"a.example\",\"exporterDisplayName\":\"A\",\"timestamp\":1,\n\"accounts\":[{\"id\":\"QQ\",\"username\":\"\",\"email\":\"\",\"collections\":[],\"items\":[\n",
    );
    for i in 0..5 {
        text.push_str(&format!(
            "{{\"id\":\"SXQ{i}\",\"title\":\"t\",\"credentials\":[]}},\n"
        ));
    }
    text.push_str("  {\"id\":\"SXQ5\",\"title\":7,\"credentials\":[]}]}]}\n");
    let whole = cxf::Document::parse(text.as_bytes(), &cxf::Limits::default()).unwrap_err();
    let mut out = Vec::new();
    let e = convert_stream(
        Cursor::new(text.as_bytes()),
        None,
        Format::Cxf,
        &ReadOptions::default(),
        &WriteOptions::default(),
        &StreamOptions::default().with_chunk_items(2),
        &mut out,
        &mut |_| {},
    )
    .unwrap_err();
    let formats::ConvertError::Read(formats::ReadError::Cxf(streamed)) = e else {
        panic!("{e}")
    };
    assert_eq!(streamed.to_string(), whole.to_string());
    assert_eq!(streamed.pointer(), "/accounts/0/items/5/title");
    assert_eq!(streamed.line(), 8);
}

#[test]
fn progress_counts_every_item_once_with_the_total() {
    let csv = "name,url,username,password,note\r\n".to_owned()
        + &(0..10)
            .map(|i| format!("s{i}.example,https://s{i}.example/,u{i},p{i},\r\n"))
            .collect::<String>();
    let mut cxf_out = Vec::new();
    formats::stream::convert_stream(
        Cursor::new(csv.as_bytes()),
        None,
        Format::Cxf,
        &ReadOptions::default(),
        &WriteOptions::default(),
        &StreamOptions::default(),
        &mut cxf_out,
        &mut |_| {},
    )
    .unwrap();
    let mut seen = Vec::new();
    let mut out = Vec::new();
    convert_stream(
        Cursor::new(&cxf_out),
        None,
        Format::BitwardenJson,
        &ReadOptions::default(),
        &WriteOptions::default(),
        &StreamOptions::default().with_chunk_items(4),
        &mut out,
        &mut |e| {
            if let Event::Progress(p) = e {
                seen.push((p.items, p.total_items));
            }
        },
    )
    .unwrap();
    assert_eq!(seen, vec![(4, Some(10)), (8, Some(10)), (10, Some(10))]);
}
