//! Peak memory of opening a large export response the way `cxf open` does (read the response
//! and key files, decrypt, parse, write canonical CXF), against the size of the CXF payload.
//! Target: peak RSS at most 2x the payload. Each profile is measured in its own child process
//! (`--rss-child`), so one measurement's peak does not hide another's.
//!
//! `cargo run --release -p cxf-bench --bin bench-open [MIB]` (default 64: a synthetic vault of
//! about 64 MiB of compact CXF JSON). `bench-open --write-vault FILE [MIB]` only writes that
//! vault, to measure the CLI itself: `cxf request`, `cxf respond --input FILE`, then
//! `/usr/bin/time -f "%e s %M KB" cxf open ...`.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use cxf::envelope::Profile;
use cxp::messages::{ExportResponse, Message};
use cxp::roles::{Exporter, Importer, ImporterConfig, PendingImport};

/// Child mode: open `response` with `key` as `cxf open` does, write the CXF to `out`, print the
/// peak RSS in bytes and the CXF size.
fn rss_child(response: &Path, key: &Path, out: &Path) {
    let start = Instant::now();
    let response = {
        let bytes = std::fs::read(response).expect("read response");
        match Message::from_json(&bytes).expect("a CXP message") {
            Message::Response(r) => r,
            _ => panic!("not a response"),
        }
    };
    let pending =
        PendingImport::from_key_file(&std::fs::read(key).expect("read key")).expect("a key file");
    let exporter = response.exporter.rp_id.clone();
    let parsed = pending
        .open_document_owned(response, &cxf::Limits::default())
        .expect("open");
    let json = parsed.document.to_json_vec();
    let summary = cxf::Summary::of(&parsed.document);
    drop(parsed);
    std::fs::write(out, &json).expect("write CXF");
    std::hint::black_box(&summary);
    std::hint::black_box(&exporter);
    println!(
        "{} {} {}",
        cxf_bench::peak_rss().unwrap_or(0),
        json.len(),
        start.elapsed().as_millis()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--rss-child") {
        rss_child(args[2].as_ref(), args[3].as_ref(), args[4].as_ref());
        return;
    }
    let write_to = (args.get(1).map(String::as_str) == Some("--write-vault")).then(|| &args[2]);
    let mib: usize = args
        .get(if write_to.is_some() { 3 } else { 1 })
        .and_then(|a| a.parse().ok())
        .unwrap_or(64);
    let per_item = cxf_bench::vault(1000).to_json_vec().len() as f64 / 1000.0;
    let items = ((mib << 20) as f64 / per_item) as usize;
    eprintln!("generating a synthetic vault of {items} items...");
    let payload = cxf_bench::vault(items).to_json_vec();
    if let Some(path) = write_to {
        std::fs::write(path, &payload).expect("write the vault");
        println!("{path}: {items} items, {} bytes", payload.len());
        return;
    }
    let size = payload.len() as f64;
    println!(
        "payload: {items} items, {:.1} MiB ({:.1} MB) compact CXF JSON",
        size / (1 << 20) as f64,
        size / 1e6
    );
    let dir = std::env::temp_dir().join(format!("cxf-bench-open-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let exe = std::env::current_exe().unwrap();
    // Raw DEFLATE is tried after the default profile: its open is the one that used to copy.
    for profile in [
        Profile::ToolkitV1,
        Profile::RawDeflate,
        Profile::Bitwarden2024,
    ] {
        let (pending, request) = Importer::new(ImporterConfig::new("importer.example"));
        let response: ExportResponse = Exporter::new("exporter.example")
            .with_profile(profile)
            .respond(&request, &payload)
            .expect("respond");
        let response_path = dir.join("response.json");
        let key_path = dir.join("importer.key");
        let out_path = dir.join("export.cxf.json");
        let response_bytes = response.to_json_vec();
        std::fs::write(&response_path, &response_bytes).unwrap();
        std::fs::write(&key_path, pending.to_key_file()).unwrap();
        drop(response);
        let out = Command::new(&exe)
            .arg("--rss-child")
            .args([&response_path, &key_path, &out_path])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let nums: Vec<u64> = text
            .split_whitespace()
            .filter_map(|n| n.parse().ok())
            .collect();
        match nums[..] {
            [peak, written, ms] => {
                assert_eq!(written as usize, payload.len(), "the CXF written back");
                println!(
                    "  {:15} response {:6.1} MB   peak RSS {:6.1} MB = {:.2}x payload (target <= 2x)   {ms} ms",
                    profile.name(),
                    response_bytes.len() as f64 / 1e6,
                    peak as f64 / 1e6,
                    peak as f64 / size
                );
            }
            _ => println!(
                "  {:15} child failed: {}",
                profile.name(),
                String::from_utf8_lossy(&out.stderr)
            ),
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
