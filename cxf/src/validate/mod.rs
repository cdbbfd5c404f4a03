#![doc = include_str!("../../docs/validation-rules.md")]
//!
//! # Use
//!
//! ```
//! let input = br#"{"version":{"major":1,"minor":0},"exporterRpId":"vault.example",
//!   "exporterDisplayName":"Vault","timestamp":1760000000,"accounts":[{"id":"AAEC",
//!   "username":"","email":"ada@example.com","collections":[],"items":[{"id":"AwQF",
//!   "title":"Wi-Fi","credentials":[{"type":"wifi","hidden":{"fieldType":"boolean",
//!   "value":"yes"}}]}]}]}"#;
//! let parsed = cxf::Document::parse(input, &cxf::Limits::default())?;
//! let report = cxf::validate::validate_parsed(&parsed);
//! assert!(!report.is_valid());
//! let d = &report.diagnostics[0];
//! assert_eq!((d.rule, d.pointer.as_str()), ("field.boolean", "/accounts/0/items/0/credentials/0/hidden/value"));
//! # Ok::<(), cxf::ParseError>(())
//! ```

mod b64;
mod ctx;
mod extensions;
mod fields;
pub(crate) mod formats;
mod ids;
mod iso3166_2;
mod keys;
mod notes;
mod others;
mod p256_batch;
mod passkey;
mod report;
mod rules;
mod scope;
mod time;
mod walk;

pub use report::{Diagnostic, Report, Severity};

use crate::{Document, Parsed, Shape};

fn now() -> u64 {
    crate::clock::unix_now()
}

fn run(doc: &Document, header: bool, now: u64, notes: &[crate::ParseNote]) -> Report {
    run_with_budget(doc, header, now, notes, passkey::LARGE_BLOB_BUDGET)
}

fn run_with_budget(
    doc: &Document,
    header: bool,
    now: u64,
    notes: &[crate::ParseNote],
    blob_budget: u64,
) -> Report {
    let mut walk = walk::Walk::new(now, blob_budget);
    notes::report(&mut walk.sink, notes);
    let from_notes = walk.sink.diagnostics.len();
    let threads = passkey::threads();
    let mut diagnostics = if threads > 1 && count_passkeys(doc) >= 2 * walk::KEY_CHUNK {
        walk_with_key_threads(walk, doc, header, threads)
    } else {
        walk.document(doc, header);
        passkey::check_keys(walk.sink.diagnostics, walk.keys)
    };
    if !header {
        unprefix(&mut diagnostics[from_notes..]);
    }
    Report { diagnostics }
}

/// A bare Account was wrapped by the parser: point into the file as written.
fn unprefix(diagnostics: &mut [Diagnostic]) {
    for d in diagnostics {
        if let Some(rest) = d.pointer.strip_prefix("/accounts/0") {
            d.pointer = rest.to_owned();
        }
        // Messages may name another pointer (e.g. the first use of a duplicate id).
        if d.message.contains(" /accounts/0/") {
            d.message = d.message.replace(" /accounts/0/", " /");
        }
    }
}

fn count_passkeys(doc: &Document) -> usize {
    doc.accounts
        .iter()
        .flat_map(|a| a.items.iter())
        .flat_map(|i| i.credentials.iter())
        .filter(|c| matches!(c, crate::Credential::Passkey(_)))
        .count()
}

/// The walk, with passkey keys checked by `threads` threads while it goes on (the P-256 checks
/// dominate the time of large vaults). Same diagnostics, same order as the sequential run.
fn walk_with_key_threads(
    mut walk: walk::Walk,
    doc: &Document,
    header: bool,
    threads: usize,
) -> Vec<Diagnostic> {
    type Done = (usize, Vec<passkey::DeferredKey>, Vec<Vec<Diagnostic>>);
    let seed = p256_batch::seed();
    let (tx, rx) = std::sync::mpsc::channel::<(usize, Vec<passkey::DeferredKey>)>();
    let rx = std::sync::Mutex::new(rx);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done: Vec<Done> = Vec::new();
                    loop {
                        let job = rx
                            .lock()
                            .map_err(|_| ())
                            .and_then(|r| r.recv().map_err(|_| ()));
                        let Ok((n, keys)) = job else { break };
                        let found = passkey::check_chunk(&keys, &seed);
                        done.push((n, keys, found));
                    }
                    done
                })
            })
            .collect();
        walk.key_tx = Some(tx);
        walk.document(doc, header);
        // Dropping the sender lets the workers drain the queue and stop.
        walk.key_tx = None;
        let last = std::mem::take(&mut walk.keys);
        let last_found = passkey::check_chunk(&last, &seed);
        let mut chunks: Vec<Done> = workers
            .into_iter()
            .flat_map(|w| w.join().expect("a key check thread panicked"))
            .collect();
        chunks.push((walk.chunks_sent, last, last_found));
        chunks.sort_by_key(|c| c.0);
        let mut keys = Vec::new();
        let mut found = Vec::new();
        for (_, k, f) in chunks {
            keys.extend(k);
            found.extend(f);
        }
        passkey::merge(walk.sink.diagnostics, &keys, found)
    })
}

/// Check a typed document against the CXF 1.0 rules (table above).
///
/// Deviations that the parser already normalised (padding, empty optional arrays, older-draft
/// names) are no longer visible in a [`Document`]; use [`validate_parsed`] to report them too.
pub fn validate(doc: &Document) -> Report {
    run(doc, true, now(), &[])
}

/// Check a parse result: the parse notes that are findings, then the document. For a bare
/// Account ([`Shape::BareAccount`]) the header rules are skipped, since the parser made the
/// header up, and pointers point into the Account as written (no `/accounts/0` prefix).
pub fn validate_parsed(parsed: &Parsed) -> Report {
    validate_parsed_at(parsed, now())
}

/// [`validate_parsed`] with a fixed "now" (UNIX seconds), for reproducible results.
pub fn validate_parsed_at(parsed: &Parsed, now: u64) -> Report {
    let mut report = run(
        &parsed.document,
        parsed.shape == Shape::Header,
        now,
        &parsed.notes,
    );
    relocate(&mut report, &parsed.notes);
    report
}

/// Why [`validate_stream`] could not give a report.
#[derive(Debug)]
#[non_exhaustive]
pub enum StreamError {
    /// Reading the input failed.
    Io(std::io::Error),
    /// The input does not parse (as from [`Document::parse`](crate::Document::parse)).
    Parse(crate::ParseError),
}

impl std::fmt::Display for StreamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StreamError::Io(e) => write!(f, "cannot read the input: {e}"),
            StreamError::Parse(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for StreamError {}

/// [`validate_parsed_at`] of a CXF document read from `input` a chunk of items at a time, in
/// memory bounded by the largest item plus a compact index of ids per account (for duplicate
/// ids and collection links) and the findings; the same findings as [`validate_parsed_at`]
/// (those made of parse notes may come in another order: the notes of an account's own members
/// before those of its items). `now` defaults to the clock.
/// Returns the report and the parse notes.
///
/// # Errors
/// [`StreamError::Parse`] where [`Document::parse`](crate::Document::parse) would fail (with
/// the line and column in the whole input); [`StreamError::Io`] when reading fails.
pub fn validate_stream<R: std::io::Read + std::io::Seek>(
    input: R,
    limits: &crate::Limits,
    now: Option<u64>,
) -> Result<(Report, Vec<crate::ParseNote>), StreamError> {
    validate_chunked(input, limits, now, CHUNK, &mut |_, _| {})
}

/// [`validate_stream`], calling `progress(items checked, items in the input)` after each chunk
/// of items.
///
/// # Errors
/// As [`validate_stream`].
pub fn validate_stream_with_progress<R: std::io::Read + std::io::Seek>(
    input: R,
    limits: &crate::Limits,
    now: Option<u64>,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<(Report, Vec<crate::ParseNote>), StreamError> {
    validate_chunked(input, limits, now, CHUNK, progress)
}

/// [`validate_stream`] walking `chunk_items` items between key checks.
fn validate_chunked<R: std::io::Read + std::io::Seek>(
    mut input: R,
    limits: &crate::Limits,
    now: Option<u64>,
    chunk_items: usize,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<(Report, Vec<crate::ParseNote>), StreamError> {
    use crate::json::split::{self, Layout, SplitError};
    use std::io::SeekFrom;
    let now = now.unwrap_or_else(self::now);
    let parse = |e: SplitError<crate::ParseError>| match e {
        SplitError::Io(e) => StreamError::Io(e),
        SplitError::Limit(limit, max) => StreamError::Parse(crate::ParseError::new(
            crate::ParseErrorKind::Limit { limit, max },
            String::new(),
            1,
            1,
        )),
        SplitError::Syntax { line, column } => StreamError::Parse(crate::ParseError::new(
            crate::ParseErrorKind::Syntax("misplaced `,` in an item array".into()),
            String::new(),
            line,
            column,
        )),
        SplitError::Element(e) => StreamError::Parse(e),
    };
    let sk = split::split(
        &mut input,
        Layout::Cxf,
        limits.max_depth + 1,
        limits.max_document_bytes,
        true,
        0,
        |_| Ok::<(), crate::ParseError>(()),
    )
    .map_err(parse)?;
    input.seek(SeekFrom::Start(0)).map_err(StreamError::Io)?;
    let head = crate::parse::skeleton_head(&sk, limits).map_err(StreamError::Parse)?;
    let Some(head) = head else {
        // Items where the shape does not hold them: read whole.
        let mut bytes = zeroize::Zeroizing::new(Vec::new());
        std::io::Read::read_to_end(&mut input, &mut bytes).map_err(StreamError::Io)?;
        let parsed = crate::Document::parse(&bytes, limits).map_err(StreamError::Parse)?;
        let report = validate_parsed_at(&parsed, now);
        return Ok((report, parsed.notes));
    };
    let header = head.shape == Shape::Header;
    let doc = &head.document;
    let mut walk = walk::Walk::new(now, passkey::LARGE_BLOB_BUDGET);
    let export = walk.header(doc, header);
    let accounts = crate::validate::ctx::Ptr::root().key("accounts");
    // Items per account, from the first pass (arrays of one account add up).
    let mut per_account = vec![0usize; doc.accounts.len()];
    for (owner, n) in sk.owners.iter().zip(&sk.counts) {
        if let Some(c) = per_account.get_mut(owner.unwrap_or(0)) {
            *c += n;
        }
    }
    let mut ctx = crate::parse::Ctx::new(limits);
    let total: usize = sk.counts.iter().sum();
    let mut done = 0;
    let mut open: Option<(usize, walk::AccountCtx)> = None;
    let mut chunk: Vec<crate::Item> = Vec::with_capacity(chunk_items);
    let mut first = 0usize;
    // Walks the pending chunk, and the key checks it deferred.
    let flush = |walk: &mut walk::Walk,
                 open: &mut Option<(usize, walk::AccountCtx)>,
                 chunk: &mut Vec<crate::Item>,
                 first: &mut usize| {
        if let Some((a, actx)) = open.as_mut() {
            walk.items(chunk, *first, &accounts.idx(*a), actx);
            *first += chunk.len();
            chunk.clear();
            let diagnostics = std::mem::take(&mut walk.sink.diagnostics);
            walk.sink.diagnostics =
                passkey::check_keys(diagnostics, std::mem::take(&mut walk.keys));
        }
    };
    // Ends accounts up to (not including) `until`, starting the ones before it.
    let advance = |walk: &mut walk::Walk,
                   open: &mut Option<(usize, walk::AccountCtx)>,
                   chunk: &mut Vec<crate::Item>,
                   first: &mut usize,
                   until: usize| {
        loop {
            let next = match open.as_ref() {
                Some((a, _)) if *a + 1 > until => break,
                Some((a, _)) => *a + 1,
                None => 0,
            };
            flush(walk, open, chunk, first);
            if let Some((a, mut actx)) = open.take() {
                walk.end_account(&doc.accounts[a], &accounts.idx(a), &mut actx);
            }
            if next >= doc.accounts.len() {
                break;
            }
            let at = accounts.idx(next);
            let actx = walk.begin_account(&doc.accounts[next], &at, export, per_account[next]);
            *open = Some((next, actx));
            *first = 0;
            if next == until {
                break;
            }
        }
    };
    split::split(
        &mut input,
        Layout::Cxf,
        limits.max_depth + 1,
        limits.max_document_bytes,
        false,
        0,
        |e| {
            let owner = sk.owners.get(e.array).copied().flatten();
            let account = owner.unwrap_or(0);
            let item = crate::parse::parse_item(&e, owner, limits, &mut ctx)?;
            if open.as_ref().is_none_or(|(a, _)| *a != account) {
                advance(&mut walk, &mut open, &mut chunk, &mut first, account);
            }
            chunk.push(item);
            if chunk.len() >= chunk_items {
                flush(&mut walk, &mut open, &mut chunk, &mut first);
                done += chunk_items;
                progress(done, total);
            }
            Ok(())
        },
    )
    .map_err(parse)?;
    advance(&mut walk, &mut open, &mut chunk, &mut first, usize::MAX);
    progress(total, total);
    let mut notes = head.notes;
    notes.append(&mut ctx.notes);
    let mut noted = walk::Walk::new(now, 0);
    notes::report(&mut noted.sink, &notes);
    let from_notes = noted.sink.diagnostics.len();
    let mut diagnostics = noted.sink.diagnostics;
    diagnostics.append(&mut walk.sink.diagnostics);
    let mut report = Report { diagnostics };
    if !header {
        unprefix(&mut report.diagnostics[from_notes..]);
    }
    relocate(&mut report, &notes);
    Ok((report, notes))
}

/// Items walked between key checks by [`validate_stream`].
const CHUNK: usize = 1024;

/// Points findings about a member the parser renamed at the member as the input spells it:
/// the PS Appendix A `hmacSecret {algorithm, secret}` became `hmacCredentials {algorithm,
/// credWithUV}`. (Other normalisations keep member names, or are reported at the old name.)
fn relocate(report: &mut Report, notes: &[crate::ParseNote]) {
    for note in notes.iter().filter(|n| n.code == "ps-hmac-secret") {
        let Some((parent, _)) = note.pointer.rsplit_once('/') else {
            continue;
        };
        let migrated = format!("{parent}/hmacCredentials");
        for d in &mut report.diagnostics {
            let Some(rest) = d.pointer.strip_prefix(&migrated) else {
                continue;
            };
            let rest = match rest {
                "" | "/credWithoutUV" => "",
                "/credWithUV" => "/secret",
                "/algorithm" => "/algorithm",
                _ => continue,
            };
            d.pointer = format!("{}{rest}", note.pointer);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Limits;

    const NOW: u64 = 1_793_491_200;

    /// A minimal valid Header holding `items` (JSON text of the items array members).
    fn doc(items: &str, collections: &str, extra_account: &str) -> String {
        format!(
            r#"{{"version":{{"major":1,"minor":0}},"exporterRpId":"vault.example","exporterDisplayName":"Vault","timestamp":1767225600,"accounts":[{{"id":"AAAAAAAAAAAAAAAAAAAAAA","username":"","email":"a@example.com","collections":[{collections}],"items":[{items}]{extra_account}}}]}}"#
        )
    }

    fn run_json(json: &str) -> Vec<(&'static str, Severity, String)> {
        let parsed = Document::parse(json.as_bytes(), &Limits::default()).unwrap();
        validate_parsed_at(&parsed, NOW)
            .diagnostics
            .into_iter()
            .map(|d| (d.rule, d.severity, d.pointer))
            .collect()
    }

    const ITEM: &str = r#"{"id":"AQEBAQEBAQEBAQEBAQEBAQ","title":"t","credentials":[{"type":"note","content":{"fieldType":"string","value":"x"}}]}"#;

    #[test]
    fn minimal_document_is_clean() {
        assert_eq!(run_json(&doc(ITEM, "", "")), []);
    }

    #[test]
    fn info_rules_from_the_walk() {
        let cases: [(&str, &str, &str, &str); 6] = [
            (
                r#"{"id":"AQEBAQEBAQEBAQEBAQEBAQ","title":"t","credentials":[]}"#,
                "",
                "item.no-credentials",
                "/accounts/0/items/0",
            ),
            (
                ITEM,
                r#"{"id":"AgICAgICAgICAgICAgICAg","title":"c","items":[{"item":"AwMDAwMDAwMDAwMDAwMDAw"}]}"#,
                "linked-item.unresolved",
                "/accounts/0/collections/0/items/0/item",
            ),
            (
                r#"{"id":"AQEBAQEBAQEBAQEBAQEBAQ","title":"t","credentials":[{"type":"future-thing","x":1}]}"#,
                "",
                "credential.unknown-type",
                "/accounts/0/items/0/credentials/0/type",
            ),
            (
                r#"{"id":"AQEBAQEBAQEBAQEBAQEBAQ","title":"t","credentials":[{"type":"custom-fields","fields":[{"fieldType":"colour","value":"red"}]}]}"#,
                "",
                "field.unknown-type",
                "/accounts/0/items/0/credentials/0/fields/0/fieldType",
            ),
            (
                r#"{"id":"AQEBAQEBAQEBAQEBAQEBAQ","title":"t","credentials":[{"type":"credit-card","number":{"fieldType":"concealed-string","value":"4111111111111112"}}]}"#,
                "",
                "card.number",
                "/accounts/0/items/0/credentials/0/number/value",
            ),
            (
                r#"{"id":"AQEBAQEBAQEBAQEBAQEBAQ","title":"t","credentials":[],"extensions":[{"name":"x-vendor","v":1}]}"#,
                "",
                "extension.unknown",
                "/accounts/0/items/0/extensions/0/name",
            ),
        ];
        for (items, collections, rule, pointer) in cases {
            let got = run_json(&doc(items, collections, ""));
            let infos: Vec<_> = got.iter().filter(|d| d.0 == rule).collect();
            assert_eq!(
                infos,
                [&(rule, Severity::Info, pointer.to_owned())],
                "{got:?}"
            );
        }
    }

    #[test]
    fn android_hash_alg_unknown_is_info() {
        let item = r#"{"id":"AQEBAQEBAQEBAQEBAQEBAQ","title":"t","scope":{"urls":[],"androidApps":[{"bundleId":"com.example.app","certificate":{"fingerprint":"AAAA","hashAlg":"md5"}}]},"credentials":[]}"#;
        let got = run_json(&doc(item, "", ""));
        assert!(got.contains(&(
            "android-app.hash-alg-unknown",
            Severity::Info,
            "/accounts/0/items/0/scope/androidApps/0/certificate/hashAlg".to_owned()
        )));
    }

    #[test]
    fn bare_account_skips_header_rules_and_points_into_the_input() {
        let json = r#"{"id":"AAAAAAAAAAAAAAAAAAAAAA","username":"","email":"a@example.com","collections":[],"items":[{"id":"AQEBAQEBAQEBAQEBAQEBAQ","title":"t","credentials":[{"type":"wifi","hidden":{"fieldType":"boolean","value":"no"}}]}]}"#;
        let got = run_json(json);
        assert_eq!(
            got,
            [
                ("header.bare-account", Severity::Info, String::new()),
                (
                    "field.boolean",
                    Severity::Error,
                    "/items/0/credentials/0/hidden/value".to_owned()
                )
            ]
        );
    }

    #[test]
    fn validate_on_a_document_reports_header_problems() {
        let parsed = Document::parse(doc(ITEM, "", "").as_bytes(), &Limits::default()).unwrap();
        let mut d = parsed.document;
        d.version.minor = 2;
        d.exporter_rp_id = "".into();
        let rules: Vec<_> = validate(&d).diagnostics.iter().map(|d| d.rule).collect();
        assert_eq!(rules, ["version.unpublished", "header.exporter-rp-id"]);
    }

    #[test]
    fn wd_version_integer_is_unpublished() {
        let json = doc(ITEM, "", "").replace(r#"{"major":1,"minor":0}"#, "0");
        let got = run_json(&json);
        assert!(
            got.iter()
                .any(|d| d.0 == "version.unpublished" && d.1 == Severity::Error),
            "{got:?}"
        );
    }

    #[test]
    fn key_threads_during_the_walk_give_the_sequential_diagnostics() {
        // Enough passkeys for the pipelined path; some bad keys, and a walk finding (rpId) on
        // every 5th passkey, so key findings interleave with walk findings.
        let good = crate::validate::keys::tests::P256_PKCS8;
        let sec1 = crate::validate::keys::tests::P256_SEC1;
        let n = 2 * walk::KEY_CHUNK + 37;
        let items: Vec<String> = (0..n)
            .map(|i| {
                let key = if i % 97 == 13 { sec1 } else { good };
                let rp = if i % 5 == 0 { "https://a.example" } else { "a.example" };
                format!(
                    r#"{{"id":"{}","title":"t","credentials":[{{"type":"passkey","credentialId":"AQID","rpId":"{rp}","username":"u","userDisplayName":"U","userHandle":"AQID","key":"{key}","fido2Extensions":{{"hmacCredentials":{{"algorithm":"x","credWithUV":"{}","credWithoutUV":"{}"}}}}}}]}}"#,
                    crate::B64::encode(&(i as u32).to_be_bytes()).as_str(),
                    crate::B64::encode(&[1; 32]).as_str(),
                    crate::B64::encode(&[2; 32]).as_str(),
                )
            })
            .collect();
        let json = doc(&items.join(","), "", "");
        let parsed = Document::parse(json.as_bytes(), &Limits::default()).unwrap();
        let threaded = walk_with_key_threads(
            walk::Walk::new(NOW, passkey::LARGE_BLOB_BUDGET),
            &parsed.document,
            true,
            2,
        );
        let mut w = walk::Walk::new(NOW, passkey::LARGE_BLOB_BUDGET);
        w.document(&parsed.document, true);
        let sequential = passkey::check_keys_on(w.sink.diagnostics, w.keys, 1);
        let count = |rule: &str| sequential.iter().filter(|d| d.rule == rule).count();
        assert_eq!(
            count("passkey.key-pkcs8"),
            (0..n).filter(|i| i % 97 == 13).count()
        );
        assert_eq!(count("passkey.rp-id"), n.div_ceil(5));
        assert_eq!(count("passkey.hmac-algorithm"), n);
        assert_eq!(threaded, sequential);
        // And the public entry point agrees (whichever path this machine takes).
        assert_eq!(validate_parsed_at(&parsed, NOW).diagnostics, sequential);
    }

    #[test]
    fn large_blobs_past_the_budget_are_not_inflated() {
        // "AwA" is raw DEFLATE of the empty string; uncompressedSize 9 is wrong.
        let blob = r#"{"type":"passkey","credentialId":"AQID","rpId":"a.example","username":"u","userDisplayName":"U","userHandle":"AQID","key":"KEY","fido2Extensions":{"largeBlob":{"uncompressedSize":9,"data":"AwA"}}}"#;
        let key = crate::validate::keys::tests::P256_PKCS8;
        let item = format!(
            r#"{{"id":"AQEBAQEBAQEBAQEBAQEBAQ","title":"t","credentials":[{}]}}"#,
            blob.replace("KEY", key)
        );
        let parsed = Document::parse(doc(&item, "", "").as_bytes(), &Limits::default()).unwrap();
        let rules = |budget| -> Vec<&'static str> {
            run_with_budget(&parsed.document, true, NOW, &[], budget)
                .diagnostics
                .iter()
                .map(|d| d.rule)
                .collect()
        };
        assert_eq!(rules(passkey::LARGE_BLOB_BUDGET), ["passkey.large-blob"]);
        assert_eq!(rules(8), Vec::<&str>::new());
    }

    /// Rules decided by the walk or by parse notes, one minimal document each: the rule fires
    /// with its severity at the pointer, and nothing else of severity warning or above.
    #[test]
    fn walk_and_note_rules_fire_alone() {
        let item = |creds: &str, extra: &str| {
            format!(
                r#"{{"id":"AQEBAQEBAQEBAQEBAQEBAQ","title":"t"{extra},"credentials":[{creds}]}}"#
            )
        };
        let note = r#"{"type":"note","content":{"fieldType":"string","value":"x"}}"#;
        let pk = |ext: &str| {
            format!(
                r#"{{"type":"passkey","credentialId":"AQID","rpId":"a.example","username":"u","userDisplayName":"U","userHandle":"AQID","key":"{}"{ext}}}"#,
                keys::tests::P256_PKCS8
            )
        };
        // A synthetic X25519 PKCS#8 key (openssl genpkey): an algorithm WebAuthn never uses.
        const X25519: &str = "MC4CAQAwBQYDK2VuBCIEIOCn7jx5UCTL_yZp1QKDLObOJiCoHmpoELm5Jyv0LcZv";
        let scope = r#","scope":{"urls":["https://a.example"],"androidApps":[]}"#;
        let cases: Vec<(String, &str, &str)> = vec![
            (
                doc(&item(note, r#","tags":[]"#), "", ""),
                "array.empty-optional",
                "/accounts/0/items/0/tags",
            ),
            (
                doc(&item(note, r#","scope":{"urls":[]}"#), "", ""),
                "array.missing-required",
                "/accounts/0/items/0/scope",
            ),
            (
                doc(&item(note, r#","subtitle":null"#), "", ""),
                "member.null",
                "/accounts/0/items/0/subtitle",
            ),
            (
                format!("\u{feff}{}", doc(&item(note, ""), "", "")),
                "document.byte-order-mark",
                "",
            ),
            (
                doc(&item(note, ""), "", "")
                    .replace("\"AQEBAQEBAQEBAQEBAQEBAQ\"", "\"AQEBAQEBAQEBAQEBAQEBAQ==\""),
                "b64url.padded",
                "/accounts/0/items/0/id",
            ),
            (
                doc(&item(note, ""), "", "").replace("\"username\":\"\"", "\"userName\":\"\""),
                "draft.legacy-shape",
                "/accounts/0/userName",
            ),
            (
                doc(&item(note, ""), "", "").replace("\"Vault\"", "\"\""),
                "header.display-name-empty",
                "/exporterDisplayName",
            ),
            (
                doc(&item(note, ""), "", "").replace("1767225600", "1767225600000"),
                "timestamp.implausible",
                "/timestamp",
            ),
            (
                doc(&item(note, r#","creationAt":1767225601"#), "", ""),
                "timestamp.order",
                "/accounts/0/items/0/creationAt",
            ),
            (
                doc(
                    &item(note, ""),
                    r#"{"id":"AQEBAQEBAQEBAQEBAQEBAQ","title":"c","items":[]}"#,
                    "",
                ),
                "id.duplicate",
                "/accounts/0/items/0/id",
            ),
            (
                doc(&item(r#"{"type":"basic-auth"}"#, ""), "", ""),
                "scope.missing",
                "/accounts/0/items/0",
            ),
            (
                doc(
                    &item(
                        r#"{"type":"item-reference","reference":{"item":"BBBB"}}"#,
                        "",
                    ),
                    "",
                    "",
                ),
                "item-reference.unresolved",
                "/accounts/0/items/0/credentials/0/reference/item",
            ),
            (
                doc(
                    &item(note, ""),
                    "",
                    r#","extensions":[{"name":"shared","accessors":[]}]"#,
                ),
                "extension.shared-placement",
                "/accounts/0/extensions/0",
            ),
            (
                doc(
                    &item(
                        r#"{"type":"totp","secret":"JBSWY3DPEHPK3PXP","algorithm":"sha1"}"#,
                        "",
                    ),
                    "",
                    "",
                ),
                "totp.defaults-missing",
                "/accounts/0/items/0/credentials/0",
            ),
            (
                doc(
                    &item(
                        r#"{"type":"passport","issueDate":{"fieldType":"date","value":"2030-01-01"},"expiryDate":{"fieldType":"date","value":"2020-01-01"}}"#,
                        "",
                    ),
                    "",
                    "",
                ),
                "dates.order",
                "/accounts/0/items/0/credentials/0/expiryDate/value",
            ),
            (
                doc(
                    &item(
                        r#"{"type":"passport","passportType":{"fieldType":"string","value":"Regular"}}"#,
                        "",
                    ),
                    "",
                    "",
                ),
                "passport.type",
                "/accounts/0/items/0/credentials/0/passportType/value",
            ),
            (
                doc(
                    &item(
                        r#"{"type":"api-key","url":{"fieldType":"string","value":"api.example"}}"#,
                        scope,
                    ),
                    "",
                    "",
                ),
                "url.invalid",
                "/accounts/0/items/0/credentials/0/url/value",
            ),
            (
                doc(
                    &item(
                        r#"{"type":"wifi","ssid":{"fieldType":"string","value":"x","id":"AQ"},"passphrase":{"fieldType":"concealed-string","value":"y","id":"AQ"}}"#,
                        "",
                    ),
                    "",
                    "",
                ),
                "id.duplicate-field",
                "/accounts/0/items/0/credentials/0/passphrase/id",
            ),
            (
                doc(
                    &item(
                        &pk(
                            r#","fido2Extensions":{"hmacCredentials":{"algorithm":"hmac-sha256","credWithUV":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}}"#,
                        ),
                        "",
                    ),
                    "",
                    "",
                ),
                "passkey.hmac-incomplete",
                "/accounts/0/items/0/credentials/0/fido2Extensions/hmacCredentials",
            ),
            (
                doc(
                    &item(&pk(r#","fido2Extensions":{"supplementalKeys":{}}"#), ""),
                    "",
                    "",
                ),
                "passkey.legacy-extension",
                "/accounts/0/items/0/credentials/0/fido2Extensions/supplementalKeys",
            ),
            (
                doc(
                    &item(&pk("").replace(keys::tests::P256_PKCS8, X25519), ""),
                    "",
                    "",
                ),
                "passkey.key-algorithm",
                "/accounts/0/items/0/credentials/0/key",
            ),
        ];
        for (json, rule, pointer) in cases {
            let parsed = Document::parse(json.as_bytes(), &Limits::default())
                .unwrap_or_else(|e| panic!("{rule}: {e}"));
            let report = validate_parsed_at(&parsed, NOW);
            let got: Vec<(&str, &str)> = report
                .at_least(Severity::Warning)
                .map(|d| (d.rule, d.pointer.as_str()))
                .collect();
            assert_eq!(got, [(rule, pointer)], "{rule}");
        }
    }

    #[test]
    fn secrets_never_appear_in_messages() {
        let item = r#"{"id":"AQEBAQEBAQEBAQEBAQEBAQ","title":"t","credentials":[{"type":"basic-auth","password":{"fieldType":"boolean","value":"hunter2-secret"}},{"type":"totp","secret":"hunter2-secret!","period":30,"digits":6,"algorithm":"sha1"},{"type":"api-key","url":{"fieldType":"string","value":"hunter2-secret"}}]}"#;
        let parsed = Document::parse(doc(item, "", "").as_bytes(), &Limits::default()).unwrap();
        let report = validate_parsed_at(&parsed, NOW);
        assert!(report.diagnostics.len() >= 3, "{:?}", report.diagnostics);
        for d in &report.diagnostics {
            assert!(!d.to_string().contains("hunter2"), "{d}");
        }
    }

    /// Every CXF fixture (valid, invalid, quirks), validated a few items at a time, gives the
    /// report and notes of the whole-document validation (or its parse error).
    #[test]
    fn streamed_validation_equals_the_whole_document_validation() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/cxf");
        let mut compared = 0;
        for sub in ["valid", "invalid", "quirks"] {
            for f in std::fs::read_dir(root.join(sub)).unwrap() {
                let path = f.unwrap().path();
                let name = path.to_string_lossy().to_string();
                if !name.ends_with(".json") || name.ends_with(".expect.json") {
                    continue;
                }
                let bytes = std::fs::read(&path).unwrap();
                let whole = crate::Document::parse(&bytes, &Limits::default())
                    .map(|p| (validate_parsed_at(&p, NOW), p.notes));
                for chunk in [1, 2, 1024] {
                    let mut last = (0, 0);
                    let streamed = validate_chunked(
                        std::io::Cursor::new(&bytes),
                        &Limits::default(),
                        Some(NOW),
                        chunk,
                        &mut |done, total| last = (done, total),
                    );
                    if streamed.is_ok() && whole.is_ok() {
                        assert_eq!(last.0, last.1, "{name}: progress ends at the total");
                    }
                    match (&whole, streamed) {
                        (Ok((report, notes)), Ok((r, n))) => {
                            // Notes (and the findings made of them) of the account level may
                            // come before those of its items: compare as sets.
                            let sorted = |v: Vec<String>| {
                                let mut v = v;
                                v.sort();
                                v
                            };
                            let debug = |d: &[Diagnostic]| {
                                sorted(d.iter().map(|d| format!("{d:?}")).collect())
                            };
                            assert_eq!(
                                debug(&report.diagnostics),
                                debug(&r.diagnostics),
                                "{name}, chunks of {chunk}"
                            );
                            let notes_of = |n: &[crate::ParseNote]| {
                                sorted(n.iter().map(|n| format!("{n:?}")).collect())
                            };
                            assert_eq!(notes_of(notes), notes_of(&n), "{name}");
                        }
                        (Err(e), Err(StreamError::Parse(s))) => {
                            // The same error; where the whole parse can only say "the
                            // document" (invalid UTF-8), the streamed one names the item.
                            assert_eq!(e.kind().code(), s.kind().code(), "{name}");
                            if !e.pointer().is_empty() || e.line() > 1 {
                                assert_eq!(e.to_string(), s.to_string(), "{name}");
                            }
                        }
                        (w, s) => panic!(
                            "{name}: whole {:?}, streamed {:?}",
                            w.as_ref().err(),
                            s.err()
                        ),
                    }
                    compared += 1;
                }
            }
        }
        assert!(compared > 300, "{compared}");
    }
}
