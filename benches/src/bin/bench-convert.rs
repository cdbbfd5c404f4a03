//! Converting a Bitwarden JSON export of a synthetic vault to CXF and back, against parsing the
//! same Bitwarden file with `serde_json::Value`, in one run; plus the peak memory of each
//! direction in a child process.
//!
//! `cargo run --release -p cxf-bench --bin bench-convert [ITEMS]` (default 100000).

use std::hint::black_box;
use std::process::Command;
use std::time::Duration;

use cxf::formats::{self, Format, ReadOptions};

const RUNS: usize = 3;

fn best<T>(f: impl FnMut() -> T) -> Duration {
    cxf_bench::best_of(RUNS, f)
}

fn peak_rss() -> u64 {
    cxf_bench::peak_rss().unwrap_or(0)
}

fn to_cxf(bitwarden: &[u8]) -> Vec<u8> {
    let (doc, _) = formats::read(
        Format::BitwardenJson,
        bitwarden,
        &ReadOptions::default().with_timestamp(0),
    )
    .unwrap();
    formats::write(Format::Cxf, &doc).unwrap().0.to_vec()
}

fn to_bitwarden(cxf_bytes: &[u8]) -> Vec<u8> {
    let (doc, _) = formats::read(Format::Cxf, cxf_bytes, &ReadOptions::default()).unwrap();
    formats::write(Format::BitwardenJson, &doc)
        .unwrap()
        .0
        .to_vec()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--rss-child") {
        let bytes = std::fs::read(&args[3]).unwrap();
        let before = peak_rss();
        match args[2].as_str() {
            "to-cxf" => drop(black_box(to_cxf(&bytes))),
            "to-bitwarden" => drop(black_box(to_bitwarden(&bytes))),
            _ => drop(black_box(
                serde_json::from_slice::<serde_json::Value>(&bytes).unwrap(),
            )),
        }
        println!("{before} {}", peak_rss());
        return;
    }
    let items: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    eprintln!("generating a synthetic vault of {items} items...");
    let (bitwarden, _) = formats::write(Format::BitwardenJson, &cxf_bench::vault(items)).unwrap();
    let bitwarden = bitwarden.to_vec();
    let cxf_bytes = to_cxf(&bitwarden);
    let back = to_bitwarden(&cxf_bytes);
    let (doc_a, _) = formats::read(
        Format::BitwardenJson,
        &bitwarden,
        &ReadOptions::default().with_timestamp(0),
    )
    .unwrap();
    let (doc_b, _) = formats::read(
        Format::BitwardenJson,
        &back,
        &ReadOptions::default().with_timestamp(0),
    )
    .unwrap();
    assert_eq!(doc_a.accounts[0].items.len(), items);
    assert_eq!(
        formats::write(Format::Cxf, &doc_a).unwrap().0.len(),
        formats::write(Format::Cxf, &doc_b).unwrap().0.len(),
        "Bitwarden -> CXF -> Bitwarden keeps the vault"
    );

    let mb = bitwarden.len() as f64 / 1e6;
    let value = best(|| serde_json::from_slice::<serde_json::Value>(&bitwarden).unwrap());
    let forward = best(|| to_cxf(&bitwarden));
    let backward = best(|| to_bitwarden(&cxf_bytes));
    let ips = |d: Duration| items as f64 / d.as_secs_f64();
    println!(
        "Bitwarden JSON export: {items} items, {mb:.1} MB; CXF: {:.1} MB; best of {RUNS} runs",
        cxf_bytes.len() as f64 / 1e6
    );
    println!(
        "  serde_json::Value parse of the export: {:7.0} ms",
        value.as_secs_f64() * 1e3
    );
    println!(
        "  bitwarden-json -> cxf: {:7.0} ms  {:9.0} items/s  {:.2}x the Value parse",
        forward.as_secs_f64() * 1e3,
        ips(forward),
        forward.as_secs_f64() / value.as_secs_f64()
    );
    println!(
        "  cxf -> bitwarden-json: {:7.0} ms  {:9.0} items/s  {:.2}x the Value parse",
        backward.as_secs_f64() * 1e3,
        ips(backward),
        backward.as_secs_f64() / value.as_secs_f64()
    );

    let dir = std::env::temp_dir();
    let bw_path = dir.join(format!("cxf-bench-bw-{}.json", std::process::id()));
    let cxf_path = dir.join(format!("cxf-bench-cxf-{}.json", std::process::id()));
    std::fs::write(&bw_path, &bitwarden).unwrap();
    std::fs::write(&cxf_path, &cxf_bytes).unwrap();
    let exe = std::env::current_exe().unwrap();
    for (mode, path, size) in [
        ("value", &bw_path, bitwarden.len()),
        ("to-cxf", &bw_path, bitwarden.len()),
        ("to-bitwarden", &cxf_path, cxf_bytes.len()),
    ] {
        let out = Command::new(&exe)
            .args(["--rss-child", mode, path.to_str().unwrap()])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let mut n = text
            .split_whitespace()
            .filter_map(|v| v.parse::<u64>().ok());
        if let (Some(before), Some(after)) = (n.next(), n.next()) {
            println!(
                "  peak RSS {mode:13} {:7.1} MB = {:.2}x its input (input buffer {:.2}x + work {:.2}x)",
                after as f64 / 1e6,
                after as f64 / size as f64,
                before as f64 / size as f64,
                after.saturating_sub(before) as f64 / size as f64
            );
        }
    }
    let _ = std::fs::remove_file(&bw_path);
    let _ = std::fs::remove_file(&cxf_path);
}
