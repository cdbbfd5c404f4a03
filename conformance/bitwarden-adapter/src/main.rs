//! `bitwarden-adapter FILE`: the conformance adapter for Bitwarden's `credential-exchange-format`
//! 0.4.0 (the adapter protocol of `cxf conformance --adapter`).
//!
//! Reads FILE, deserialises it as a CXF `Header`, or, when that fails, as a bare `Account` (the
//! shape Apple's and Bitwarden's SDKs hand over, and that the crate's own tests read), and
//! prints the crate's `serde_json` serialisation of what it read, exiting 0. When neither
//! deserialises, it prints nothing on stdout (the crate's errors carry no JSON Pointer), the
//! errors on stderr, and exits 1. It adds no check and no normalisation of its own: the results
//! are the crate's.

use std::process::ExitCode;

use credential_exchange_format::{Account, Header};

fn main() -> ExitCode {
    let Some(path) = std::env::args_os().nth(1) else {
        eprintln!("usage: bitwarden-adapter FILE");
        return ExitCode::from(2);
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("cannot read {}: {e}", path.to_string_lossy());
            return ExitCode::from(2);
        }
    };
    let printed = match serde_json::from_slice::<Header>(&bytes) {
        Ok(header) => serde_json::to_string(&header),
        Err(header_err) => match serde_json::from_slice::<Account>(&bytes) {
            Ok(account) => serde_json::to_string(&account),
            Err(account_err) => {
                eprintln!("not a Header: {header_err}");
                eprintln!("not an Account: {account_err}");
                return ExitCode::from(1);
            }
        },
    };
    match printed {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cannot serialise: {e}");
            ExitCode::from(1)
        }
    }
}
