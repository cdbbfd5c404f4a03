//! Passkeys that still sign in after every path.
//!
//! A vault of passkeys (ES256 and EdDSA keys; with and without a user handle and a display name;
//! with PRF seeds, largeBlob and credBlob) is written to each format that can be a source of
//! passkeys, read back, written to each writable target and read back into CXF. Then every
//! passkey of the ORIGINAL vault is used to sign in with the converted vault: 1Password's
//! passkey-rs client and authenticator, holding the converted passkeys, answer an assertion
//! request of the kanidm webauthn-rs relying party, which knows each credential as registered
//! from the original vault (credential id, public key from the original key, RP ID, user
//! handle). Neither side is ours, so a passkey "carried" by a writer that would not sign in is
//! caught, and such a passkey must be named lost in the loss report.
//!
//! The README's "Passkeys" table is the outcome of these ceremonies
//! ([`passkey_table`]); `CXF_PRINT_PASSKEYS=FILE` prints it.

use std::collections::BTreeMap;
use std::future::Future;
use std::path::Path;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use cxf::formats::{
    self, Format, Kind, LossEntry, LossKind, LossReport, ReadOptions, WriteOptions,
};
use cxf::{Credential, Document, Limits};
use passkey_authenticator::{
    Authenticator, CredentialStore, DiscoverabilitySupport, StoreInfo, UiHint, UserCheck,
    UserValidationMethod, extensions::HmacSecretConfig,
};
use passkey_client::{Client, DefaultClientData};
use passkey_crypto::rust_crypto::{RustCryptoBackend, RustCryptoSecretKey};
use passkey_crypto::{CryptoBackend, Pkcs8, PublicKeyT, SecretKeyT, coset::CborSerializable, iana};
use passkey_types::ctap2::{Aaguid, Ctap2Error, StatusCode};
use passkey_types::webauthn::{CredentialRequestOptions, PublicKeyCredentialDescriptor};
use passkey_types::{CredentialExtensions, Passkey as RsPasskey, StoredHmacSecret};
use url::Url;
use webauthn_rs_core::WebauthnCore;
use webauthn_rs_core::proto::{
    AttestationFormat, COSEKey, Credential as RpCredential, ParsedAttestation, PublicKeyCredential,
    RegisteredExtensions, UserVerificationPolicy,
};

// ------------------------------------------------------------------------------- the vault

/// One passkey of the test vault: what varies between passkeys that a writer might mishandle.
#[derive(Debug, Clone, Copy)]
struct Case {
    /// Short name, also the first label of the passkey's RP ID.
    name: &'static str,
    alg: iana::Algorithm,
    /// Credential id length: Bitwarden writes 16-byte ids as UUIDs, other lengths as `b64.`.
    id_len: usize,
    /// Whether the passkey has a user handle (else the empty handle: a non-discoverable login).
    handle: bool,
    /// Whether the passkey has a display name (else the empty one).
    display_name: bool,
    /// Whether the item also holds a login (else the passkey alone).
    login: bool,
    /// PRF seeds, largeBlob and credBlob.
    extensions: bool,
}

const CASES: &[Case] = &[
    Case {
        name: "es256",
        alg: iana::Algorithm::ES256,
        id_len: 16,
        handle: true,
        display_name: true,
        login: true,
        extensions: false,
    },
    Case {
        name: "es256-bare",
        alg: iana::Algorithm::ES256,
        id_len: 32,
        handle: false,
        display_name: false,
        login: false,
        extensions: false,
    },
    Case {
        name: "es256-prf",
        alg: iana::Algorithm::ES256,
        id_len: 20,
        handle: true,
        display_name: true,
        login: false,
        extensions: true,
    },
    Case {
        name: "eddsa",
        alg: iana::Algorithm::EdDSA,
        id_len: 16,
        handle: true,
        display_name: true,
        login: true,
        extensions: false,
    },
    Case {
        name: "eddsa-bare",
        alg: iana::Algorithm::EdDSA,
        id_len: 24,
        handle: false,
        display_name: false,
        login: false,
        extensions: false,
    },
    Case {
        name: "eddsa-prf",
        alg: iana::Algorithm::EdDSA,
        id_len: 32,
        handle: true,
        display_name: true,
        login: false,
        extensions: true,
    },
];

impl Case {
    fn rp_id(self) -> String {
        format!("{}.example.com", self.name)
    }
}

fn b64(bytes: &[u8]) -> String {
    cxf::B64::encode(bytes).as_str().to_owned()
}

/// Deterministic bytes (ids, handles, seeds) that differ per case and purpose.
fn bytes(case: usize, purpose: u8, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31) ^ purpose.wrapping_mul(7) ^ (case as u8 * 13 + 1))
        .collect()
}

/// A raw DEFLATE stream (one stored block) of `data`, as CXF's largeBlob holds it.
fn deflate_stored(data: &[u8]) -> Vec<u8> {
    let len = data.len() as u16;
    let mut out = vec![0x01];
    out.extend(len.to_le_bytes());
    out.extend((!len).to_le_bytes());
    out.extend(data);
    out
}

/// The test vault: one item per case, with a freshly generated key (the outcome does not
/// depend on the key's value).
fn vault() -> Document {
    let crypto = RustCryptoBackend;
    let items: Vec<serde_json::Value> = CASES
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let key = crypto.generate_key(c.alg).unwrap().to_pkcs8().unwrap();
            let mut passkey = serde_json::json!({
                "type": "passkey",
                "credentialId": b64(&bytes(i, 1, c.id_len)),
                "rpId": c.rp_id(),
                "username": format!("alice@{}", c.rp_id()),
                "userDisplayName": if c.display_name { "Alice Liddell" } else { "" },
                "userHandle": if c.handle { b64(&bytes(i, 2, 16)) } else { String::new() },
                "key": b64(&key),
            });
            if c.extensions {
                passkey["fido2Extensions"] = serde_json::json!({
                    "hmacCredentials": {
                        "algorithm": "hmac-sha256",
                        "credWithUV": b64(&bytes(i, 3, 32)),
                        "credWithoutUV": b64(&bytes(i, 4, 32)),
                    },
                    "largeBlob": {
                        "uncompressedSize": 11,
                        "data": b64(&deflate_stored(b"large blob!")),
                    },
                    "credBlob": b64(&bytes(i, 5, 16)),
                });
            }
            let mut credentials = vec![passkey];
            if c.login {
                credentials.insert(
                    0,
                    serde_json::json!({
                        "type": "basic-auth",
                        "username": {"fieldType": "string", "value": format!("alice@{}", c.rp_id())},
                        "password": {"fieldType": "concealed-string", "value": format!("hunter2-{i}")},
                    }),
                );
            }
            serde_json::json!({
                "id": b64(&[i as u8 + 1; 8]),
                "title": format!("Passkey {}", c.name),
                "scope": {"urls": [format!("https://{}/", c.rp_id())], "androidApps": []},
                "credentials": credentials,
            })
        })
        .collect();
    let json = serde_json::json!({
        "version": {"major": 1, "minor": 0},
        "exporterRpId": "cxf.invalid",
        "exporterDisplayName": "passkey ceremony test",
        "timestamp": 1_700_000_000,
        "accounts": [{"id": "QUFB", "username": "", "email": "", "items": items}],
    });
    let parsed = Document::parse(json.to_string().as_bytes(), &Limits::default()).unwrap();
    parsed.document
}

/// The passkeys of a document with their JSON Pointers.
fn passkeys(doc: &Document) -> Vec<(String, &cxf::Passkey)> {
    let mut out = Vec::new();
    for (ai, a) in doc.accounts.iter().enumerate() {
        for (ii, item) in a.items.iter().enumerate() {
            for (ci, c) in item.credentials.iter().enumerate() {
                if let Credential::Passkey(p) = c {
                    out.push((format!("/accounts/{ai}/items/{ii}/credentials/{ci}"), &**p));
                }
            }
        }
    }
    out
}

// ----------------------------------------------------------------- authenticator and client

/// Runs a future that never waits on anything outside itself (the passkey-rs client and
/// authenticator here): no async runtime needed.
fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..1000 {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
    panic!("the ceremony future did not complete");
}

/// The converted vault as a password manager's passkey store: like any authenticator, it
/// offers only the passkeys of the RP ID asked for (passkey-rs's own stores ignore it, which
/// would hide a writer that changed a passkey's RP ID).
struct VaultStore(Vec<RsPasskey>);

#[async_trait::async_trait]
impl CredentialStore for VaultStore {
    type PasskeyItem = RsPasskey;

    async fn find_credentials(
        &self,
        ids: Option<&[PublicKeyCredentialDescriptor]>,
        rp_id: &str,
        _user_handle: Option<&[u8]>,
    ) -> Result<Vec<RsPasskey>, StatusCode> {
        let found: Vec<RsPasskey> = self
            .0
            .iter()
            .filter(|p| p.rp_id == rp_id)
            .filter(|p| ids.is_none_or(|ids| ids.iter().any(|d| d.id == p.credential_id)))
            .cloned()
            .collect();
        if found.is_empty() {
            Err(Ctap2Error::NoCredentials.into())
        } else {
            Ok(found)
        }
    }

    async fn save_credential(
        &mut self,
        _cred: RsPasskey,
        _user: passkey_types::ctap2::make_credential::PublicKeyCredentialUserEntity,
        _rp: passkey_types::ctap2::make_credential::PublicKeyCredentialRpEntity,
        _options: passkey_types::ctap2::make_credential::Options,
    ) -> Result<(), StatusCode> {
        Err(Ctap2Error::OperationDenied.into())
    }

    async fn update_credential(&mut self, _cred: &RsPasskey) -> Result<(), StatusCode> {
        Ok(())
    }

    async fn get_info(&self) -> StoreInfo {
        StoreInfo {
            discoverability: DiscoverabilitySupport::Full,
        }
    }
}

/// A user who is present and verified whenever asked.
struct User;

#[async_trait::async_trait]
impl UserValidationMethod for User {
    type PasskeyItem = RsPasskey;

    async fn check_user<'a>(
        &self,
        _hint: UiHint<'a, RsPasskey>,
        presence: bool,
        verification: bool,
    ) -> Result<UserCheck, Ctap2Error> {
        Ok(UserCheck {
            presence,
            verification,
        })
    }

    fn is_presence_enabled(&self) -> bool {
        true
    }

    fn is_verification_enabled(&self) -> Option<bool> {
        Some(true)
    }
}

/// A CXF passkey as passkey-rs holds it: the private key from its PKCS#8, the PRF seeds as
/// hmac-secret credentials. `None` when passkey-rs cannot load the key.
fn to_passkey_rs(p: &cxf::Passkey) -> Option<RsPasskey> {
    let der = p.key.decode().ok()?;
    let key = RustCryptoSecretKey::from_pkcs8(&der).ok()?;
    let handle = p.user_handle.decode().ok()?;
    let hmac = p
        .fido2_extensions
        .as_ref()
        .and_then(|x| x.hmac_credentials.as_ref())
        .map(|h| StoredHmacSecret {
            cred_with_uv: h.cred_with_uv.decode().unwrap().to_vec(),
            cred_without_uv: h
                .cred_without_uv
                .as_ref()
                .map(|w| w.decode().unwrap().to_vec()),
        });
    Some(RsPasskey {
        key: key.to_cose_key(),
        credential_id: p.credential_id.decode().ok()?.into(),
        rp_id: p.rp_id.to_string(),
        user_handle: (!handle.is_empty()).then(|| handle.into()),
        username: Some(p.username.to_string()),
        user_display_name: Some(p.user_display_name.to_string()),
        counter: None,
        extensions: CredentialExtensions { hmac_secret: hmac },
    })
}

/// The credential as the relying party registered it from the ORIGINAL passkey: its id and
/// the public key of its original private key (derived by passkey-rs, and checked equal to
/// what `cxf::cose` derives).
fn registered(p: &cxf::Passkey) -> RpCredential {
    let der = p.key.decode().unwrap();
    let public = RustCryptoSecretKey::from_pkcs8(&der)
        .unwrap()
        .public_key()
        .to_cose_key()
        .to_vec()
        .unwrap();
    let cose = |bytes: &[u8]| {
        let value: serde_cbor_2::Value = serde_cbor_2::from_slice(bytes).unwrap();
        COSEKey::try_from(&value).unwrap()
    };
    let key = cose(&public);
    assert_eq!(
        cose(&p.public_key_cose().unwrap().cose_key),
        key,
        "cxf::cose and passkey-rs derive the same public key"
    );
    RpCredential {
        cred_id: p.credential_id.decode().unwrap().into(),
        cred: key,
        counter: 0,
        transports: None,
        user_verified: true,
        // A synced passkey: passkey-rs sets the backup flags, as password managers do.
        backup_eligible: true,
        backup_state: true,
        registration_policy: UserVerificationPolicy::Required,
        extensions: RegisteredExtensions::none(),
        attestation: ParsedAttestation::default(),
        attestation_format: AttestationFormat::None,
    }
}

/// The PRF salt the site evaluates (any 32 bytes).
const PRF_SALT: [u8; 32] = [0x5a; 32];

/// What a sign-in with a converted vault gave.
#[derive(Debug)]
struct SignIn {
    /// The PRF output of the first salt, when the authenticator returned one.
    prf: Option<Vec<u8>>,
}

/// Signs in to the relying party of `original` with the passkeys of `converted`: the RP
/// challenges (a discoverable login when the passkey has a user handle, else one that names the
/// credential), the passkey-rs client and authenticator answer with `converted`, and
/// webauthn-rs verifies the assertion against the credential registered from `original`. A
/// discoverable login also checks that the returned user handle is the original one.
fn sign_in(original: &cxf::Passkey, converted: &[RsPasskey]) -> Result<SignIn, String> {
    let rp_id = original.rp_id.as_str();
    let origin = Url::parse(&format!("https://{rp_id}")).unwrap();
    let rp = WebauthnCore::new_unsafe_experts_only(
        "test RP",
        rp_id,
        vec![origin.clone()],
        std::time::Duration::from_secs(60),
        None,
        None,
    );
    let credential = registered(original);
    let handle = original.user_handle.decode().unwrap();
    let discoverable = !handle.is_empty();
    let allowed = if discoverable {
        Vec::new()
    } else {
        vec![credential.clone()]
    };
    let builder = rp
        .new_challenge_authenticate_builder(allowed, Some(UserVerificationPolicy::Required))
        .map_err(|e| format!("RP: {e:?}"))?;
    let (challenge, mut state) = rp
        .generate_challenge_authenticate(builder)
        .map_err(|e| format!("RP: {e:?}"))?;
    // The page's script: the RP's options as JSON, with a PRF evaluation added.
    let mut options = serde_json::to_value(&challenge).unwrap();
    options["publicKey"]["extensions"] =
        serde_json::json!({"prf": {"eval": {"first": b64(&PRF_SALT)}}});
    let request: CredentialRequestOptions = serde_json::from_value(options).unwrap();

    let authenticator = Authenticator::new(
        Aaguid::new_empty(),
        VaultStore(converted.to_vec()),
        User,
        RustCryptoBackend,
    )
    .hmac_secret(HmacSecretConfig::new_without_uv());
    let mut client = Client::new(authenticator);
    let response = block_on(client.authenticate(&origin, request, DefaultClientData))
        .map_err(|e| format!("authenticator: {e:?}"))?;
    let prf = response
        .client_extension_results
        .prf
        .as_ref()
        .and_then(|p| p.results.as_ref())
        .map(|r| r.first.to_vec());
    let json = serde_json::to_value(&response).unwrap();
    let response: PublicKeyCredential =
        serde_json::from_value(json).map_err(|e| format!("RP cannot read the response: {e}"))?;
    if discoverable {
        // The RP finds the user by the handle the authenticator returned.
        let returned = response.response.user_handle.as_ref().map(|h| h.to_vec());
        if returned.as_deref() != Some(&handle[..]) {
            return Err("the user handle is not the one registered".into());
        }
        state.set_allowed_credentials(vec![credential]);
    }
    rp.authenticate_credential(&response, &state)
        .map_err(|e| format!("RP: {e:?}"))?;
    Ok(SignIn { prf })
}

// ------------------------------------------------------------------------------- the paths

/// The password of `kdbx` outputs here.
const PASSWORD: &str = "passkeys test password";

fn write_options() -> WriteOptions {
    WriteOptions::default()
        .with_password(PASSWORD)
        .dangerous_cheap_kdf()
}

/// Writes `doc` as `format` and reads it back: the document, the write's loss report.
fn through(format: Format, doc: &Document) -> (Document, LossReport) {
    if format == Format::Cxf {
        let (bytes, loss) = formats::write(format, doc).unwrap();
        let (back, _) = formats::read(format, &bytes, &ReadOptions::default()).unwrap();
        return (back, loss);
    }
    let (bytes, loss) = formats::write_with(format, doc, &write_options()).unwrap();
    let read = ReadOptions::default()
        .with_password(PASSWORD)
        .with_timestamp(doc.timestamp);
    let (back, _) = formats::read(format, &bytes, &read).unwrap();
    (back, loss)
}

/// The entries of `loss` about the node at `pointer`: at it, below it, or at a node above it.
fn about<'a>(loss: &'a LossReport, pointer: &str) -> Vec<&'a LossEntry> {
    let covers = |a: &str, b: &str| {
        a.starts_with(b) && matches!(a.as_bytes().get(b.len()), None | Some(b'/'))
    };
    loss.entries()
        .iter()
        .filter(|e| !e.pointer.is_empty())
        .filter(|e| covers(pointer, &e.pointer) || covers(&e.pointer, pointer))
        .collect()
}

/// Whether the report says the passkey at `pointer` is not in the output: a `lost` entry at it
/// or above it (its item).
fn reported_lost<'a>(loss: &'a LossReport, pointer: &str) -> Option<&'a LossEntry> {
    about(loss, pointer)
        .into_iter()
        .find(|e| e.kind == LossKind::Lost && pointer.starts_with(&e.pointer))
}

/// What became of one passkey of the original vault on one path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Fate {
    /// It signed in, and its extensions (if any) are where the target uses them: the PRF
    /// output is the original's.
    SignsIn,
    /// It signed in; the report names its extensions, which the target does not use.
    SignsInWithoutExtensions(String),
    /// Not carried: the report names it lost, with this reason.
    NotCarried(String),
}

/// One path: `source` (the passkeys' first home, written and read back by us) to `target`.
struct PathOutcome {
    fates: Vec<Fate>,
    /// What went wrong: passkeys carried that do not sign in, unnamed losses.
    failures: Vec<String>,
}

/// Follows one path and judges every original passkey.
fn follow(source: Format, target: Format, original: &Document) -> PathOutcome {
    let (at_source, source_loss) = through(source, original);
    let (at_target, target_loss) = through(target, &at_source);
    let converted: Vec<(String, &cxf::Passkey)> = passkeys(&at_target);
    let loaded: Vec<RsPasskey> = converted
        .iter()
        .filter_map(|(_, p)| to_passkey_rs(p))
        .collect();
    let in_source = passkeys(&at_source);
    let mut fates = Vec::new();
    let mut failures = Vec::new();
    for ((pointer, p), case) in passkeys(original).into_iter().zip(CASES) {
        let fail = |what: String| format!("{source} -> {target}, {}: {what}", case.name);
        // Where the passkey is in the source's read-back (the target's report points there).
        let source_pointer = in_source
            .iter()
            .find(|(_, q)| q.credential_id == p.credential_id)
            .map(|(at, _)| at.clone());
        let lost = reported_lost(&source_loss, &pointer).or_else(|| {
            source_pointer
                .as_deref()
                .and_then(|at| reported_lost(&target_loss, at))
        });
        let reports: Vec<&LossEntry> = about(&source_loss, &pointer)
            .into_iter()
            .chain(
                source_pointer
                    .as_deref()
                    .map(|at| about(&target_loss, at))
                    .unwrap_or_default(),
            )
            .collect();
        let fate = match (sign_in(p, &loaded), lost) {
            (Ok(_), Some(e)) => {
                failures.push(fail(format!(
                    "signs in, but the report says lost: {}",
                    e.detail
                )));
                Fate::NotCarried(e.detail.clone())
            }
            (Err(why), None) => {
                failures.push(fail(format!(
                    "carried (not reported lost) but does not sign in: {why}"
                )));
                Fate::NotCarried(why)
            }
            (Err(_), Some(e)) => {
                if case.extensions && !warns_prf(&e.detail) {
                    failures.push(fail(format!("lost without the PRF warning: {}", e.detail)));
                }
                Fate::NotCarried(e.detail.clone())
            }
            (Ok(signed), None) => {
                let named: Vec<&&LossEntry> = reports
                    .iter()
                    .filter(|e| e.pointer.contains("/fido2Extensions"))
                    .collect();
                if !case.extensions {
                    Fate::SignsIn
                } else if let Some(e) = named.first() {
                    // Not where the target uses them: each is named, the PRF seeds with the
                    // warning that data encrypted with the PRF output may become unreadable.
                    for what in ["hmacCredentials", "largeBlob", "credBlob"] {
                        let entry = named.iter().find(|e| {
                            e.pointer.ends_with(&format!("/fido2Extensions/{what}"))
                                || e.pointer.ends_with("/fido2Extensions")
                        });
                        match entry {
                            None => failures.push(fail(format!("the report does not name {what}"))),
                            Some(e) if what == "hmacCredentials" && !warns_prf(&e.detail) => {
                                failures.push(fail(format!("no PRF warning: {}", e.detail)))
                            }
                            Some(_) => {}
                        }
                    }
                    Fate::SignsInWithoutExtensions(e.detail.clone())
                } else {
                    // Nothing said about the extensions: they must all be there and work.
                    let expected = original_prf(p);
                    if expected.is_none() || signed.prf != expected {
                        failures.push(fail(
                            "no PRF output, or another one, and the report does not say so".into(),
                        ));
                    }
                    let carried = converted
                        .iter()
                        .find(|(_, q)| q.credential_id == p.credential_id)
                        .map(|(_, q)| q);
                    let same = carried.is_some_and(|q| q.fido2_extensions == p.fido2_extensions);
                    if !same {
                        failures.push(fail(
                            "the extensions changed and the report does not say so".into(),
                        ));
                    }
                    Fate::SignsIn
                }
            }
        };
        fates.push(fate);
    }
    PathOutcome { fates, failures }
}

/// Whether a loss detail warns that data encrypted with the passkey's PRF output may become
/// unreadable.
fn warns_prf(detail: &str) -> bool {
    detail.contains("PRF") && detail.contains("unreadable")
}

/// The PRF output of the original passkey (the value data was encrypted with).
fn original_prf(original: &cxf::Passkey) -> Option<Vec<u8>> {
    sign_in(original, &[to_passkey_rs(original).unwrap()])
        .unwrap()
        .prf
}

// ------------------------------------------------------------------------------- the table

/// Formats a passkey can come from: read with passkeys, and written by us (to make the source
/// export from the vault).
fn sources() -> Vec<Format> {
    Format::ALL
        .iter()
        .copied()
        .filter(|f| f.reads().contains(&Kind::Passkeys) && f.writes().contains(&Kind::Passkeys))
        .collect()
}

fn targets() -> Vec<Format> {
    Format::ALL
        .iter()
        .copied()
        .filter(|f| f.can_write())
        .collect()
}

/// A table cell for the passkeys of `cases` (indices into [`CASES`]): "carried and verified by
/// a ceremony", "carried without extensions (why)" or "not carried (why)"; per passkey when
/// they differ.
fn cell(fates: &[Fate], cases: &[usize]) -> String {
    let all = |f: &dyn Fn(&Fate) -> bool| cases.iter().all(|&i| f(&fates[i]));
    if all(&|f| matches!(f, Fate::NotCarried(_))) {
        let mut why: Vec<String> = cases
            .iter()
            .map(|&i| match &fates[i] {
                Fate::NotCarried(w) => sentence(w),
                _ => unreachable!(),
            })
            .collect();
        why.dedup();
        return format!("not carried ({})", why.join("; "));
    }
    if all(&|f| !matches!(f, Fate::NotCarried(_))) {
        let without = cases.iter().find_map(|&i| match &fates[i] {
            Fate::SignsInWithoutExtensions(w) => Some(sentence(w)),
            _ => None,
        });
        return match without {
            Some(why) => format!("carried without extensions ({why}), verified by a ceremony"),
            None => "carried and verified by a ceremony, with PRF, largeBlob and credBlob".into(),
        };
    }
    cases
        .iter()
        .map(|&i| {
            let text = match &fates[i] {
                Fate::SignsIn => "verified by a ceremony".to_owned(),
                Fate::SignsInWithoutExtensions(w) => {
                    format!(
                        "verified by a ceremony, without extensions ({})",
                        sentence(w)
                    )
                }
                Fate::NotCarried(w) => format!("not carried ({})", sentence(w)),
            };
            format!("{}: {text}", CASES[i].name)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// A loss detail as the table shows it: its first sentence, without Markdown table breakers.
fn sentence(detail: &str) -> String {
    let first = detail.split(": ").next().unwrap_or(detail);
    let first = first.split(';').next().unwrap_or(first);
    let first = first.split(" and this item").next().unwrap_or(first);
    first.replace('|', "/").trim().to_owned()
}

/// A table row: the target's index and the two cells, and the sources that give them.
type Row = ((usize, [String; 2]), Vec<Format>);

/// The README "Passkeys" table: from each source format to each target, what became of ES256
/// and EdDSA passkeys and of their extensions, as the ceremonies found; rows that say the same
/// for every source are merged. Panics with every failure found on the way.
fn passkey_table() -> String {
    let vault = vault();
    let es: Vec<usize> = (0..CASES.len())
        .filter(|&i| CASES[i].alg == iana::Algorithm::ES256)
        .collect();
    let ed: Vec<usize> = (0..CASES.len())
        .filter(|&i| CASES[i].alg == iana::Algorithm::EdDSA)
        .collect();
    let mut failures = Vec::new();
    let mut rows: BTreeMap<(usize, [String; 2]), Vec<Format>> = BTreeMap::new();
    let targets = targets();
    for &source in &sources() {
        for (ti, &target) in targets.iter().enumerate() {
            let path = follow(source, target, &vault);
            failures.extend(path.failures);
            let cells = [cell(&path.fates, &es), cell(&path.fates, &ed)];
            rows.entry((ti, cells)).or_default().push(source);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let mut out = String::from(
        "| from | to | ES256 (P-256) passkeys | EdDSA (Ed25519) passkeys |\n|---|---|---|---|\n",
    );
    let all = sources();
    let mut rows: Vec<Row> = rows.into_iter().collect();
    rows.sort_by_key(|((ti, _), from)| (*ti, all.iter().position(|f| *f == from[0])));
    for ((ti, cells), from) in rows {
        let from = if from.len() == all.len() {
            "any".to_owned()
        } else {
            from.iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        out.push_str(&format!(
            "| {from} | `{}` | {} | {} |\n",
            targets[ti], cells[0], cells[1]
        ));
    }
    out
}

#[test]
fn the_readme_passkey_table_is_what_the_ceremonies_show() {
    let table = passkey_table();
    if let Ok(path) = std::env::var("CXF_PRINT_PASSKEYS") {
        std::fs::write(path, &table).unwrap();
    }
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md"))
            .unwrap();
    let (begin, end) = ("<!-- passkeys:begin -->\n", "<!-- passkeys:end -->");
    let start = readme.find(begin).expect("README has the passkeys markers") + begin.len();
    let stop = readme[start..].find(end).unwrap() + start;
    assert!(
        readme[start..stop] == table,
        "README.md's passkey table is out of date; replace it between the markers with:\n{table}\n(or run CXF_PRINT_PASSKEYS=FILE cargo test -p fido-cxf --features formats --test passkeys)"
    );
}

/// A change a writer could make to a passkey.
type Damage = Box<dyn Fn(&mut cxf::Passkey)>;

/// The converted passkey at `case` of `doc`, damaged by `damage`.
fn damaged(doc: &Document, case: usize, damage: impl Fn(&mut cxf::Passkey)) -> Vec<RsPasskey> {
    let mut p = passkeys(doc)[case].1.clone();
    damage(&mut p);
    to_passkey_rs(&p).into_iter().collect()
}

/// Flips a bit of the private scalar (P-256) or seed (Ed25519): still a valid key, another one.
fn flip_key_bit(p: &mut cxf::Passkey) {
    let mut der = p.key.decode().unwrap().to_vec();
    // The key is the OCTET STRING of 32 bytes (`04 20`) inside the PKCS#8.
    let at = der.windows(2).position(|w| w == [0x04, 0x20]).unwrap() + 2 + 5;
    der[at] ^= 0x01;
    p.key = cxf::SecretB64::encode(&der);
}

#[test]
fn the_ceremony_fails_for_a_damaged_passkey() {
    // Each damage a writer could do makes the sign-in fail, so "signs in" in the table means
    // the converted passkey is the original one.
    let vault = vault();
    let (converted, _) = through(Format::Kdbx, &vault);
    for (i, case) in CASES.iter().enumerate() {
        let original = passkeys(&vault)[i].1;
        let whole: Vec<RsPasskey> = passkeys(&converted)
            .iter()
            .filter_map(|(_, p)| to_passkey_rs(p))
            .collect();
        assert!(sign_in(original, &whole).is_ok(), "{}", case.name);
        let other_key = RustCryptoBackend
            .generate_key(case.alg)
            .unwrap()
            .to_pkcs8()
            .unwrap();
        let damages: [(&str, Damage); 5] = [
            ("a bit of the key flipped", Box::new(flip_key_bit)),
            (
                "another key",
                Box::new(move |p| p.key = cxf::SecretB64::encode(&other_key)),
            ),
            (
                "the RP ID changed",
                Box::new(|p| p.rp_id = format!("www.{}", p.rp_id).into()),
            ),
            (
                "the credential id changed",
                Box::new(|p| p.credential_id = cxf::B64::encode(b"another credential id")),
            ),
            (
                "the user handle changed",
                Box::new(|p| p.user_handle = cxf::B64::encode(b"someone else")),
            ),
        ];
        for (what, damage) in damages {
            if what == "the user handle changed" && !case.handle {
                // Without a user handle the RP names the credential; the handle is not used.
                continue;
            }
            let result = sign_in(original, &damaged(&converted, i, damage));
            assert!(result.is_err(), "{}: signs in with {what}", case.name);
        }
    }
}

#[test]
fn a_damaged_prf_seed_changes_the_prf_output() {
    // The PRF comparison of the table can fail: other seeds give another output.
    let vault = vault();
    let i = CASES.iter().position(|c| c.extensions).unwrap();
    let original = passkeys(&vault)[i].1;
    let mut other = original.clone();
    let x = other.fido2_extensions.as_mut().unwrap();
    let h = x.hmac_credentials.as_mut().unwrap();
    std::mem::swap(&mut h.cred_with_uv, h.cred_without_uv.as_mut().unwrap());
    let expected = original_prf(original);
    assert!(expected.as_ref().is_some_and(|o| o.len() == 32));
    let got = sign_in(original, &[to_passkey_rs(&other).unwrap()])
        .unwrap()
        .prf;
    assert_ne!(got, expected);
}

#[test]
fn proton_pass_passkeys_sign_in_after_every_path() {
    // A reader that yields passkeys without a writer of its own (Proton Pass): its passkeys, as
    // read (the reader's own test checks their public keys against the ones Proton stored),
    // sign in with the authenticator directly, and after every target that holds passkeys
    // they sign in or are reported lost.
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/formats/protonpass-json/passkeys.json");
    let (proton, _) = formats::read(
        Format::ProtonpassJson,
        &std::fs::read(path).unwrap(),
        &ReadOptions::default().with_timestamp(1_750_000_000),
    )
    .unwrap();
    let read = passkeys(&proton);
    assert_eq!(read.len(), 3, "the fixture's three readable passkeys");
    let mut failures = Vec::new();
    for (_, p) in &read {
        if let Err(why) = sign_in(p, &[to_passkey_rs(p).unwrap()]) {
            failures.push(format!("as read: {}: {why}", p.rp_id.as_str()));
        }
    }
    for target in targets()
        .into_iter()
        .filter(|t| t.writes().contains(&Kind::Passkeys))
    {
        let (back, loss) = through(target, &proton);
        let loaded: Vec<RsPasskey> = passkeys(&back)
            .iter()
            .filter_map(|(_, p)| to_passkey_rs(p))
            .collect();
        for (pointer, p) in &read {
            match (sign_in(p, &loaded), reported_lost(&loss, pointer)) {
                (Ok(_), None) | (Err(_), Some(_)) => {}
                (Ok(_), Some(e)) => failures.push(format!(
                    "{target}: {pointer} signs in but is reported lost: {}",
                    e.detail
                )),
                (Err(why), None) => failures.push(format!(
                    "{target}: {pointer} is not reported lost and does not sign in: {why}"
                )),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
