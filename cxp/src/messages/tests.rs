//! Message tests: every shape in the digest, round trips, key checks, limits.

use super::*;
use serde_json::json;

const REQUEST: &[u8] = include_bytes!("../testdata/cxp-request.json");
const RESPONSE: &[u8] = include_bytes!("../testdata/cxp-response.json");

fn value(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap()
}

fn req(v: Value) -> Result<ExportRequest> {
    ExportRequest::from_json(v.to_string().as_bytes())
}

#[test]
fn wd_20241003_example_request_round_trips_exactly() {
    let r = ExportRequest::from_json(REQUEST).unwrap();
    assert_eq!(r.version, Version::Integer(0));
    assert_eq!(r.hpke.len(), 2);
    assert_eq!(r.hpke[0].suite(), Some(Suite::X25519_AES256GCM));
    assert_eq!(r.hpke[1].suite(), Some(Suite::P256_AES256GCM));
    assert!(r.hpke[0].public_key().is_some() && r.hpke[1].public_key().is_some());
    assert_eq!(r.archive.as_deref(), Some(&["deflate".to_owned()][..]));
    assert_eq!(r.mode, Some(vec![ResponseMode::Direct]));
    assert_eq!(r.importer, Party::new("importer.example"));
    assert_eq!(r.credential_types.as_ref().unwrap().len(), 4);
    assert_eq!(r.known_extensions, Some(vec!["shared".to_owned()]));
    assert!(r.extra.is_empty());
    assert_eq!(value(&r.to_json_vec()), value(REQUEST));
    assert_eq!(&*r.binding_bytes(), REQUEST.trim_ascii());
    // Re-reading the canonical bytes gives an equal request.
    assert_eq!(ExportRequest::from_json(&r.to_json_vec()).unwrap(), r);
}

#[test]
fn wd_example_response_round_trips_exactly() {
    let r = ExportResponse::from_json(RESPONSE).unwrap();
    assert_eq!(r.version, Version::Integer(0));
    let hpke = r.hpke.as_ref().unwrap();
    assert_eq!(hpke.suite(), Some(Suite::X25519_AES256GCM));
    assert!(hpke.public_key().is_some());
    assert_eq!(r.archive.as_deref(), Some("deflate"));
    assert_eq!(r.exporter, Party::new("exporter.example"));
    assert_eq!(value(&r.to_json_vec()), value(RESPONSE));
}

#[test]
fn androidx_alpha_request_shape() {
    let r = req(json!({
        "version": {"major": 1, "minor": 0},
        "importerRpId": "com.example.importer",
        "importerDisplayName": "Example Importer",
        "mode": "direct",
        "hpke": [],
        "credentialTypes": ["basic-auth", "driver-license"]
    }))
    .unwrap();
    assert_eq!(r.version, Version::MajorMinor { major: 1, minor: 0 });
    assert_eq!(r.version.major(), 1);
    assert_eq!(r.importer.rp_id, "com.example.importer");
    assert_eq!(r.importer.display_name.as_deref(), Some("Example Importer"));
    assert!(r.hpke.is_empty());
    assert_eq!(
        r.credential_types,
        Some(vec!["basic-auth".to_owned(), "drivers-license".to_owned()])
    );
    // Canonical writer: `importer`, display name kept, version shape kept, CXF 1.0 type name.
    let out = value(&r.to_json_vec());
    assert_eq!(out["importer"], "com.example.importer");
    assert_eq!(out["importerDisplayName"], "Example Importer");
    assert!(out.get("importerRpId").is_none());
    assert_eq!(out["version"], json!({"major": 1, "minor": 0}));
    assert_eq!(out["credentialTypes"][1], "drivers-license");
}

#[test]
fn bitwarden_android_request_shape_with_mode_array_and_no_hpke() {
    let r = req(json!({
        "version": {"major": 0, "minor": 0},
        "importerRpId": "com.x8bit.bitwarden",
        "importerDisplayName": "Bitwarden",
        "mode": ["direct"]
    }))
    .unwrap();
    assert_eq!(r.mode, Some(vec![ResponseMode::Direct]));
    assert!(r.hpke.is_empty());
    let out = value(&r.to_json_vec());
    assert_eq!(out["mode"], "direct");
    assert_eq!(out["hpke"], json!([]));

    let many = req(json!({"version": 0, "importer": "i", "mode": ["direct", "indirect", "later"]}))
        .unwrap();
    assert_eq!(
        many.mode,
        Some(vec![
            ResponseMode::Direct,
            ResponseMode::Indirect,
            ResponseMode::Other("later".into())
        ])
    );
    assert_eq!(
        value(&many.to_json_vec())["mode"],
        json!(["direct", "indirect", "later"])
    );
}

#[test]
fn bitwarden_crate_shape_without_archive_or_mode() {
    let mut v = value(REQUEST);
    let o = v.as_object_mut().unwrap();
    o.remove("archive");
    o.remove("mode");
    let r = req(v.clone()).unwrap();
    assert_eq!((r.archive.as_ref(), r.mode.as_ref()), (None, None));
    assert_eq!(value(&r.to_json_vec()), v);
}

#[test]
fn unknown_members_survive_everywhere() {
    let mut v = value(REQUEST);
    v["futureMember"] = json!({"nested": [1, 2, 3]});
    v["hpke"][0]["futureParam"] = json!("x");
    v["hpke"][0]["key"]["kid"] = json!("key-1");
    v["hpke"][0]["key"]["use"] = json!("enc");
    let r = req(v.clone()).unwrap();
    assert_eq!(r.extra["futureMember"], json!({"nested": [1, 2, 3]}));
    assert_eq!(value(&r.to_json_vec()), v);

    let mut resp = value(RESPONSE);
    resp["signature"] = json!("later");
    let parsed = ExportResponse::from_json(resp.to_string().as_bytes()).unwrap();
    assert_eq!(value(&parsed.to_json_vec()), resp);
}

#[test]
fn unknown_key_types_and_modes_are_kept_not_validated() {
    let mut v = value(REQUEST);
    v["hpke"][1] = json!({"mode": "auth", "kem": 17, "kdf": 2, "aead": 2,
        "key": {"kty": "EC", "crv": "P-384", "x": "AA", "y": "AA"}});
    let r = req(v.clone()).unwrap();
    assert_eq!(r.hpke[1].mode, HpkeMode::Auth);
    assert!(matches!(r.hpke[1].key, Some(Jwk::Other(_))));
    assert_eq!(r.hpke[1].suite(), None);
    assert_eq!(value(&r.to_json_vec()), v);
}

#[test]
fn private_or_malformed_keys_are_refused_with_the_right_code() {
    let cases = [
        // A private member, even on an otherwise valid public key.
        ("d", json!("AAAA")),
        // Short x.
        ("x", json!("Q6i7zfBx6XOvKJVqFdQdTJ2hD_DJ1uqwdGU0fNAN9U")),
        // Not base64url.
        ("x", json!("Q6i7zfBx6XOvKJVqFdQdTJ2hD/DJ1uqwdGU0fNAN9Ug")),
    ];
    for (member, bad) in cases {
        let mut v = value(REQUEST);
        v["hpke"][0]["key"][member] = bad;
        let e = req(v).unwrap_err();
        assert_eq!(e.kind(), MessageErrorKind::KeyEncoding, "{member}");
        assert_eq!(e.pointer(), "/hpke/0/key");
        assert_eq!(e.error_code(), ErrorCode::IncorrectImporterKeyEncoding);
    }
    // An off-curve P-256 point.
    let mut v = value(REQUEST);
    v["hpke"][1]["key"]["y"] = json!("9514HQKrgDg6i_Ln4v9jzKx3yRvwOdzxlZ-yPgbM5Dd");
    assert_eq!(req(v).unwrap_err().kind(), MessageErrorKind::KeyEncoding);
    // `d` in an unknown key type is refused too.
    let mut v = value(REQUEST);
    v["hpke"][1]["key"] = json!({"kty": "EC", "crv": "P-384", "x": "AA", "y": "AA", "d": "AA"});
    assert_eq!(req(v).unwrap_err().kind(), MessageErrorKind::KeyEncoding);
    // An X25519 key under the P-256 KEM id.
    let mut v = value(REQUEST);
    v["hpke"][1]["key"] = v["hpke"][0]["key"].clone();
    assert_eq!(req(v).unwrap_err().kind(), MessageErrorKind::KeyEncoding);
}

#[test]
fn structural_errors_carry_pointers() {
    let mut v = value(REQUEST);
    v.as_object_mut().unwrap().remove("version");
    let e = req(v).unwrap_err();
    assert_eq!(
        (e.kind(), e.pointer()),
        (MessageErrorKind::MissingMember, "/version")
    );
    assert_eq!(e.error_code(), ErrorCode::InvalidJson);

    let mut v = value(REQUEST);
    v["hpke"][1]["kem"] = json!(70000);
    let e = req(v).unwrap_err();
    assert_eq!(
        (e.kind(), e.pointer()),
        (MessageErrorKind::InvalidValue, "/hpke/1/kem")
    );

    let mut v = value(REQUEST);
    v["hpke"][0]["aead"] = json!("2");
    assert_eq!(req(v).unwrap_err().pointer(), "/hpke/0/aead");

    let mut v = value(REQUEST);
    v.as_object_mut().unwrap().remove("importer");
    assert_eq!(req(v).unwrap_err().pointer(), "/importer");

    let mut v = value(REQUEST);
    v["importerRpId"] = json!("someone.else");
    assert_eq!(req(v).unwrap_err().kind(), MessageErrorKind::Conflict);

    assert_eq!(
        ExportRequest::from_json(b"[1]").unwrap_err().kind(),
        MessageErrorKind::Syntax
    );
    assert_eq!(
        ExportRequest::from_json(b"{").unwrap_err().kind(),
        MessageErrorKind::Syntax
    );
}

#[test]
fn limits_are_enforced() {
    let big = vec![b' '; MAX_REQUEST_BYTES + 1];
    assert_eq!(
        ExportRequest::from_json(&big).unwrap_err().kind(),
        MessageErrorKind::Limit
    );
    let mut v = value(REQUEST);
    let entry = v["hpke"][0].clone();
    v["hpke"] = Value::Array(vec![entry; MAX_HPKE_ENTRIES + 1]);
    assert_eq!(req(v).unwrap_err().kind(), MessageErrorKind::Limit);
    let mut v = value(REQUEST);
    v["importer"] = json!("a".repeat(MAX_STRING_BYTES + 1));
    assert_eq!(req(v).unwrap_err().kind(), MessageErrorKind::Limit);
    let mut v = value(REQUEST);
    v["credentialTypes"] = json!(vec!["note"; MAX_LIST_ITEMS + 1]);
    assert_eq!(req(v).unwrap_err().kind(), MessageErrorKind::Limit);
    let big_err = format!(
        r#"{{"version":0,"error":"{}"}}"#,
        "x".repeat(MAX_ERROR_BYTES)
    );
    assert_eq!(
        ErrorResponse::from_json(big_err.as_bytes())
            .unwrap_err()
            .kind(),
        MessageErrorKind::Limit
    );
}

#[test]
fn android_alpha_unencrypted_response_shape_reads() {
    let r = ExportResponse::from_json(
        json!({"version": {"major": 0, "minor": 0}, "exporterRpId": "com.example.exporter",
               "exporterDisplayName": "Example", "payload": "e30"})
        .to_string()
        .as_bytes(),
    )
    .unwrap();
    assert!(r.hpke.is_none());
    assert_eq!(r.exporter.display_name.as_deref(), Some("Example"));
    let out = value(&r.to_json_vec());
    assert_eq!(out["exporter"], "com.example.exporter");
}

#[test]
fn error_codes_are_kebab_case_on_the_wire() {
    let e = ErrorResponse::new(ErrorCode::IncompatibleHpkeParameters);
    assert_eq!(
        value(&e.to_json_vec()),
        json!({"version": 0, "error": "incompatible-hpke-parameters"})
    );
    for (wire, code) in [
        ("user-canceled", ErrorCode::UserCanceled),
        ("UserCanceled", ErrorCode::UserCanceled),
        ("missing-importer-key", ErrorCode::MissingImporterKey),
        (
            "incorrect-importer-key-encoding",
            ErrorCode::IncorrectImporterKeyEncoding,
        ),
        ("unsupported-version", ErrorCode::UnsupportedVersion),
        ("InvalidJson", ErrorCode::InvalidJson),
        ("forbidden-action", ErrorCode::ForbiddenAction),
        ("rate-limited", ErrorCode::Other("rate-limited".into())),
    ] {
        let parsed = ErrorResponse::from_json(
            json!({"version": 0, "error": wire, "detail": 1})
                .to_string()
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(parsed.error, code, "{wire}");
        let out = value(&parsed.to_json_vec());
        assert_eq!(
            out["error"],
            if wire == "UserCanceled" {
                "user-canceled"
            } else if wire == "InvalidJson" {
                "invalid-json"
            } else {
                wire
            }
        );
        assert_eq!(out["detail"], 1);
    }
}

#[test]
fn message_dispatch() {
    assert!(matches!(
        Message::from_json(REQUEST).unwrap(),
        Message::Request(_)
    ));
    assert!(matches!(
        Message::from_json(RESPONSE).unwrap(),
        Message::Response(_)
    ));
    assert!(matches!(
        Message::from_json(br#"{"version":0,"error":"user-canceled"}"#).unwrap(),
        Message::Error(ErrorResponse {
            error: ErrorCode::UserCanceled,
            ..
        })
    ));
}

#[test]
fn duplicate_member_names_are_refused_at_any_depth() {
    for text in [
        r#"{"version":0,"importer":"a","importer":"b","hpke":[]}"#,
        r#"{"version":0,"importer":"a","hpke":[{"mode":"base","kem":32,"kem":16,"kdf":1,"aead":2}]}"#,
        r#"{"version":0,"importer":"a","x":{"y":1,"y":2}}"#,
    ] {
        let e = ExportRequest::from_json(text.as_bytes()).unwrap_err();
        assert_eq!(e.kind(), MessageErrorKind::DuplicateMember, "{text}");
        assert_eq!(
            Message::from_json(text.as_bytes()).unwrap_err().kind(),
            MessageErrorKind::DuplicateMember
        );
    }
    // Numbers, nulls, nesting still read as before.
    let ok = ExportRequest::from_json(
        br#"{"version":0,"importer":"a","x":[null,true,-1,1.5,{"z":"w"}]}"#,
    )
    .unwrap();
    assert_eq!(ok.extra["x"], json!([null, true, -1, 1.5, {"z": "w"}]));
}

#[test]
fn truncated_or_damaged_messages_never_panic() {
    for bytes in [REQUEST, RESPONSE] {
        for len in 0..bytes.len() {
            let _ = Message::from_json(&bytes[..len]);
        }
        for i in (0..bytes.len()).step_by(3) {
            for v in [b'"', b'{', b'0', b'-', b'\\', 0xff] {
                let mut d = bytes.to_vec();
                d[i] = v;
                let _ = Message::from_json(&d);
            }
        }
    }
}
