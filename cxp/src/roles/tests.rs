//! Role tests: end to end, negotiation, replay, downgrade, key files, re-encryption.

use super::*;
use crate::messages::MessageErrorKind;
use cxf::envelope::Kem;
use serde_json::json;
use sha2::{Digest as _, Sha256};

const CXF: &[u8] = br#"{"version":{"major":1,"minor":0},"exporterRpId":"e.example","exporterDisplayName":"E","timestamp":1,"accounts":[]}"#;

fn wire(request: &ExportRequest) -> ExportRequest {
    ExportRequest::from_json(&request.binding_bytes()).unwrap()
}

#[test]
fn end_to_end_with_every_profile_and_kem() {
    for suites in [
        vec![Suite::X25519_AES256GCM],
        vec![Suite::P256_AES256GCM],
        Suite::OFFERED.to_vec(),
    ] {
        for profile in Profile::ALL {
            let mut config = ImporterConfig::new("importer.example");
            config.suites = suites.clone();
            let (pending, request) = Importer::new(config);
            let exporter = Exporter::new("exporter.example").with_profile(profile);
            let response = exporter.respond(&wire(&request), CXF).unwrap();
            assert_eq!(response.hpke.as_ref().unwrap().suite(), Some(suites[0]));
            // The response survives serialization.
            let response = ExportResponse::from_json(&response.to_json_vec()).unwrap();
            assert_eq!(&pending.open(&response).unwrap()[..], CXF, "{profile}");
        }
    }
}

#[test]
fn exporter_picks_the_first_supported_suite_in_the_importers_order() {
    let (_pending, request) = Importer::new(ImporterConfig::new("i"));
    let mut v: Value = serde_json::from_slice(&request.binding_bytes()).unwrap();
    let x25519 = v["hpke"][0].clone();
    let p256 = v["hpke"][1].clone();
    let unsupported = json!({"mode": "base", "kem": 17, "kdf": 2, "aead": 2});
    let psk = json!({"mode": "psk", "kem": 32, "kdf": 1, "aead": 2, "key": x25519["key"].clone()});
    v["hpke"] = json!([unsupported, psk, p256, x25519]);
    let req = ExportRequest::from_json(v.to_string().as_bytes()).unwrap();
    let recipient = Exporter::negotiate(&req).unwrap();
    assert_eq!(recipient.suite(), Suite::P256_AES256GCM);
}

#[test]
fn negotiation_failures_give_the_cxp_error_codes() {
    let (_p, request) = Importer::new(ImporterConfig::new("i"));
    let base: Value = serde_json::from_slice(&request.binding_bytes()).unwrap();
    let with = |f: &dyn Fn(&mut Value)| {
        let mut v = base.clone();
        f(&mut v);
        let req = ExportRequest::from_json(v.to_string().as_bytes()).unwrap();
        Exporter::new("e").respond(&req, CXF).unwrap_err()
    };
    let e = with(&|v| v["hpke"] = json!([{"mode": "base", "kem": 32, "kdf": 1, "aead": 65535}]));
    assert_eq!(e.error, ErrorCode::IncompatibleHpkeParameters);
    assert_eq!(
        serde_json::from_slice::<Value>(&e.to_json_vec()).unwrap(),
        json!({"version": 0, "error": "incompatible-hpke-parameters"})
    );
    let e = with(&|v| v["hpke"] = json!([]));
    assert_eq!(e.error, ErrorCode::IncompatibleHpkeParameters);
    let e = with(&|v| {
        v["hpke"][0].as_object_mut().unwrap().remove("key");
    });
    assert_eq!(e.error, ErrorCode::MissingImporterKey);
    let e =
        with(&|v| v["hpke"][0]["key"] = json!({"kty": "EC", "crv": "P-384", "x": "AA", "y": "AA"}));
    assert_eq!(e.error, ErrorCode::IncorrectImporterKeyEncoding);
    let e = with(&|v| v["version"] = json!(1));
    assert_eq!(e.error, ErrorCode::UnsupportedVersion);
    // A bad key is already refused when reading, with the code to send.
    let mut v = base.clone();
    v["hpke"][0]["key"]["d"] = json!("AAAA");
    let err = ExportRequest::from_json(v.to_string().as_bytes()).unwrap_err();
    assert_eq!(err.kind(), MessageErrorKind::KeyEncoding);
    assert_eq!(err.error_code(), ErrorCode::IncorrectImporterKeyEncoding);
}

#[test]
fn a_response_replayed_to_another_pending_import_fails() {
    let (pending_a, request_a) = Importer::new(ImporterConfig::new("i"));
    let (pending_b, _request_b) = Importer::new(ImporterConfig::new("i"));
    for profile in Profile::ALL {
        let response = Exporter::new("e")
            .with_profile(profile)
            .respond(&wire(&request_a), CXF)
            .unwrap();
        let (pending_c, _) = Importer::new(ImporterConfig::new("i"));
        assert_eq!(
            pending_c.open(&response),
            Err(ImportError::DecryptionFailed),
            "{profile}"
        );
    }
    let response = Exporter::new("e").respond(&wire(&request_a), CXF).unwrap();
    assert_eq!(
        pending_b.open(&response),
        Err(ImportError::DecryptionFailed)
    );
    assert!(pending_a.open(&response).is_ok());
}

#[test]
fn a_request_stripped_of_its_first_suite_in_transit_does_not_open() {
    let (pending, request) = Importer::new(ImporterConfig::new("i"));
    let mut v: Value = serde_json::from_slice(&request.binding_bytes()).unwrap();
    v["hpke"].as_array_mut().unwrap().remove(0);
    let tampered = ExportRequest::from_json(v.to_string().as_bytes()).unwrap();
    let response = Exporter::new("e").respond(&tampered, CXF).unwrap();
    assert_eq!(
        response.hpke.as_ref().unwrap().suite(),
        Some(Suite::P256_AES256GCM)
    );
    // Default profile: bound to the exact request bytes, so the downgrade is caught.
    assert_eq!(pending.open(&response), Err(ImportError::DecryptionFailed));
}

#[test]
fn responses_outside_the_offer_or_unencrypted_are_refused() {
    let mut config = ImporterConfig::new("i");
    config.suites = vec![Suite::X25519_AES256GCM];
    let (pending, request) = Importer::new(config);
    let response = Exporter::new("e").respond(&wire(&request), CXF).unwrap();

    let mut other_aead = response.clone();
    other_aead.hpke.as_mut().unwrap().aead = 1;
    let (p2, _) = Importer::new(ImporterConfig::new("i"));
    assert_eq!(p2.open(&other_aead), Err(ImportError::SuiteNotOffered));

    let mut p256 = response.clone();
    p256.hpke.as_mut().unwrap().kem = 16;
    assert!(matches!(
        PendingImport::from_key_file(&pending.to_key_file())
            .unwrap()
            .open(&p256),
        Err(ImportError::SuiteNotOffered)
    ));

    let mut plain = response.clone();
    plain.hpke = None;
    let (p3, _) = Importer::new(ImporterConfig::new("i"));
    assert_eq!(p3.open(&plain), Err(ImportError::Unencrypted));

    let mut no_enc = response.clone();
    no_enc.hpke.as_mut().unwrap().key = None;
    assert!(matches!(
        PendingImport::from_key_file(&pending.to_key_file())
            .unwrap()
            .open(&no_enc),
        Err(ImportError::MalformedResponse(_))
    ));
    assert!(pending.open(&response).is_ok());
}

#[test]
fn key_files_round_trip_and_are_checked() {
    let (pending, request) = Importer::new(ImporterConfig::new("importer \"quoted\" example"));
    let file = pending.to_key_file();
    let text = std::str::from_utf8(&file).unwrap();
    assert!(text.contains("\"d\":"));
    assert!(!format!("{pending:?}").contains(&text[text.find("\"d\":").unwrap() + 5..][..20]));
    let restored = PendingImport::from_key_file(&file).unwrap();
    assert_eq!(restored.request_bytes(), &request.binding_bytes()[..]);
    let response = Exporter::new("e").respond(&wire(&request), CXF).unwrap();
    assert_eq!(&restored.open(&response).unwrap()[..], CXF);

    // A key that the stored request did not offer is refused.
    let mut v: Value = serde_json::from_slice(&file).unwrap();
    let other = PrivateKey::generate(Kem::X25519HkdfSha256);
    v["keys"][0]["jwk"] = serde_json::from_str(&other.to_private_jwk()).unwrap();
    assert!(PendingImport::from_key_file(v.to_string().as_bytes()).is_err());
    assert!(PendingImport::from_key_file(b"{}").is_err());
    assert!(PendingImport::from_key_file(&vec![b' '; MAX_KEY_FILE_BYTES + 1]).is_err());
}

#[test]
fn reencrypt_hands_the_payload_to_another_request_without_exposing_it() {
    let (pending_a, request_a) = Importer::new(ImporterConfig::new("a"));
    let mut config_b = ImporterConfig::new("b");
    config_b.suites = vec![Suite::P256_AES256GCM];
    let (pending_b, request_b) = Importer::new(config_b);
    let exporter = Exporter::new("e").with_profile(Profile::Bitwarden2024);
    let response_a = exporter.respond(&wire(&request_a), CXF).unwrap();
    let response_b = pending_a
        .reencrypt(&response_a, &wire(&request_b), &Exporter::new("relay"))
        .unwrap();
    assert_eq!(response_b.exporter.rp_id, "relay");
    assert_eq!(&pending_b.open(&response_b).unwrap()[..], CXF);

    // A refused target request is reported as the exporter's answer.
    let (pending_c, request_c) = Importer::new(ImporterConfig::new("c"));
    let response_c = exporter.respond(&wire(&request_c), CXF).unwrap();
    let mut bad = wire(&request_b);
    bad.hpke.clear();
    assert!(matches!(
        pending_c.reencrypt(&response_c, &bad, &exporter),
        Err(ReencryptError::Refused(ErrorResponse {
            error: ErrorCode::IncompatibleHpkeParameters,
            ..
        }))
    ));
}

#[test]
fn digest_example_opens_through_the_importer_role() {
    // Build the key file the example importer would have kept: the X25519 key (skR from the
    // digest §6) and the exact request bytes.
    let request = include_bytes!("../testdata/cxp-request.json");
    let response = include_bytes!("../testdata/cxp-response.json");
    let sk_hex = "66869dd4c9cc4473e07610b661e708e4677438fbc0dead8b98f223c7a39a14e0";
    let sk_bytes: Vec<u8> = (0..64)
        .step_by(2)
        .map(|i| u8::from_str_radix(&sk_hex[i..i + 2], 16).unwrap())
        .collect();
    let sk = PrivateKey::from_bytes(Kem::X25519HkdfSha256, &sk_bytes).unwrap();
    let jwk: Value = serde_json::from_str(&sk.to_private_jwk()).unwrap();
    let file = json!({
        "format": "cxf-toolkit/importer-key/v1",
        "created": std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs(),
        "importer": "importer.example",
        "request": URL_SAFE_NO_PAD.encode(request),
        "keys": [{"kem": 32, "kdf": 1, "aead": 2, "jwk": jwk}],
    });
    let pending = PendingImport::from_key_file(file.to_string().as_bytes()).unwrap();
    let response = ExportResponse::from_json(response).unwrap();
    let pt = pending.open(&response).unwrap();
    let digest: String = Sha256::digest(&pt[..])
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        digest,
        "e422d1cf36bec29aada8382acb39b51ce1e663c48ada37eb522bf0c854aba056"
    );
}

#[test]
fn documents_go_through_the_roles() {
    let doc = cxf::Document::parse(CXF, &cxf::Limits::default())
        .unwrap()
        .document;
    let (pending, request) = Importer::new(ImporterConfig::new("i"));
    let response = Exporter::new("e")
        .respond_document(&wire(&request), &doc)
        .unwrap();
    let parsed = pending
        .open_document(&response, &cxf::Limits::default())
        .unwrap();
    assert_eq!(parsed.document.exporter_rp_id.as_ref() as &str, "e.example");

    let (pending, request) = Importer::new(ImporterConfig::new("i"));
    let response = Exporter::new("e")
        .respond(&wire(&request), b"not json")
        .unwrap();
    assert_eq!(
        pending
            .open_document(&response, &cxf::Limits::default())
            .unwrap_err(),
        ImportError::DecryptionFailed
    );
}

#[test]
fn exporters_leave_out_credential_types_the_importer_does_not_accept() {
    let cxf_in = br#"{"version":{"major":1,"minor":0},"exporterRpId":"e","exporterDisplayName":"E","timestamp":1,"accounts":[{"id":"AAEC","username":"","email":"a@example.com","collections":[],"items":[{"id":"AwQF","title":"Mail","credentials":[{"type":"basic-auth","password":{"fieldType":"concealed-string","value":"hunter2"}},{"type":"totp","secret":"JBSWY3DPEHPK3PXP","period":30,"digits":6,"algorithm":"sha1"}]}]}]}"#;
    let doc = cxf::Document::parse(cxf_in, &cxf::Limits::default())
        .unwrap()
        .document;
    let mut config = ImporterConfig::new("i");
    config.credential_types = Some(vec!["totp".into()]);
    let (pending, request) = Importer::new(config);
    let response = Exporter::new("e")
        .respond_document(&wire(&request), &doc)
        .unwrap();
    let parsed = pending
        .open_document(&response, &cxf::Limits::default())
        .unwrap();
    let item = &parsed.document.accounts[0].items[0];
    assert_eq!(item.credentials.len(), 1);
    assert_eq!(item.credentials[0].type_name(), "totp");
    assert!(!String::from_utf8_lossy(&parsed.document.to_json_vec()).contains("hunter2"));
    // Without a filter everything goes.
    let mut all = doc.clone();
    assert_eq!(
        filter_credential_types(&mut all, &ExportRequest::new(Party::new("i"), vec![])),
        0
    );
    assert_eq!(all, doc);
}

#[test]
fn expired_or_future_dated_keys_are_not_used() {
    let (pending, request) = Importer::new(ImporterConfig::new("i"));
    let response = Exporter::new("e").respond(&wire(&request), CXF).unwrap();
    let file = pending.to_key_file();
    let mut v: Value = serde_json::from_slice(&file).unwrap();
    let created = v["created"].as_u64().unwrap();
    assert!(created > 1_700_000_000);
    for when in [created - DEFAULT_MAX_AGE_SECS - 10, created + 3600] {
        v["created"] = when.into();
        let old = PendingImport::from_key_file(v.to_string().as_bytes()).unwrap();
        assert_eq!(old.open(&response), Err(ImportError::Expired), "{when}");
    }
    // A shorter maximum age applies too.
    v["created"] = (created - 120).into();
    let short = PendingImport::from_key_file(v.to_string().as_bytes())
        .unwrap()
        .with_max_age(60);
    assert_eq!(short.open(&response), Err(ImportError::Expired));
    assert_eq!(&pending.open(&response).unwrap()[..], CXF);
}

#[test]
fn require_binding_refuses_an_unbound_response_and_opens_a_bound_one() {
    // Bound (default profile): opens with and without the requirement.
    for require in [false, true] {
        let (pending, request) = Importer::new(ImporterConfig::new("i"));
        let pending = if require {
            pending.require_binding()
        } else {
            pending
        };
        let response = Exporter::new("e").respond(&wire(&request), CXF).unwrap();
        assert_eq!(
            &pending.open(&response).unwrap()[..],
            CXF,
            "require={require}"
        );
    }
    // Unbound (bitwarden-2024): opens without, refused with the requirement.
    let unbound = Exporter::new("e").with_profile(Profile::Bitwarden2024);
    let (pending, request) = Importer::new(ImporterConfig::new("i"));
    let response = unbound.respond(&wire(&request), CXF).unwrap();
    assert_eq!(&pending.open(&response).unwrap()[..], CXF);
    let (pending, request) = Importer::new(ImporterConfig::new("i"));
    let response = unbound.respond(&wire(&request), CXF).unwrap();
    assert_eq!(
        pending.require_binding().open(&response),
        Err(ImportError::UnboundProfile)
    );
    // An unbound response to a tampered request: the downgrade that opens by default is refused.
    let (pending, request) = Importer::new(ImporterConfig::new("i"));
    let mut v: Value = serde_json::from_slice(&request.binding_bytes()).unwrap();
    v["hpke"].as_array_mut().unwrap().remove(0);
    let tampered = ExportRequest::from_json(v.to_string().as_bytes()).unwrap();
    let response = unbound.respond(&tampered, CXF).unwrap();
    assert_eq!(
        pending.require_binding().open(&response),
        Err(ImportError::UnboundProfile)
    );
    // Something that opens under no profile stays the opaque error.
    let (pending, request) = Importer::new(ImporterConfig::new("i"));
    let (_, other) = Importer::new(ImporterConfig::new("i"));
    let mut response = unbound.respond(&wire(&request), CXF).unwrap();
    response.payload = unbound.respond(&wire(&other), CXF).unwrap().payload;
    assert_eq!(
        pending.require_binding().open(&response),
        Err(ImportError::DecryptionFailed)
    );
}
