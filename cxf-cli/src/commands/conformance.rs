//! `cxf conformance`: run the CXF conformance suite (`fixtures/manifest.json`) against an
//! implementation, through an adapter command, or against this toolkit's own library.
//!
//! The adapter protocol: the runner starts the adapter once per case, without a shell, with
//! `{}` in the template replaced by the case file's path (appended when the template has no
//! `{}`), no standard input and a timeout. An adapter that accepts the file prints its canonical
//! CXF JSON on stdout and exits 0; one that rejects it exits non-zero, optionally printing the
//! JSON Pointer of the defect on stdout (plain, or as a JSON string: `""` is the root).
//!
//! Each case gets one verdict: **pass**, **fail** (accepted what must be rejected, rejected
//! what must be accepted, printed something that is not JSON, crashed, timed out, or rejected
//! at another pointer than the expected one) or **lossy** (accepted, the output is JSON, but not
//! the expected canonical document). Without `--adapter` the library runs in-process and the
//! comparison also checks what only it can report: parse notes, error kinds and rule ids.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Args;
use serde_json::{Value, json};

use crate::output::{EXIT_INVALID, safe, write_atomic};

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  cxf conformance                      # this toolkit's library, in-process\n  cxf conformance --adapter './my-adapter {}' --report results.json\n  cxf conformance --adapter 'python3 adapter.py --file {}' --timeout 30\n  cxf conformance --adapter 'conformance/bitwarden-adapter/target/release/bitwarden-adapter {}'\n\nThe adapter is run once per case, without a shell ({} becomes the case file; quote\nwords with ' or \"). It reads the file and either prints canonical CXF 1.0 JSON and exits 0,\nor exits non-zero, optionally printing the JSON Pointer of the defect on stdout.\n\nVerdicts per case: pass; fail (wrong accept/reject, output not JSON, crash, timeout,\nwrong pointer); lossy (accepted, output is JSON but not the expected canonical document).\nThe table goes to stdout, each failing or lossy case to stderr.\n\nExit codes: 0 every case passes, 1 a case fails or is lossy, 2 usage or I/O error\n(no manifest, adapter not found). See docs/conformance.md."
)]
pub(crate) struct ConformanceArgs {
    /// The implementation under test: a command template, `{}` standing for the case file
    /// (e.g. 'my-adapter --in {}'). Without it, this toolkit's library runs in-process.
    #[arg(long, value_name = "'CMD {}'")]
    adapter: Option<String>,
    /// The suite's manifest; case paths are relative to its directory.
    #[arg(long, value_name = "FILE", default_value = "fixtures/manifest.json")]
    manifest: PathBuf,
    /// Also write the results as JSON (summary per kind and one entry per case).
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// Seconds an adapter may take on one case before it is stopped (a failure).
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    timeout: u64,
}

/// The case kinds, in table order.
const KINDS: [&str; 4] = ["valid", "quirk", "parse-invalid", "rule"];

/// What the implementation did with one case.
enum Answer {
    /// Accepted: printed `output`. The in-process run also knows the notes and the diagnostics
    /// (errors and warnings) as `(code or rule, pointer)` pairs.
    Accepted {
        output: Vec<u8>,
        notes: Option<Vec<(String, String)>>,
        diagnostics: Option<Vec<(String, String)>>,
    },
    /// Rejected, perhaps saying where (and, in-process, the parse error kind or the rules);
    /// `message` is the first line the adapter wrote on stderr.
    Rejected {
        pointer: Option<String>,
        message: Option<String>,
        kind: Option<String>,
        diagnostics: Option<Vec<(String, String)>>,
    },
    /// Did not answer: crashed, was killed, timed out.
    Broken(String),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Pass,
    Fail,
    Lossy,
}

impl Verdict {
    fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Lossy => "lossy",
        }
    }
}

/// Splits an adapter template into words, like a shell would without expansions: blanks
/// separate words; `'...'` is literal; `"..."` and a bare `\` escape `"` and `\`.
fn split_words(template: &str) -> Result<Vec<String>> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = template.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => bail!("unterminated ' in --adapter: close the quote"),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\')) => word.push(c),
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => bail!("unterminated \" in --adapter: close the quote"),
                        },
                        Some(c) => word.push(c),
                        None => bail!("unterminated \" in --adapter: close the quote"),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some(c) => word.push(c),
                    None => word.push('\\'),
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    if words.is_empty() {
        bail!(
            "--adapter is empty: give the command that runs your implementation, e.g. --adapter './adapter {{}}'"
        );
    }
    Ok(words)
}

/// The adapter's command line for one case file.
fn command_line(words: &[String], file: &str) -> Vec<String> {
    let mut args: Vec<String> = words.iter().map(|w| w.replace("{}", file)).collect();
    if !words.iter().any(|w| w.contains("{}")) {
        args.push(file.to_owned());
    }
    args
}

/// Runs the adapter on one file, stopping it after `timeout`.
fn run_adapter(words: &[String], file: &str, timeout: Duration) -> Result<Answer> {
    let args = command_line(words, file);
    let mut child = Command::new(&args[0])
        .args(&args[1..])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| {
            format!(
                "cannot start the adapter `{}`: check the command (a path needs ./ or a directory)",
                args[0]
            )
        })?;
    // Read the outputs on threads so that a large output cannot block the adapter.
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = pipe.read_to_end(&mut buf);
            buf
        })
    };
    let reader = drain(Box::new(child.stdout.take().expect("piped stdout")));
    let errors = drain(Box::new(child.stderr.take().expect("piped stderr")));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().context("cannot wait for the adapter")? {
            break Some(status);
        }
        if start.elapsed() >= timeout {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let Some(status) = status else {
        // The reader thread ends when the killed adapter's pipe closes (unless a grandchild
        // holds it: then it is left behind).
        return Ok(Answer::Broken(format!(
            "timed out after {} s",
            timeout.as_secs()
        )));
    };
    let output = reader.join().unwrap_or_default();
    let stderr = errors.join().unwrap_or_default();
    let message = String::from_utf8_lossy(&stderr)
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(|l| l.chars().take(200).collect());
    Ok(match status.code() {
        Some(0) => Answer::Accepted {
            output,
            notes: None,
            diagnostics: None,
        },
        Some(_) => Answer::Rejected {
            pointer: printed_pointer(&output),
            message,
            kind: None,
            diagnostics: None,
        },
        None => Answer::Broken(format!("killed by a signal ({status})")),
    })
}

/// The JSON Pointer a rejecting adapter printed: the first line, plain or as a JSON string.
fn printed_pointer(stdout: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(stdout);
    let line = text.lines().next()?.trim();
    if let Ok(Value::String(s)) = serde_json::from_str::<Value>(line) {
        return Some(s);
    }
    line.starts_with('/').then(|| line.to_owned())
}

/// This toolkit's answer, in-process: parse (with notes), then validate as of `now`.
fn run_library(bytes: &[u8], now: u64) -> Answer {
    let parsed = match cxf::Document::parse(bytes, &cxf::Limits::default()) {
        Ok(p) => p,
        Err(e) => {
            return Answer::Rejected {
                pointer: Some(e.pointer().to_owned()),
                message: Some(e.to_string()),
                kind: Some(e.kind().code().to_owned()),
                diagnostics: None,
            };
        }
    };
    let report = cxf::validate::validate_parsed_at(&parsed, now);
    let diagnostics: Vec<(String, String)> = report
        .at_least(cxf::Severity::Warning)
        .map(|d| (d.rule.to_owned(), d.pointer.clone()))
        .collect();
    // Errors at members the parser normalised (with a note) were repaired while reading, as
    // for the quirks: the document is read. Other errors make it rejected.
    let notes: Vec<&str> = parsed.notes.iter().map(|n| n.pointer.as_str()).collect();
    if let Some(error) = report
        .at_least(cxf::Severity::Error)
        .find(|d| !repaired(&d.pointer, &notes))
    {
        return Answer::Rejected {
            pointer: Some(error.pointer.clone()),
            message: Some(format!("{}: {}", error.rule, error.message)),
            kind: None,
            diagnostics: Some(diagnostics),
        };
    }
    Answer::Accepted {
        output: parsed.document.to_json_vec().to_vec(),
        notes: Some(
            parsed
                .notes
                .iter()
                .map(|n| (n.code.to_owned(), n.pointer.clone()))
                .collect(),
        ),
        diagnostics: Some(diagnostics),
    }
}

/// Whether an error at `pointer` is one the parser repaired while reading: it names a member
/// the parser normalised (its note's pointer), a member inside it, or the object holding it.
/// The manifest's generator (`tests/manifest.rs`) decides rule cases' outcomes the same way.
fn repaired(pointer: &str, note_pointers: &[&str]) -> bool {
    note_pointers.iter().any(|n| {
        !n.is_empty()
            && (pointer == *n
                || pointer.strip_prefix(n).is_some_and(|r| r.starts_with('/'))
                || n.strip_prefix(pointer).is_some_and(|r| r.starts_with('/')))
    })
}

/// The pointer of the first place where `got` differs from `want`, and how.
fn first_difference(want: &Value, got: &Value, at: &str) -> Option<String> {
    let escape = |k: &str| k.replace('~', "~0").replace('/', "~1");
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => {
            for (k, wv) in w {
                let here = format!("{at}/{}", escape(k));
                match g.get(k) {
                    None => return Some(format!("{here}: missing")),
                    Some(gv) => {
                        if let Some(d) = first_difference(wv, gv, &here) {
                            return Some(d);
                        }
                    }
                }
            }
            g.keys()
                .find(|k| !w.contains_key(*k))
                .map(|k| format!("{at}/{}: not expected", escape(k)))
        }
        (Value::Array(w), Value::Array(g)) => {
            for (i, (wv, gv)) in w.iter().zip(g).enumerate() {
                if let Some(d) = first_difference(wv, gv, &format!("{at}/{i}")) {
                    return Some(d);
                }
            }
            (w.len() != g.len())
                .then(|| format!("{at}: {} elements, expected {}", g.len(), w.len()))
        }
        _ if want == got => None,
        _ => Some(format!(
            "{}: {} instead of {}",
            if at.is_empty() { "/" } else { at },
            short(got),
            short(want)
        )),
    }
}

/// A value shortened for a one-line message.
fn short(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() > 40 {
        format!("{}…", text.chars().take(40).collect::<String>())
    } else {
        text
    }
}

/// `(code, pointer)` pairs from a manifest array of objects with `key` and `pointer`.
fn pairs(list: &Value, key: &str) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = list
        .as_array()
        .map(|a| {
            a.iter()
                .map(|x| {
                    (
                        x[key].as_str().unwrap_or_default().to_owned(),
                        x["pointer"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn sorted(mut v: Vec<(String, String)>) -> Vec<(String, String)> {
    v.sort();
    v
}

/// Judges one answer against the case's expectation.
fn judge(case: &Value, base: &Path, answer: Answer) -> Result<(Verdict, String)> {
    let expect = &case["expect"];
    let kind = case["kind"].as_str().unwrap_or_default();
    let fail = |why: String| Ok((Verdict::Fail, why));
    let want_diags = pairs(&expect["diagnostics"], "rule");
    match (expect["outcome"].as_str(), answer) {
        (_, Answer::Broken(why)) => fail(why),
        (
            Some("accept"),
            Answer::Rejected {
                pointer, message, ..
            },
        ) => {
            let at = pointer.map(|p| format!(" at \"{p}\"")).unwrap_or_default();
            let why = message.map(|m| format!(": {m}")).unwrap_or_default();
            fail(format!("rejected{at}, must be accepted{why}"))
        }
        (
            Some("accept"),
            Answer::Accepted {
                output,
                notes,
                diagnostics,
            },
        ) => {
            let Ok(got) = serde_json::from_slice::<Value>(&output) else {
                return fail("accepted, but the output is not JSON".to_owned());
            };
            if let (Some(notes), Some(want)) = (notes, expect.get("notes")) {
                let (got, want) = (sorted(notes), pairs(want, "code"));
                if got != want {
                    return fail(format!("notes {got:?}, expected {want:?}"));
                }
            }
            if let (Some(diags), "rule") = (diagnostics, kind) {
                let got = sorted(diags);
                if got != want_diags {
                    return fail(format!("diagnostics {got:?}, expected {want_diags:?}"));
                }
            }
            let Some(canonical) = expect["canonical"].as_str() else {
                return Ok((Verdict::Pass, String::new()));
            };
            let path = base.join(canonical);
            let want: Value = serde_json::from_slice(
                &std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?,
            )
            .with_context(|| format!("{} is not JSON", path.display()))?;
            // A bare Account may come back bare.
            let bare = expect["bareAccount"] == true
                && want["accounts"].as_array().is_some_and(|a| a.len() == 1)
                && got == want["accounts"][0];
            if got == want || bare {
                return Ok((Verdict::Pass, String::new()));
            }
            let diff = first_difference(&want, &got, "").unwrap_or_default();
            Ok((
                Verdict::Lossy,
                format!("output differs from {canonical} at {diff}"),
            ))
        }
        (Some("reject"), Answer::Accepted { .. }) => fail("accepted, must be rejected".to_owned()),
        (
            Some("reject"),
            Answer::Rejected {
                pointer,
                kind: error_kind,
                diagnostics,
                ..
            },
        ) => {
            let mut wanted: Vec<String> = Vec::new();
            if kind == "parse-invalid" {
                let want_kind = expect["error"]["kind"].as_str().unwrap_or_default();
                wanted.push(
                    expect["error"]["pointer"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                );
                if diagnostics.is_some() {
                    return fail(format!(
                        "parsed (rejected by a rule), expected a {want_kind} parse error"
                    ));
                }
                if let Some(k) = error_kind.as_deref().filter(|k| *k != want_kind) {
                    return fail(format!("parse error {k}, expected {want_kind}"));
                }
            } else {
                if error_kind.is_some() {
                    return fail(format!(
                        "parse error {}, expected the document to parse and break a rule",
                        error_kind.unwrap_or_default()
                    ));
                }
                if let Some(d) = diagnostics {
                    let got = sorted(d);
                    if got != want_diags {
                        return fail(format!("diagnostics {got:?}, expected {want_diags:?}"));
                    }
                }
                wanted.extend(
                    expect["diagnostics"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter(|d| d["severity"] == "error")
                        .filter_map(|d| d["pointer"].as_str().map(str::to_owned)),
                );
            }
            match pointer {
                Some(p) if !wanted.contains(&p) => fail(format!(
                    "rejected at \"{p}\", expected \"{}\"",
                    wanted.join("\" or \"")
                )),
                _ => Ok((Verdict::Pass, String::new())),
            }
        }
        (other, _) => bail!(
            "{}: unknown expected outcome {other:?} in the manifest",
            case["id"]
        ),
    }
}

pub(crate) fn run(args: ConformanceArgs) -> Result<ExitCode> {
    let text = std::fs::read(&args.manifest).with_context(|| {
        format!(
            "cannot read the manifest {}: run from the repository root or pass --manifest PATH",
            args.manifest.display()
        )
    })?;
    let manifest: Value = serde_json::from_slice(&text)
        .with_context(|| format!("{} is not JSON", args.manifest.display()))?;
    let Some(cases) = manifest["cases"].as_array() else {
        bail!(
            "{} has no \"cases\" array: is it the conformance manifest?",
            args.manifest.display()
        );
    };
    let base = args
        .manifest
        .parent()
        .unwrap_or(Path::new(""))
        .to_path_buf();
    let now = manifest["validationNow"].as_u64().unwrap_or(0);
    let words = args.adapter.as_deref().map(split_words).transpose()?;
    let timeout = Duration::from_secs(args.timeout.max(1));

    let mut results = Vec::with_capacity(cases.len());
    for case in cases {
        let id = case["id"].as_str().unwrap_or_default();
        let Some(rel) = case["path"].as_str() else {
            bail!("{}: a case without a path", args.manifest.display());
        };
        let file = base.join(rel);
        let answer = match &words {
            Some(words) => {
                let path = file.to_str().context("case paths must be UTF-8")?;
                run_adapter(words, path, timeout)?
            }
            None => run_library(
                &std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?,
                now,
            ),
        };
        let (verdict, detail) = judge(case, &base, answer)?;
        if verdict != Verdict::Pass {
            errln!(
                "{:5} {}: {}",
                verdict.as_str().to_uppercase(),
                id,
                safe(&detail)
            );
        }
        results.push((case, verdict, detail));
    }

    // The table: one row per kind, then the total.
    let count = |kind: Option<&str>, v: Option<Verdict>| {
        results
            .iter()
            .filter(|(c, verdict, _)| {
                kind.is_none_or(|k| c["kind"] == k) && v.is_none_or(|v| *verdict == v)
            })
            .count()
    };
    let implementation = args
        .adapter
        .clone()
        .unwrap_or_else(|| format!("fido-cxf {} (in-process)", env!("CARGO_PKG_VERSION")));
    outln!("implementation: {implementation}")?;
    outln!(
        "{:<14} {:>5} {:>5} {:>5} {:>5}",
        "kind",
        "cases",
        "pass",
        "fail",
        "lossy"
    )?;
    let mut summary = serde_json::Map::new();
    for kind in KINDS.iter().map(|k| Some(*k)).chain([None]) {
        let row = [
            count(kind, None),
            count(kind, Some(Verdict::Pass)),
            count(kind, Some(Verdict::Fail)),
            count(kind, Some(Verdict::Lossy)),
        ];
        outln!(
            "{:<14} {:>5} {:>5} {:>5} {:>5}",
            kind.unwrap_or("total"),
            row[0],
            row[1],
            row[2],
            row[3]
        )?;
        summary.insert(
            kind.unwrap_or("total").to_owned(),
            json!({"cases": row[0], "pass": row[1], "fail": row[2], "lossy": row[3]}),
        );
    }

    if let Some(report) = &args.report {
        let cases: Vec<Value> = results
            .iter()
            .map(|(c, v, detail)| {
                let mut e = json!({"id": c["id"], "kind": c["kind"], "result": v.as_str()});
                if !detail.is_empty() {
                    e["detail"] = detail.as_str().into();
                }
                e
            })
            .collect();
        let doc = json!({
            "implementation": implementation,
            "manifest": args.manifest.display().to_string(),
            "summary": summary,
            "cases": cases,
        });
        let mut bytes = serde_json::to_vec_pretty(&doc)?;
        bytes.push(b'\n');
        write_atomic(report, &bytes, true)?;
    }

    let all_pass = results.iter().all(|(_, v, _)| *v == Verdict::Pass);
    Ok(if all_pass {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_INVALID)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_words_like_a_shell() {
        assert_eq!(split_words("a  b {}").unwrap(), ["a", "b", "{}"]);
        assert_eq!(
            split_words(r#"python3 'my adapter.py' "--x=\"{}\"" a\ b"#).unwrap(),
            ["python3", "my adapter.py", "--x=\"{}\"", "a b"]
        );
        assert!(split_words("a 'b").is_err());
        assert!(split_words("   ").is_err());
        assert_eq!(
            command_line(&["a".into(), "--in={}".into()], "f.json"),
            ["a", "--in=f.json"]
        );
        assert_eq!(command_line(&["a".into()], "f.json"), ["a", "f.json"]);
    }

    #[test]
    fn finds_the_first_difference() {
        let want = json!({"a": [1, {"b": "x"}], "c": true});
        assert_eq!(first_difference(&want, &want, ""), None);
        let got = json!({"a": [1, {"b": "y"}], "c": true});
        assert_eq!(
            first_difference(&want, &got, "").unwrap(),
            "/a/1/b: \"y\" instead of \"x\""
        );
        let got = json!({"a": [1, {"b": "x"}]});
        assert_eq!(first_difference(&want, &got, "").unwrap(), "/c: missing");
        let got = json!({"a": [1, {"b": "x"}], "c": true, "d/e": 1});
        assert_eq!(
            first_difference(&want, &got, "").unwrap(),
            "/d~1e: not expected"
        );
    }

    #[test]
    fn reads_printed_pointers() {
        assert_eq!(printed_pointer(b"/a/0\n").as_deref(), Some("/a/0"));
        assert_eq!(printed_pointer(b"\"\"\n").as_deref(), Some(""));
        assert_eq!(printed_pointer(b"error: bad\n"), None);
        assert_eq!(printed_pointer(b""), None);
    }
}
