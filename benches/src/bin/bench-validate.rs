//! Validation cost against parsing, measured in one run on the same synthetic vault.
//!
//! `cargo run --release -p cxf-bench --bin bench-validate [ITEMS]` (default 20000). Prints the
//! best of 5 runs for parse and for `cxf::validate::validate_parsed`, the ratio, and the
//! diagnostics the synthetic vault gets (it should get none).

use std::hint::black_box;
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

fn main() {
    let items: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20_000);
    let doc = cxf_bench::vault(items);
    let bytes = doc.to_json_vec();
    let mut limits = cxf::Limits::default();
    limits.max_document_bytes = limits.max_document_bytes.max(bytes.len() + 1);
    let parsed = cxf::Document::parse(&bytes, &limits).expect("parse");
    let report = cxf::validate::validate_parsed(&parsed);

    let parse = best(|| cxf::Document::parse(&bytes, &limits).expect("parse"));
    let validate = best(|| cxf::validate::validate_parsed(&parsed));
    let mb = bytes.len() as f64 / 1e6;
    println!("vault: {items} items, {mb:.1} MB of JSON");
    println!(
        "parse:    {:>8.1} ms  ({:.0} MB/s)",
        parse.as_secs_f64() * 1e3,
        mb / parse.as_secs_f64()
    );
    println!(
        "validate: {:>8.1} ms  ({:.0} MB/s)",
        validate.as_secs_f64() * 1e3,
        mb / validate.as_secs_f64()
    );
    println!(
        "validate / parse = {:.2}",
        validate.as_secs_f64() / parse.as_secs_f64()
    );
    println!(
        "diagnostics on the synthetic vault: {}",
        report.diagnostics.len()
    );
    for d in report.diagnostics.iter().take(10) {
        println!("  {d}");
    }
}
