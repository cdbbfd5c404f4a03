//! `schemas/cxf-1.0.schema.json` stays in step with the model: a 2020-12 schema with an `$id`,
//! a description on every definition, and one `if`/`then` branch per credential type the model
//! knows.

use std::path::Path;

use serde_json::Value;

fn schema() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas/cxf-1.0.schema.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn schema_is_2020_12_with_an_id_and_described_definitions() {
    let s = schema();
    assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
    assert!(
        s["$id"]
            .as_str()
            .is_some_and(|id| id.ends_with("cxf-1.0.schema.json"))
    );
    let defs = s["$defs"].as_object().unwrap();
    for (name, def) in defs {
        assert!(
            def["description"].as_str().is_some_and(|d| !d.is_empty()),
            "$defs/{name} has no description"
        );
        if def["type"] == "object" {
            assert_eq!(
                def["additionalProperties"], true,
                "$defs/{name} must allow unknown members"
            );
        }
    }
}

#[test]
fn every_credential_type_has_a_branch() {
    let s = schema();
    let branches = s["$defs"]["Credential"]["allOf"].as_array().unwrap();
    let mut types: Vec<&str> = branches
        .iter()
        .map(|b| b["if"]["properties"]["type"]["const"].as_str().unwrap())
        .collect();
    types.sort_unstable();
    let mut model: Vec<&str> = cxf::CREDENTIAL_TYPES.to_vec();
    model.sort_unstable();
    assert_eq!(types, model);
    for t in types {
        let def = &s["$defs"][format!("credential-{t}")];
        assert_eq!(def["properties"]["type"]["const"], t);
    }
}

#[test]
fn b64url_and_version_constraints() {
    let s = schema();
    assert_eq!(s["$defs"]["b64url"]["pattern"], "^[A-Za-z0-9_-]*$");
    let version = &s["$defs"]["Version"]["properties"];
    for member in ["major", "minor"] {
        assert_eq!(version[member]["minimum"], 0);
        assert_eq!(version[member]["maximum"], 255);
    }
    assert_eq!(s["$defs"]["timestamp"]["minimum"], 0);
    // optional arrays must not be empty, required ones may be
    assert_eq!(s["$defs"]["Item"]["properties"]["tags"]["minItems"], 1);
    assert!(
        s["$defs"]["Item"]["properties"]["credentials"]
            .get("minItems")
            .is_none()
    );
}
