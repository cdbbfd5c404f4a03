//! Parse and validate CXF files, printing one diagnostic per line.
//!
//! `cargo run -p cxf --example validate -- FILE...`

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut failed = false;
    for path in std::env::args().skip(1) {
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{path}: {e}");
                return ExitCode::from(2);
            }
        };
        match cxf::Document::parse(&bytes, &cxf::Limits::default()) {
            Err(e) => {
                println!("{path}: parse error: {e}");
                failed = true;
            }
            Ok(parsed) => {
                let report = cxf::validate::validate_parsed(&parsed);
                println!(
                    "{path}: {} errors, {} warnings, {} info",
                    report.count(cxf::Severity::Error),
                    report.count(cxf::Severity::Warning),
                    report.count(cxf::Severity::Info)
                );
                for d in &report.diagnostics {
                    println!("  {d}");
                }
                failed |= !report.is_valid();
            }
        }
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
