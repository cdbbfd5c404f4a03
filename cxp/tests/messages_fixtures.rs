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

/// The message shapes corpus, `fixtures/cxp/messages/` (see `fixtures/cxp/README.md`):
/// `valid/` is written back unchanged, `quirks/NAME.json` is written as `NAME.canonical.json`,
/// `invalid/NAME.json` is refused with the kind and pointer of `NAME.expect.json`.
mod shapes {
    use std::path::{Path, PathBuf};

    use cxp::messages::Message;
    use serde_json::Value;

    fn dir(sub: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../fixtures/cxp/messages")
            .join(sub)
    }

    /// The case files of `sub` (not sidecars), sorted.
    fn cases(sub: &str) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir(sub))
            .expect("fixtures/cxp/messages")
            .map(|e| e.unwrap().path())
            .filter(|p| {
                let name = p.file_name().unwrap().to_str().unwrap();
                name.ends_with(".json")
                    && !name.ends_with(".expect.json")
                    && !name.ends_with(".canonical.json")
            })
            .collect();
        files.sort();
        assert!(files.len() >= 5, "{sub}: {files:?}");
        files
    }

    fn sidecar(case: &Path, suffix: &str) -> Value {
        let stem = case.file_stem().unwrap().to_str().unwrap();
        let path = case.with_file_name(format!("{stem}.{suffix}"));
        serde_json::from_slice(&std::fs::read(&path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// The canonical writer's bytes of any message.
    fn write(message: Message) -> Vec<u8> {
        match message {
            Message::Request(m) => m.to_json_vec(),
            Message::Response(m) => m.to_json_vec(),
            Message::Error(m) => m.to_json_vec(),
        }
    }

    /// Reads any message and writes it with the canonical writer.
    fn round_trip(bytes: &[u8]) -> Result<Value, String> {
        let written = write(Message::from_json(bytes).map_err(|e| e.to_string())?);
        // Writing is idempotent: what we wrote reads back to the same bytes.
        let again = write(Message::from_json(&written).map_err(|e| e.to_string())?);
        if again != written {
            return Err("writing is not idempotent".into());
        }
        serde_json::from_slice(&written).map_err(|e| e.to_string())
    }

    fn check_all(sub: &str, check: impl Fn(&Path, &[u8]) -> Result<(), String>) {
        let failures: Vec<String> = cases(sub)
            .iter()
            .filter_map(|p| {
                check(p, &std::fs::read(p).unwrap())
                    .err()
                    .map(|e| format!("{}: {e}", p.display()))
            })
            .collect();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn valid_shapes_are_written_back_unchanged() {
        check_all("valid", |_, bytes| {
            let input: Value = serde_json::from_slice(bytes).unwrap();
            let out = round_trip(bytes)?;
            (out == input)
                .then_some(())
                .ok_or_else(|| format!("written as {out}"))
        });
    }

    #[test]
    fn quirk_shapes_are_written_canonically() {
        check_all("quirks", |path, bytes| {
            let want = sidecar(path, "canonical.json");
            let out = round_trip(bytes)?;
            if out != want {
                return Err(format!("written as {out}"));
            }
            // The canonical form is itself a valid shape.
            let again = round_trip(&serde_json::to_vec(&want).unwrap())?;
            (again == want)
                .then_some(())
                .ok_or_else(|| "the canonical form is not stable".to_owned())
        });
    }

    #[test]
    fn invalid_shapes_are_refused_with_kind_and_pointer() {
        check_all("invalid", |path, bytes| {
            let want = sidecar(path, "expect.json");
            let e = match Message::from_json(bytes) {
                Ok(_) => return Err("accepted".into()),
                Err(e) => e,
            };
            let got = (e.kind().code(), e.pointer());
            let want = (
                want["error"]["kind"].as_str().unwrap(),
                want["error"]["pointer"].as_str().unwrap(),
            );
            (got == want)
                .then_some(())
                .ok_or_else(|| format!("refused with {got:?}, expected {want:?} ({e})"))
        });
    }
}
