//! The live transfer of a synthetic vault end to end (two endpoints on the local secure channel,
//! pairing included) against the same work in one process without the channel: parse, seal,
//! open, parse. Target: the channel adds at most 25%.
//!
//! `cargo run --release -p cxf-bench --bin bench-transfer [ITEMS]` (default 100000).

use std::time::Duration;

use cxp::channel::{ConnectOptions, Listener, ListenerOptions, connect};
use cxp::roles::{Exporter, Importer, ImporterConfig};

const RUNS: usize = 3;

fn in_process(bytes: &[u8]) -> usize {
    let limits = cxf::Limits::default();
    let doc = cxf::Document::parse(bytes, &limits).unwrap().document;
    let (pending, request) = Importer::new(ImporterConfig::new("importer.example"));
    let response = Exporter::new("exporter.example")
        .respond_document(&request, &doc)
        .unwrap();
    let parsed = pending.open_document(&response, &limits).unwrap();
    parsed.document.accounts[0].items.len()
}

fn over_channel(bytes: &[u8], runtime: &std::path::Path) -> usize {
    let limits = cxf::Limits::default();
    let mut options = ListenerOptions::default();
    options.runtime_dir = Some(runtime.to_path_buf());
    let listener = Listener::bind(options).unwrap();
    let address = listener.address().clone();
    let code = listener.pairing_code().expose().parse().unwrap();
    std::thread::scope(|s| {
        let sender = s.spawn(move || {
            let doc = cxf::Document::parse(bytes, &cxf::Limits::default())
                .unwrap()
                .document;
            let mut channel = connect(Some(&address), &code, &ConnectOptions::default()).unwrap();
            let request =
                cxp::messages::ExportRequest::from_json(&channel.recv().unwrap()).unwrap();
            let response = Exporter::new("exporter.example")
                .respond_document(&request, &doc)
                .unwrap();
            channel.send(&response.to_json_vec()).unwrap();
        });
        let mut channel = listener.accept().unwrap();
        let (pending, _) = Importer::new(ImporterConfig::new("importer.example"));
        channel.send(pending.request_bytes()).unwrap();
        let received = channel.recv().unwrap();
        let response = cxp::messages::ExportResponse::from_json(&received).unwrap();
        let parsed = pending.open_document(&response, &limits).unwrap();
        sender.join().unwrap();
        parsed.document.accounts[0].items.len()
    })
}

fn best(mut f: impl FnMut() -> usize, items: usize) -> Duration {
    cxf_bench::best_of(RUNS, || assert_eq!(f(), items))
}

fn main() {
    let items: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    eprintln!("generating a synthetic vault of {items} items...");
    let bytes = cxf_bench::vault(items).to_json_vec();
    let runtime = std::env::temp_dir().join(format!("cxf-bench-transfer-{}", std::process::id()));
    std::fs::create_dir_all(&runtime).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    let base = best(|| in_process(&bytes), items);
    let chan = best(|| over_channel(&bytes, &runtime), items);
    let _ = std::fs::remove_dir_all(&runtime);
    println!(
        "vault: {items} items, {:.1} MB; best of {RUNS} runs",
        bytes.len() as f64 / 1e6
    );
    println!(
        "  in one process (parse + seal + open + parse): {:7.0} ms",
        base.as_secs_f64() * 1e3
    );
    println!(
        "  live transfer over the channel, pairing incl.: {:7.0} ms",
        chan.as_secs_f64() * 1e3
    );
    println!(
        "  the channel adds {:+.1}% (target <= +25%)",
        (chan.as_secs_f64() / base.as_secs_f64() - 1.0) * 100.0
    );
}
