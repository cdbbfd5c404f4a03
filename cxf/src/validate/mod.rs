#![doc = include_str!("../../../docs/validation-rules.md")]

mod b64;
mod ctx;
mod fields;
mod formats;
mod keys;
mod others;
mod passkey;
mod report;
mod rules;

pub use report::{Diagnostic, Report, Severity};
