//! Streamed conversion of large vaults: time against `serde_json::Value` parsing the same input
//! in the same run, and peak memory, each measured in a child process of its own.
//!
//! `cargo run --release -p cxf-bench --bin bench-stream [ITEMS...]` (default 100000 1000000);
//! `... --write-vault ITEMS FILE` writes the CXF vault alone (to profile one direction with
//! `--child to-bitwarden|to-cxf|to-chrome|value IN OUT`).
//!
//! Per size: the synthetic vault is written as CXF (generated a block of 10,000 items at a
//! time, ids made unique per block, so the parent never holds the vault), then, each in a
//! child: CXF -> Bitwarden JSON (the Bitwarden input of the next two), Bitwarden JSON -> CXF,
//! Bitwarden JSON -> chrome-csv, and the baseline: reading the file and parsing it into a
//! `serde_json::Value`. Children report their conversion time and peak RSS (`VmHWM`).
//! Targets (issue 17): peak RSS at most 64 MiB at every size; time at most 1.0x the Value
//! parse of the same input for Bitwarden JSON -> CXF, at most 1.5x for the other directions.
//! `cxf validate` of the CXF file (streamed) is held to the memory bound (its time, with every
//! passkey's P-256 key checked, is shown against the Value parse without a target).

use std::io::{BufWriter, Write};
use std::process::Command;
use std::time::Instant;

use cxf::formats::stream::{StreamOptions, convert_stream};
use cxf::formats::{Format, ReadOptions, WriteOptions};

const BLOCK: usize = 10_000;
const MIB: f64 = 1024.0 * 1024.0;

/// The canonical JSON of one item (from a one-item document: `..."items":[ITEM]}]}`).
fn item_json(item: &cxf::Item) -> Vec<u8> {
    let doc = cxf::Document {
        accounts: vec![cxf::Account {
            items: cxf::thin_vec![item.clone()],
            ..cxf::Account::default()
        }],
        ..cxf::Document::default()
    };
    let json = doc.to_json_vec();
    let at = json
        .windows(9)
        .rposition(|w| w == b"\"items\":[")
        .expect("items member")
        + 9;
    json[at..json.len() - 4].to_vec()
}

/// Writes a CXF document of `items` items to `path`, a block at a time.
fn write_vault(items: usize, path: &std::path::Path) -> std::io::Result<()> {
    let block = cxf_bench::vault(items.min(BLOCK));
    let head = &block.accounts[0];
    let mut out = BufWriter::new(std::fs::File::create(path)?);
    write!(
        out,
        "{{\"version\":{{\"major\":1,\"minor\":0}},\"exporterRpId\":\"{}\",\"exporterDisplayName\":\"{}\",\"timestamp\":{},\"accounts\":[{{\"id\":\"{}\",\"username\":\"{}\",\"email\":\"{}\",\"collections\":[],\"items\":[",
        block.exporter_rp_id,
        block.exporter_display_name,
        block.timestamp,
        head.id,
        head.username,
        head.email
    )?;
    let mut n = 0;
    'outer: for rep in 0u32.. {
        for item in &head.items {
            if n == items {
                break 'outer;
            }
            let mut item = item.clone();
            let mut id = rep.to_be_bytes().to_vec();
            id.extend(item.id.decode().expect("generated ids are base64url"));
            item.id = cxf::B64::encode(&id);
            if n > 0 {
                out.write_all(b",")?;
            }
            out.write_all(&item_json(&item))?;
            n += 1;
        }
    }
    out.write_all(b"]}]}\n")?;
    out.flush()
}

/// Child: one measured operation; prints `seconds peak_rss_bytes`.
fn child(mode: &str, input: &str, output: &str) {
    let start = Instant::now();
    match mode {
        "validate" => {
            let file = std::io::BufReader::new(std::fs::File::open(input).expect("open"));
            let (report, _) =
                cxf::validate::validate_stream(file, &cxf::Limits::default(), Some(1_793_491_200))
                    .expect("validate");
            assert!(report.is_valid(), "the synthetic vault is valid");
        }
        "value" => {
            let bytes = std::fs::read(input).expect("read");
            let v: serde_json::Value = serde_json::from_slice(&bytes).expect("parse");
            std::hint::black_box(&v);
        }
        _ => {
            let to = match mode {
                "to-bitwarden" => Format::BitwardenJson,
                "to-cxf" => Format::Cxf,
                _ => Format::ChromeCsv,
            };
            let file = std::fs::File::open(input).expect("open");
            let mut out =
                BufWriter::with_capacity(1 << 16, std::fs::File::create(output).expect("create"));
            let done = convert_stream(
                std::io::BufReader::new(file),
                None,
                to,
                &ReadOptions::default().with_timestamp(1_767_225_600),
                &WriteOptions::default(),
                // As `cxf convert` without --report: entries counted, not kept.
                &StreamOptions::default().without_keeping_loss(),
                &mut out,
                &mut |_| {},
            )
            .expect("convert");
            out.flush().expect("flush");
            assert!(
                done.streamed_input && done.streamed_output,
                "{mode}: not streamed"
            );
            std::hint::black_box(done.items);
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!("{secs} {}", cxf_bench::peak_rss().unwrap_or(0));
}

fn measure(
    mode: &str,
    input: &std::path::Path,
    output: &std::path::Path,
    runs: usize,
) -> (f64, u64) {
    let exe = std::env::current_exe().expect("own path");
    let mut best = (f64::MAX, 0u64);
    for _ in 0..runs {
        let out = Command::new(&exe)
            .args([
                "--child",
                mode,
                input.to_str().unwrap(),
                output.to_str().unwrap(),
            ])
            .output()
            .expect("run child");
        assert!(
            out.status.success(),
            "{mode}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        let mut it = text.split_whitespace();
        let secs: f64 = it.next().and_then(|v| v.parse().ok()).expect("seconds");
        let rss: u64 = it.next().and_then(|v| v.parse().ok()).expect("rss");
        if secs < best.0 {
            best.0 = secs;
        }
        best.1 = best.1.max(rss);
    }
    best
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--child") {
        child(&args[2], &args[3], &args[4]);
        return;
    }
    if args.get(1).map(String::as_str) == Some("--write-vault") {
        // For profiling: `bench-stream --write-vault ITEMS FILE` writes the CXF vault only.
        let items = args[2].parse().expect("ITEMS");
        write_vault(items, std::path::Path::new(&args[3])).expect("write the vault");
        return;
    }
    let sizes: Vec<usize> = if args.len() > 1 {
        args[1..].iter().filter_map(|a| a.parse().ok()).collect()
    } else {
        vec![100_000, 1_000_000]
    };
    let dir = std::env::temp_dir().join(format!("cxf-bench-stream-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "machine: {} cores, load average {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load.trim()
    );
    let mut failed = Vec::new();
    for items in sizes {
        let runs = if items > 200_000 { 1 } else { 3 };
        let cxf_path = dir.join("vault.cxf.json");
        let bw_path = dir.join("vault.bitwarden.json");
        let out_path = dir.join("out");
        write_vault(items, &cxf_path).expect("write the vault");
        let (to_bw, rss_to_bw) = measure("to-bitwarden", &cxf_path, &bw_path, runs);
        let (value_cxf, rss_value_cxf) = measure("value", &cxf_path, &out_path, runs);
        let (value_bw, rss_value_bw) = measure("value", &bw_path, &out_path, runs);
        let (to_cxf, rss_to_cxf) = measure("to-cxf", &bw_path, &out_path, runs);
        let (to_csv, rss_to_csv) = measure("to-chrome", &bw_path, &out_path, runs);
        let (validate, rss_validate) = measure("validate", &cxf_path, &out_path, runs);
        let size = |p: &std::path::Path| std::fs::metadata(p).map_or(0, |m| m.len()) as f64 / 1e6;
        println!(
            "{items} items: CXF {:.0} MB, Bitwarden JSON {:.0} MB; best of {runs}",
            size(&cxf_path),
            size(&bw_path)
        );
        println!(
            "  Value parse (read + serde_json::from_slice): Bitwarden {:.2} s ({:.0} MiB), CXF {:.2} s ({:.0} MiB)",
            value_bw,
            rss_value_bw as f64 / MIB,
            value_cxf,
            rss_value_cxf as f64 / MIB
        );
        for (name, secs, rss, baseline, target) in [
            (
                "bitwarden-json -> cxf       ",
                to_cxf,
                rss_to_cxf,
                value_bw,
                1.0,
            ),
            (
                "cxf -> bitwarden-json       ",
                to_bw,
                rss_to_bw,
                value_cxf,
                1.5,
            ),
            (
                "bitwarden-json -> chrome-csv",
                to_csv,
                rss_to_csv,
                value_bw,
                1.5,
            ),
            (
                "validate (streamed CXF)     ",
                validate,
                rss_validate,
                value_cxf,
                f64::INFINITY,
            ),
        ] {
            let ratio = secs / baseline;
            let mib = rss as f64 / MIB;
            let ok = ratio <= target && mib <= 64.0;
            let time_target = if target.is_finite() {
                format!("target <= {target}x")
            } else {
                "no time target".to_owned()
            };
            println!(
                "  {name} {secs:6.2} s = {ratio:.2}x the Value parse ({time_target}); peak RSS {mib:6.1} MiB (target <= 64) {}",
                if ok { "ok" } else { "MISSED" }
            );
            if !ok {
                failed.push(format!("{items} {}", name.trim()));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    if failed.is_empty() {
        println!("every target met");
    } else {
        println!("targets missed: {}", failed.join("; "));
    }
}
