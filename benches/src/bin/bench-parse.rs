//! Parse throughput of the typed model against `serde_json::Value` on the same bytes, for both
//! generator shapes (`mixed`: `cxf_bench::vault`, `plain`: `cxf_bench::vault_plain`; target:
//! typed at least 1.5x faster on each), serialize throughput, validation time (`cxf::validate::validate_parsed`) against parse alone, validation of
//! the same vault with 1% and with all of its passkey keys embedding a wrong public key (the
//! slow path of the batched key check), all measured in one run, plus peak memory of each parse
//! in a child process.
//!
//! `cargo run --release -p cxf-bench --bin bench-parse [ITEMS]` (default 100000).

use std::hint::black_box;
use std::process::Command;
use std::time::Duration;

const RUNS: usize = 5;

fn best<T>(f: impl FnMut() -> T) -> Duration {
    cxf_bench::best_of(RUNS, f)
}

use cxf_bench::peak_rss;

/// CPU time (user + system, all threads) of this process so far, in milliseconds (Linux
/// `/proc/self/stat`, clock ticks of 10 ms). Under load, wall time mostly measures the other
/// processes; CPU time measures our work.
fn cpu_ms() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after_name = &stat[stat.rfind(')')? + 2..];
    let mut fields = after_name.split_whitespace().skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some((user + system) * 10)
}

/// CPU time of the calling thread so far, in nanoseconds (Linux `/proc/thread-self/schedstat`,
/// exact): what a single-threaded parse costs whatever else the machine runs.
fn thread_cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

/// The least wall time and the least thread CPU time of `RUNS` runs of `f`.
fn best_wall_cpu<T>(mut f: impl FnMut() -> T) -> (Duration, Option<Duration>) {
    let mut wall = Duration::MAX;
    let mut cpu: Option<Duration> = None;
    for _ in 0..RUNS {
        let cpu_start = thread_cpu_ns();
        let start = std::time::Instant::now();
        black_box(f());
        wall = wall.min(start.elapsed());
        if let (Some(a), Some(b)) = (cpu_start, thread_cpu_ns()) {
            let d = Duration::from_nanos(b - a);
            cpu = Some(cpu.map_or(d, |c| c.min(d)));
        }
    }
    (wall, cpu)
}

/// Child mode: read the file, note the peak, parse with `which`, print both peaks.
fn rss_child(which: &str, path: &str) {
    let bytes = std::fs::read(path).expect("read bench file");
    let before = peak_rss().unwrap_or(0);
    match which {
        "typed" => {
            let parsed = cxf::Document::parse(&bytes, &cxf::Limits::default()).expect("parse");
            black_box(&parsed);
        }
        _ => {
            let value: serde_json::Value = serde_json::from_slice(&bytes).expect("parse");
            black_box(&value);
        }
    }
    println!("{before} {}", peak_rss().unwrap_or(0));
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--rss-child") {
        rss_child(&args[2], &args[3]);
        return;
    }
    let items: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let mut files = Vec::new();
    let mut mixed = None;
    for shape in cxf_bench::Shape::ALL {
        eprintln!(
            "generating a synthetic vault of {items} items, {} shape...",
            shape.name()
        );
        let doc = cxf_bench::vault_shaped(items, shape);
        let bytes = doc.to_json_vec();
        let mb = bytes.len() as f64 / 1e6;
        let parsed = cxf::Document::parse(&bytes, &cxf::Limits::default()).unwrap();
        assert_eq!(parsed.document, doc, "parse(serialize(doc)) == doc");
        drop(parsed);
        // Alternate the two parsers so that a burst of load elsewhere hits both alike.
        let (mut value_parse, mut typed_parse) = ((Duration::MAX, None), (Duration::MAX, None));
        for _ in 0..2 {
            let v = best_wall_cpu(|| serde_json::from_slice::<serde_json::Value>(&bytes).unwrap());
            let t =
                best_wall_cpu(|| cxf::Document::parse(&bytes, &cxf::Limits::default()).unwrap());
            value_parse = (value_parse.0.min(v.0), min_opt(value_parse.1, v.1));
            typed_parse = (typed_parse.0.min(t.0), min_opt(typed_parse.1, t.1));
        }
        let rate = |d: Duration| mb / d.as_secs_f64();
        println!(
            "document ({}): {items} items, {mb:.1} MB compact JSON; best of {} runs",
            shape.name(),
            2 * RUNS
        );
        println!(
            "  parse      cxf {:8.1} MB/s   serde_json::Value {:8.1} MB/s   ratio {:.2}x (target >= 1.5x)",
            rate(typed_parse.0),
            rate(value_parse.0),
            value_parse.0.as_secs_f64() / typed_parse.0.as_secs_f64()
        );
        if let (Some(t), Some(v)) = (typed_parse.1, value_parse.1) {
            println!(
                "  parse CPU  cxf {:8.1} ms     serde_json::Value {:8.1} ms     ratio {:.2}x (thread CPU time)",
                t.as_secs_f64() * 1e3,
                v.as_secs_f64() * 1e3,
                v.as_secs_f64() / t.as_secs_f64()
            );
        }
        let path = std::env::temp_dir().join(format!(
            "cxf-bench-{}-{}.json",
            std::process::id(),
            shape.name()
        ));
        std::fs::write(&path, &bytes).expect("write bench file");
        files.push((shape, path, bytes.len()));
        if shape == cxf_bench::Shape::Mixed {
            mixed = Some((doc, bytes, typed_parse.0));
        }
    }
    let (doc, bytes, typed_parse) = mixed.expect("the mixed shape is generated");
    let mb = bytes.len() as f64 / 1e6;
    let rate = |d: Duration| mb / d.as_secs_f64();
    println!("mixed shape, best of {RUNS} runs:");
    let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let parsed = cxf::Document::parse(&bytes, &cxf::Limits::default()).unwrap();
    let value_ser = best(|| serde_json::to_vec(&value).unwrap());
    let typed_ser = best(|| parsed.document.to_json_vec());
    drop(value);

    let report = cxf::validate::validate_parsed(&parsed);
    let cpu_before = cpu_ms();
    let validate = best(|| cxf::validate::validate_parsed(&parsed));
    let validate_cpu = cpu_before
        .zip(cpu_ms())
        .map(|(a, b)| (b - a) as f64 / RUNS as f64);
    let cpu_before = cpu_ms();
    let parse_again = best(|| cxf::Document::parse(&bytes, &cxf::Limits::default()).unwrap());
    let parse_cpu = cpu_before
        .zip(cpu_ms())
        .map(|(a, b)| (b - a) as f64 / RUNS as f64);
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    // The same vault with 1% and then all of its passkeys holding another key's public key:
    // bad keys cost a per-key check each, but the batch check narrows them down first.
    let tampered: Vec<(&str, Duration, usize, usize)> = [("1% bad keys", 100), ("all keys bad", 1)]
        .into_iter()
        .map(|(label, every)| {
            let (doc, bad) = with_mismatched_public_keys(&doc, every);
            let found = cxf::validate::validate(&doc)
                .diagnostics
                .iter()
                .filter(|d| d.rule == "passkey.key-invalid")
                .count();
            (label, best(|| cxf::validate::validate(&doc)), found, bad)
        })
        .collect();
    println!(
        "  serialize  cxf {:8.1} MB/s   serde_json::Value {:8.1} MB/s   ratio {:.2}x (target >= 1.0x)",
        rate(typed_ser),
        rate(value_ser),
        value_ser.as_secs_f64() / typed_ser.as_secs_f64()
    );

    println!(
        "  validate   {:8.1} ms ({:.1} MB/s, {threads} threads)   parse {:8.1} ms   validate/parse {:.2}x (target: validate well under 1 s)",
        validate.as_secs_f64() * 1e3,
        rate(validate),
        typed_parse.as_secs_f64() * 1e3,
        validate.as_secs_f64() / typed_parse.as_secs_f64()
    );
    if let (Some(v), Some(p)) = (validate_cpu, parse_cpu) {
        println!(
            "  CPU time   validate {v:8.0} ms per run (all threads)   parse {p:8.0} ms   ratio {:.2}x   (parse again: best {:.1} ms)",
            v / p.max(1.0),
            parse_again.as_secs_f64() * 1e3
        );
    }
    for (label, time, found, bad) in &tampered {
        println!(
            "  validate, {label:12} {:8.1} ms   {found} of {bad} bad keys found   vs clean vault {:.2}x",
            time.as_secs_f64() * 1e3,
            time.as_secs_f64() / validate.as_secs_f64()
        );
    }
    println!(
        "  diagnostics on the synthetic vault: {} (expected 0)",
        report.diagnostics.len()
    );
    for d in report.diagnostics.iter().take(5) {
        println!("    {d}");
    }
    drop((parsed, doc, bytes));

    let exe = std::env::current_exe().unwrap();
    for (shape, path, size) in &files {
        for which in ["typed", "value"] {
            let out = Command::new(&exe)
                .args(["--rss-child", which, path.to_str().unwrap()])
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&out.stdout);
            let mut nums = text
                .split_whitespace()
                .filter_map(|n| n.parse::<u64>().ok());
            if let (Some(before), Some(after)) = (nums.next(), nums.next()) {
                let size = *size as f64;
                println!(
                    "  peak RSS   {:5} {which:5}: {:.1} MB total = {:.2}x document (input buffer {:.2}x + parse {:.2}x){}",
                    shape.name(),
                    after as f64 / 1e6,
                    after as f64 / size,
                    before as f64 / size,
                    after.saturating_sub(before) as f64 / size,
                    if which == "typed" {
                        "  (target total <= 2x)"
                    } else {
                        ""
                    },
                );
            }
        }
        let _ = std::fs::remove_file(path);
    }
}

fn min_opt(a: Option<Duration>, b: Option<Duration>) -> Option<Duration> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// A copy of `doc` in which every `every`-th passkey embeds the public key of the next passkey
/// (the key's last 65 bytes are the uncompressed point), and how many were changed.
fn with_mismatched_public_keys(doc: &cxf::Document, every: usize) -> (cxf::Document, usize) {
    let mut out = doc.clone();
    let keys: Vec<Vec<u8>> = passkeys(&mut out)
        .map(|p| p.key.decode().unwrap().to_vec())
        .collect();
    let mut changed = 0;
    for (i, p) in passkeys(&mut out).enumerate() {
        if i % every == every / 2 {
            let next = &keys[(i + 1) % keys.len()];
            let mut der = keys[i].clone();
            let n = der.len();
            der[n - 65..].copy_from_slice(&next[next.len() - 65..]);
            p.key = cxf::SecretB64::encode(&der);
            changed += 1;
        }
    }
    (out, changed)
}

fn passkeys(doc: &mut cxf::Document) -> impl Iterator<Item = &mut cxf::Passkey> {
    doc.accounts
        .iter_mut()
        .flat_map(|a| a.items.iter_mut())
        .flat_map(|i| i.credentials.iter_mut())
        .filter_map(|c| match c {
            cxf::Credential::Passkey(p) => Some(&mut **p),
            _ => None,
        })
}
