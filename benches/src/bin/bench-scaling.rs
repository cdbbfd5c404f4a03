//! Does parse time grow linearly with the input? For each input shape, parses a document of
//! size N and one of size 4N and prints the time ratio: about 4 is linear, about 16 quadratic.
//! The baseline (many items) is measured in the same run.
//!
//! `cargo run --release -p cxf-bench --bin bench-scaling [N]` (default 5000).
//!
//! Shapes: many items (baseline); many unknown members on one object (the Header); many
//! `urls` in one 2024-draft basic-auth credential (moved to the item's scope). A parser that
//! is quadratic in one of them can be made to hang by a small hostile file (issue 7).

use std::hint::black_box;
use std::time::{Duration, Instant};

const RUNS: usize = 3;

fn best(doc: &[u8]) -> Duration {
    (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            let parsed = cxf::Document::parse(doc, &cxf::Limits::default()).expect("parse");
            black_box(&parsed);
            start.elapsed()
        })
        .min()
        .unwrap()
}

const HEAD: &str = r#"{"version":{"major":1,"minor":0},"exporterRpId":"s.example","exporterDisplayName":"S","timestamp":0"#;

fn items(n: usize) -> Vec<u8> {
    let items: Vec<String> = (0..n)
        .map(|i| format!(r#"{{"id":"aXRlbS{i:07}","title":"t{i}","credentials":[]}}"#))
        .collect();
    format!(
        r#"{HEAD},"accounts":[{{"id":"QQ","username":"","email":"","collections":[],"items":[{}]}}]}}"#,
        items.join(",")
    )
    .into_bytes()
}

fn unknown_members(n: usize) -> Vec<u8> {
    let members: String = (0..n).map(|i| format!(r#","x{i}":{i}"#)).collect();
    format!(r#"{HEAD},"accounts":[]{members}}}"#).into_bytes()
}

fn basic_auth_urls(n: usize) -> Vec<u8> {
    let urls: Vec<String> = (0..n)
        .map(|i| format!(r#""https://s{i}.example/""#))
        .collect();
    format!(
        r#"{HEAD},"accounts":[{{"id":"QQ","username":"","email":"","collections":[],"items":[{{"id":"MQ","title":"t","credentials":[{{"type":"basic-auth","urls":[{}]}}]}}]}}]}}"#,
        urls.join(",")
    )
    .into_bytes()
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(5000);
    println!("parse time for N = {n} and 4N (best of {RUNS}); ratio ~4 linear, ~16 quadratic");
    let mut baseline = 0.0;
    for (name, build) in [
        ("items (baseline)", items as fn(usize) -> Vec<u8>),
        ("unknown members on one object", unknown_members),
        ("basic-auth urls (2024 draft)", basic_auth_urls),
    ] {
        let (small, large) = (build(n), build(4 * n));
        let (a, b) = (best(&small), best(&large));
        let ratio = b.as_secs_f64() / a.as_secs_f64();
        if baseline == 0.0 {
            baseline = ratio;
        }
        println!(
            "  {name:32} {:>9} B {:>10.2?}   {:>9} B {:>10.2?}   ratio {ratio:5.1}  ({:.1}x the baseline's)",
            small.len(),
            a,
            large.len(),
            b,
            ratio / baseline
        );
    }
}
