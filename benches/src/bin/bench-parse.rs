//! Parse and serialize throughput of the typed model against `serde_json::Value` on the same
//! bytes, measured in one run, plus peak memory of each parse in a child process.
//!
//! `cargo run --release -p cxf-bench --bin bench-parse [ITEMS]` (default 100000).

use std::hint::black_box;
use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 5;

fn best<T>(mut f: impl FnMut() -> T) -> Duration {
    (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            black_box(f());
            start.elapsed()
        })
        .min()
        .unwrap()
}

/// Peak resident memory of this process so far, in bytes (Linux `VmHWM`).
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
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
    eprintln!("generating a synthetic vault of {items} items...");
    let doc = cxf_bench::vault(items);
    let bytes = doc.to_json_vec();
    let mb = bytes.len() as f64 / 1e6;
    println!("document: {items} items, {:.1} MB compact JSON", mb);

    let value_parse = best(|| serde_json::from_slice::<serde_json::Value>(&bytes).unwrap());
    let typed_parse = best(|| cxf::Document::parse(&bytes, &cxf::Limits::default()).unwrap());
    let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let parsed = cxf::Document::parse(&bytes, &cxf::Limits::default()).unwrap();
    assert_eq!(parsed.document, doc, "parse(serialize(doc)) == doc");
    let value_ser = best(|| serde_json::to_vec(&value).unwrap());
    let typed_ser = best(|| parsed.document.to_json_vec());

    let rate = |d: Duration| mb / d.as_secs_f64();
    println!("best of {RUNS} runs:");
    println!(
        "  parse      cxf {:8.1} MB/s   serde_json::Value {:8.1} MB/s   ratio {:.2}x (target >= 1.5x)",
        rate(typed_parse),
        rate(value_parse),
        value_parse.as_secs_f64() / typed_parse.as_secs_f64()
    );
    println!(
        "  serialize  cxf {:8.1} MB/s   serde_json::Value {:8.1} MB/s   ratio {:.2}x (target >= 1.0x)",
        rate(typed_ser),
        rate(value_ser),
        value_ser.as_secs_f64() / typed_ser.as_secs_f64()
    );

    let path = std::env::temp_dir().join(format!("cxf-bench-{}.json", std::process::id()));
    std::fs::write(&path, &bytes).expect("write bench file");
    let exe = std::env::current_exe().unwrap();
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
            let size = bytes.len() as f64;
            println!(
                "  peak RSS   {which:5}: {:.1} MB total = {:.2}x document (input buffer {:.2}x + parse {:.2}x){}",
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
    let _ = std::fs::remove_file(&path);
}
