#![doc = include_str!("../../../docs/validation-rules.md")]

mod b64;
mod ctx;
mod extensions;
mod fields;
mod formats;
mod ids;
mod keys;
mod others;
mod passkey;
mod report;
mod rules;
mod scope;
mod time;

pub use report::{Diagnostic, Report, Severity};
