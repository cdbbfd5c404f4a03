//! CXP message fixtures found by fuzzing: each must round-trip (parse, write, parse gives the
//! same message; writing again gives the same bytes).

use cxp::messages::{ExportRequest, Message};

#[test]
fn unknown_member_numbers_round_trip_exactly() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/cxp/bug-extra-number-loses-precision.json"
    );
    let bytes = std::fs::read(path).expect("fixture");
    let first = ExportRequest::from_json(&bytes).expect("parses");
    let written = first.to_json_vec();
    let second = ExportRequest::from_json(&written).expect("re-parses");
    assert_eq!(second.to_json_vec(), written, "writing is idempotent");
    assert!(matches!(
        Message::from_json(&written),
        Ok(Message::Request(_))
    ));
    let value: serde_json::Value = serde_json::from_slice(&written).unwrap();
    let original: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(value["x"], original["x"], "the unknown number is kept");
}
