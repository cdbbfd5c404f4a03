//! The `cxf` command line tool.
fn main() {}
