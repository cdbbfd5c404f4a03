//! The Bitwarden JSON writer keeps what Bitwarden has no slot for as custom fields named after
//! the CXF member (`passport.issuingAuthority`, `passkey.hmacCredentials.credWithUV`), and the
//! reader puts them back: CXF → Bitwarden → CXF and Bitwarden → CXF → Bitwarden are lossless
//! for them, while the loss report says they are stored in another shape.

#![cfg(feature = "formats")]

use cxf::formats::{self, Format, LossKind, LossReason, ReadOptions};
use serde_json::{Value, json};

const KEY: &str = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgFOXHBPjRWMw0fblLm7Q9CjQijzU9ObjFvAN9jOoziwKhRANCAAR17V674L-GutEKWj8oGNC8aouktscE-S8k3qDMNBc1gbZRTNTCcXg3XRe0jHGQwcPPZbrfRnofmmsqqaVT9I4q";
const PRF_UV: &str = "drYk-d_D3onLumt-zWATum8-7Y9u2OZpRKojQIaTzmE";
const PRF_NO_UV: &str = "jVNS5LMWOuyk0O4-JqgoHCbGZszzvEQCcyswPQtNmeI";

fn f(field_type: &str, value: &str) -> Value {
    json!({ "fieldType": field_type, "value": value })
}

fn source() -> cxf::Document {
    let doc = json!({
        "version": { "major": 1, "minor": 0 },
        "exporterRpId": "fixtures.example",
        "exporterDisplayName": "Fixtures",
        "timestamp": 1768467600,
        "accounts": [{
            "id": "mreIfEhk6zNCHWVCF6n3KA",
            "username": "",
            "email": "",
            "items": [
                {
                    "id": "M66ejh0t6u_skVH-m7LOTA",
                    "creationAt": 1736931600,
                    "modifiedAt": 1752570000,
                    "title": "Alice's papers",
                    "credentials": [
                        {
                            "type": "person-name",
                            "given": f("string", "Alice"),
                            "surname": f("string", "Liddell"),
                        },
                        {
                            "type": "passport",
                            "issuingCountry": f("country-code", "GB"),
                            "passportType": f("string", "P"),
                            "passportNumber": f("string", "925076473"),
                            "nationality": f("string", "British"),
                            // The holder's name as the identity has it: the reader derives it.
                            "fullName": f("string", "Alice Liddell"),
                            "birthDate": f("date", "1852-05-04"),
                            "issueDate": f("date", "2024-05-01"),
                            "expiryDate": f("date", "2034-05-01"),
                            "issuingAuthority": f("string", "HM Passport Office"),
                        },
                        {
                            "type": "drivers-license",
                            // Not the identity's name: stored as a custom field.
                            "fullName": f("string", "Alice P. Liddell"),
                            "expiryDate": f("date", "2031-03-10"),
                            "issuingAuthority": f("string", "DVLA"),
                            "territory": f("subdivision-code", "GB-OXF"),
                            "country": f("country-code", "GB"),
                            "licenseNumber": f("string", "LIDDE852054A99XY"),
                            "licenseClass": f("string", "B"),
                        },
                    ],
                },
                {
                    "id": "K1RegU4eEiQ-RO2GdJIgMA",
                    "creationAt": 1736931600,
                    "modifiedAt": 1752570000,
                    "title": "webauthn.example",
                    "scope": { "urls": ["https://webauthn.example/"], "androidApps": [] },
                    "credentials": [{
                        "type": "passkey",
                        "credentialId": "ClBR4ieSTZRy6q3BF9blPA",
                        "rpId": "webauthn.example",
                        "username": "alice",
                        "userDisplayName": "Alice",
                        "userHandle": "gT0uLzg23gpFeggO1q4_2n-deC-F48HzwXAf8SHbqvM",
                        "key": KEY,
                        "fido2Extensions": {
                            "hmacCredentials": {
                                "algorithm": "hmac-sha256",
                                "credWithUV": PRF_UV,
                                "credWithoutUV": PRF_NO_UV,
                            },
                        },
                    }],
                },
            ],
        }],
    });
    cxf::Document::parse(&serde_json::to_vec(&doc).unwrap(), &cxf::Limits::default())
        .unwrap()
        .document
}

/// `(name, value, type)` of an item's custom fields.
fn fields(item: &Value) -> Vec<(String, String, u64)> {
    item["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["name"].as_str().unwrap().to_owned(),
                f["value"].as_str().unwrap().to_owned(),
                f["type"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn own(v: &[(&str, &str, u64)]) -> Vec<(String, String, u64)> {
    v.iter()
        .map(|(n, v, t)| ((*n).to_owned(), (*v).to_owned(), *t))
        .collect()
}

/// The credentials of every item, as canonical CXF JSON.
fn credentials(doc: &cxf::Document) -> Vec<Value> {
    let v: Value = serde_json::from_slice(&doc.to_json_vec()).unwrap();
    v["accounts"][0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["credentials"].clone())
        .collect()
}

#[test]
fn identity_documents_and_prf_secrets_travel_as_custom_fields_and_come_back() {
    let doc = source();
    let (out, loss) = formats::write(Format::BitwardenJson, &doc).unwrap();
    let v: Value = serde_json::from_slice(&out).unwrap();

    // The identity: the numbers in their members, everything else in custom fields.
    let identity = &v["items"][0];
    assert_eq!(identity["type"], 4);
    assert_eq!(
        identity["identity"],
        json!({
            "firstName": "Alice",
            "lastName": "Liddell",
            "passportNumber": "925076473",
            "licenseNumber": "LIDDE852054A99XY",
        })
    );
    assert_eq!(
        fields(identity),
        own(&[
            ("passport.issuingCountry", "GB", 0),
            ("passport.passportType", "P", 0),
            ("passport.nationality", "British", 0),
            ("passport.birthDate", "1852-05-04", 0),
            ("passport.issueDate", "2024-05-01", 0),
            ("passport.expiryDate", "2034-05-01", 0),
            ("passport.issuingAuthority", "HM Passport Office", 0),
            ("drivers-license.fullName", "Alice P. Liddell", 0),
            ("drivers-license.expiryDate", "2031-03-10", 0),
            ("drivers-license.issuingAuthority", "DVLA", 0),
            ("drivers-license.territory", "GB-OXF", 0),
            ("drivers-license.country", "GB", 0),
            ("drivers-license.licenseClass", "B", 0),
        ])
    );

    // The login: the passkey in fido2Credentials, its PRF secrets as hidden custom fields.
    let login = &v["items"][1];
    assert_eq!(login["type"], 1);
    let fido = &login["login"]["fido2Credentials"][0];
    assert_eq!(fido["keyValue"], KEY);
    assert_eq!(fido["rpId"], "webauthn.example");
    assert_eq!(
        fields(login),
        own(&[
            ("passkey.hmacCredentials.algorithm", "hmac-sha256", 0),
            ("passkey.hmacCredentials.credWithUV", PRF_UV, 1),
            ("passkey.hmacCredentials.credWithoutUV", PRF_NO_UV, 1),
        ])
    );

    // The report: every moved member is `changed`, nothing is lost or missing, no secret is
    // in it, and the PRF entry warns about data encrypted with the PRF.
    assert!(loss.lost().next().is_none(), "{loss}");
    assert!(
        loss.entries()
            .iter()
            .all(|e| e.kind == LossKind::Changed && e.reason == LossReason::NoEquivalent),
        "{loss}"
    );
    let pointers: Vec<&str> = loss.entries().iter().map(|e| e.pointer.as_str()).collect();
    assert!(pointers.contains(&"/accounts/0/items/0/credentials/1/issuingAuthority/value"));
    assert!(pointers.contains(&"/accounts/0/items/0/credentials/2/fullName/value"));
    // The passport's holder name is the identity's: not a custom field, not in the report.
    assert!(!pointers.contains(&"/accounts/0/items/0/credentials/1/fullName/value"));
    let prf = loss
        .entries()
        .iter()
        .find(|e| e.pointer == "/accounts/0/items/1/credentials/0/fido2Extensions/hmacCredentials")
        .expect("the PRF secrets are reported");
    assert!(prf.detail.contains("unreadable"), "{}", prf.detail);
    let report = loss.to_json().to_string();
    for secret in [KEY, PRF_UV, PRF_NO_UV, "925076473", "LIDDE852054A99XY"] {
        assert!(!report.contains(secret));
    }

    // CXF → Bitwarden → CXF: the credentials come back as they were.
    let (back, read_loss) =
        formats::read(Format::BitwardenJson, &out, &ReadOptions::default()).unwrap();
    assert!(read_loss.is_empty(), "{read_loss}");
    assert_eq!(credentials(&back), credentials(&doc));

    // Bitwarden → CXF → Bitwarden: the same export again.
    let (again, loss_again) = formats::write(Format::BitwardenJson, &back).unwrap();
    assert_eq!(
        serde_json::from_slice::<Value>(&again).unwrap(),
        v,
        "the Bitwarden export changed on a round trip"
    );
    assert_eq!(loss_again.len(), loss.len());
}

#[test]
fn flattened_fields_that_do_not_make_a_valid_credential_stay_custom_fields() {
    // A hand-made export: a `passkey.*` field without a passkey, an SSH key group without its
    // key, and ordinary fields that only look alike.
    let export = json!({
        "encrypted": false,
        "folders": [],
        "items": [{
            "id": "3b1a8e04-3f4e-4a43-9a4c-1f0f1a2b3c4d",
            "type": 2,
            "name": "Odd fields",
            "notes": null,
            "favorite": false,
            "secureNote": { "type": 0 },
            "fields": [
                { "name": "passkey.credBlob", "value": "AAAA", "type": 1, "linkedId": null },
                { "name": "ssh-key.keyComment", "value": "laptop", "type": 0, "linkedId": null },
                { "name": "passport.", "value": "x", "type": 0, "linkedId": null },
                { "name": "vacation.days", "value": "12", "type": 0, "linkedId": null },
                { "name": "PIN", "value": "1234", "type": 1, "linkedId": null },
            ],
        }],
    });
    let (doc, loss) = formats::read(
        Format::BitwardenJson,
        &serde_json::to_vec(&export).unwrap(),
        &ReadOptions::default(),
    )
    .unwrap();
    assert!(loss.is_empty(), "{loss}");
    let creds = credentials(&doc);
    assert_eq!(creds[0].as_array().unwrap().len(), 1, "{}", creds[0]);
    assert_eq!(creds[0][0]["type"], "custom-fields");
    let names: Vec<&str> = creds[0][0]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "passkey.credBlob",
            "ssh-key.keyComment",
            "passport.",
            "vacation.days",
            "PIN"
        ]
    );
}
