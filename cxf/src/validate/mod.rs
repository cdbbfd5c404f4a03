#![doc = include_str!("../../../docs/validation-rules.md")]

mod b64;
mod formats;
mod keys;
mod report;

pub use report::{Diagnostic, Report, Severity};
