//! `--from generic-csv --columns ROLE=COLUMN,...`: any CSV read with a column map. The map is
//! an argument, so a missing or wrong map is a usage error (exit 2) that says how to write one
//! and lists the file's columns; the columns the map does not name are reported as not carried.

use std::path::PathBuf;
use std::process::Output;

use cxf_workspace_tests::{fixtures_dir, run, stderr, stdout};
use serde_json::Value;

fn cxf(args: &[&str]) -> Output {
    run(env!("CARGO_BIN_EXE_cxf"), args)
}

fn fixture() -> PathBuf {
    fixtures_dir().join("formats/generic-csv/mapped-columns.csv")
}

const MAP: &str = "title=Name,username=Login,password=Pass,url=Site,url=Alt Site,notes=Comment,totp=OTP,folder=Group,tags=Labels,created=Made,modified=Changed";

fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

#[test]
fn convert_with_a_column_map_reports_the_unmapped_columns() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.json");
    let report = dir.path().join("report.json");
    let input = fixture();
    let o = cxf(&[
        "convert",
        input.to_str().unwrap(),
        "--from",
        "generic-csv",
        "--columns",
        MAP,
        "--to",
        "cxf",
        "-o",
        out.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ]);
    let err = stderr(&o);
    assert_eq!(code(&o), 0, "{err}");
    assert!(err.contains("Colour"), "{err}");
    assert!(err.contains("converted 4 items"), "{err}");
    for value in ["blue", "green", "hunter2", "JBSWY3DPEHPK3PXP"] {
        assert!(!err.contains(value), "{value} in {err}");
    }
    let doc: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let items = doc["accounts"][0]["items"].as_array().unwrap();
    assert_eq!(items.len(), 4);
    assert_eq!(items[0]["title"], "Mail");
    assert_eq!(
        items[0]["scope"]["urls"][1],
        "https://webmail.example.test/"
    );
    let report: Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(report["from"], "generic-csv");
    let lost: Vec<&str> = report["lost"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["what"].as_str())
        .collect();
    assert!(lost.contains(&"Colour"), "{lost:?}");

    // inspect goes through the same reader.
    let o = cxf(&[
        "inspect",
        input.to_str().unwrap(),
        "--from",
        "generic-csv",
        "--columns",
        MAP,
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).contains("CSV with a column map"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_missing_or_wrong_map_is_a_usage_error_that_shows_the_columns() {
    let input = fixture();
    let input = input.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.json");
    let out = out.to_str().unwrap();

    let o = cxf(&[
        "convert",
        input,
        "--from",
        "generic-csv",
        "--to",
        "cxf",
        "-o",
        out,
    ]);
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "{err}");
    assert!(err.contains("--from generic-csv needs --columns"), "{err}");
    assert!(
        err.contains("roles: title, username, password, url"),
        "{err}"
    );
    assert!(
        err.contains("Name, Login, Pass, Site, Alt Site, Comment, OTP, Group, Labels, Made, Changed, Colour, Spare"),
        "{err}"
    );

    let o = cxf(&["convert", input, "--columns", MAP, "--to", "cxf", "-o", out]);
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "{err}");
    assert!(
        err.contains("--columns maps the columns of --from generic-csv"),
        "{err}"
    );
    let o = cxf(&[
        "convert",
        input,
        "--from",
        "chrome-csv",
        "--columns",
        MAP,
        "--to",
        "cxf",
        "-o",
        out,
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));

    let o = cxf(&[
        "convert",
        input,
        "--from",
        "generic-csv",
        "--columns",
        "title=Name,login=Login",
        "--to",
        "cxf",
        "-o",
        out,
    ]);
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "{err}");
    assert!(
        err.contains("--columns: unknown role \"login\"; roles: title, username"),
        "{err}"
    );

    let o = cxf(&[
        "convert",
        input,
        "--from",
        "generic-csv",
        "--columns",
        "title=Name,password=Passwort",
        "--to",
        "cxf",
        "-o",
        out,
    ]);
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "{err}");
    assert!(
        err.contains("the header has no column for password=Passwort; the file's columns are \"Name\", \"Login\""),
        "{err}"
    );
    assert!(!std::path::Path::new(out).exists(), "nothing written");

    // Without --from, the file is never taken for generic-csv, but the hint names it.
    let o = cxf(&["convert", input, "--to", "cxf", "-o", out]);
    let err = stderr(&o);
    assert_eq!(code(&o), 1, "{err}");
    assert!(err.contains("was not recognised"), "{err}");
    assert!(
        err.contains("any other CSV can be read with --from generic-csv --columns"),
        "{err}"
    );
}

#[test]
fn help_and_formats_name_generic_csv() {
    let o = cxf(&["convert", "--help"]);
    let help = stdout(&o);
    assert!(
        help.contains("--columns 'title=Name,username=Login"),
        "{help}"
    );
    let o = cxf(&["formats"]);
    assert!(stdout(&o).contains("generic-csv"), "{}", stdout(&o));
}
