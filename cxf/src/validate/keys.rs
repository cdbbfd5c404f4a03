//! PKCS#8 private key analysis for passkey `key` and ssh-key `privateKey`.
//!
//! P-256 keys are fully checked with `p256` (scalar in range, embedded public key equal to the
//! derived one); the other algorithms WebAuthn and SSH use are recognised by OID, and Ed25519 /
//! Ed448 key lengths are checked.

use pkcs8::der::Decode as _;
use pkcs8::{ObjectIdentifier, PrivateKeyInfoRef};

const ID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const SECP521R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");
const ID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const ID_ED448: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.113");
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const RSASSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");

/// The key algorithm named by a PKCS#8 `AlgorithmIdentifier`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum KeyAlg {
    /// EC, curve P-256 (WebAuthn ES256).
    P256,
    /// EC, curve P-384.
    P384,
    /// EC, curve P-521.
    P521,
    /// EC on another curve (dotted OID of the curve).
    OtherEc(String),
    /// Ed25519.
    Ed25519,
    /// Ed448.
    Ed448,
    /// RSA (rsaEncryption or RSASSA-PSS).
    Rsa,
    /// Any other algorithm (dotted OID).
    Other(String),
}

impl KeyAlg {
    /// Short human name for messages.
    pub(crate) fn name(&self) -> String {
        match self {
            KeyAlg::P256 => "EC P-256".into(),
            KeyAlg::P384 => "EC P-384".into(),
            KeyAlg::P521 => "EC P-521".into(),
            KeyAlg::OtherEc(oid) => format!("EC curve {oid}"),
            KeyAlg::Ed25519 => "Ed25519".into(),
            KeyAlg::Ed448 => "Ed448".into(),
            KeyAlg::Rsa => "RSA".into(),
            KeyAlg::Other(oid) => format!("algorithm {oid}"),
        }
    }
}

/// What a DER blob that should be a PKCS#8 private key turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum KeyCheck {
    /// A PKCS#8 `PrivateKeyInfo`; `problem` says what is wrong with the key material, if anything.
    Pkcs8 {
        /// The algorithm.
        alg: KeyAlg,
        /// Why the key material is unusable (e.g. public key mismatch), if it is.
        problem: Option<&'static str>,
    },
    /// A SEC1 `ECPrivateKey` (RFC 5915), not wrapped in PKCS#8.
    Sec1,
    /// An OpenSSH `openssh-key-v1` private key blob.
    OpenSsh,
    /// A PKCS#1 `RSAPrivateKey`, not wrapped in PKCS#8.
    Pkcs1,
    /// Something else.
    NotPkcs8,
}

/// Analyse `der` as a PKCS#8 private key.
pub(crate) fn analyse(der: &[u8]) -> KeyCheck {
    let Ok(info) = PrivateKeyInfoRef::from_der(der) else {
        return classify_other(der);
    };
    let oid = info.algorithm.oid;
    let alg = if oid == ID_EC_PUBLIC_KEY {
        match info.algorithm.parameters_oid() {
            Ok(c) if c == SECP256R1 => KeyAlg::P256,
            Ok(c) if c == SECP384R1 => KeyAlg::P384,
            Ok(c) if c == SECP521R1 => KeyAlg::P521,
            Ok(c) => KeyAlg::OtherEc(c.to_string()),
            Err(_) => KeyAlg::OtherEc("(missing)".into()),
        }
    } else if oid == ID_ED25519 {
        KeyAlg::Ed25519
    } else if oid == ID_ED448 {
        KeyAlg::Ed448
    } else if oid == RSA_ENCRYPTION || oid == RSASSA_PSS {
        KeyAlg::Rsa
    } else {
        KeyAlg::Other(oid.to_string())
    };
    let inner = info.private_key.as_bytes();
    let problem = match alg {
        KeyAlg::P256 => check_p256(der),
        // RFC 8410: CurvePrivateKey ::= OCTET STRING (04 len key).
        KeyAlg::Ed25519 => (inner.len() != 34 || inner[..2] != [0x04, 32])
            .then_some("an Ed25519 private key must be a 32-byte OCTET STRING (RFC 8410)"),
        KeyAlg::Ed448 => (inner.len() != 59 || inner[..2] != [0x04, 57])
            .then_some("an Ed448 private key must be a 57-byte OCTET STRING (RFC 8410)"),
        KeyAlg::Rsa | KeyAlg::P384 | KeyAlg::P521 => {
            (inner.first() != Some(&0x30)).then_some("the inner private key is not a DER SEQUENCE")
        }
        KeyAlg::OtherEc(_) | KeyAlg::Other(_) => None,
    };
    KeyCheck::Pkcs8 { alg, problem }
}

/// The problem of a P-256 key that `p256` refuses (the batch path reports it too).
pub(crate) const P256_UNUSABLE: &str = "the P-256 key is unusable: scalar out of range, malformed ECPrivateKey, or its public key does not match";

fn check_p256(der: &[u8]) -> Option<&'static str> {
    use p256::pkcs8::DecodePrivateKey as _;
    // elliptic-curve rejects a zero / out-of-range scalar (so the public key is derivable) and
    // an embedded public key that differs from the derived one.
    match p256::SecretKey::from_pkcs8_der(der) {
        Ok(_) => None,
        Err(_) => Some(P256_UNUSABLE),
    }
}

/// Header of a DER SEQUENCE: returns the contents after the tag and length.
fn seq_body(der: &[u8]) -> Option<&[u8]> {
    let (&tag, rest) = der.split_first()?;
    if tag != 0x30 {
        return None;
    }
    let (&len0, rest) = rest.split_first()?;
    let skip = if len0 < 0x80 {
        0
    } else {
        usize::from(len0 & 0x7f)
    };
    rest.get(skip..)
}

fn classify_other(der: &[u8]) -> KeyCheck {
    if der.starts_with(b"openssh-key-v1\0") {
        return KeyCheck::OpenSsh;
    }
    match seq_body(der) {
        // ECPrivateKey ::= SEQUENCE { version INTEGER (1), privateKey OCTET STRING, ... }
        Some([0x02, 0x01, 0x01, 0x04, ..]) => KeyCheck::Sec1,
        // RSAPrivateKey ::= SEQUENCE { version INTEGER (0), modulus INTEGER, ... }
        Some([0x02, 0x01, 0x00, 0x02, ..]) => KeyCheck::Pkcs1,
        _ => KeyCheck::NotPkcs8,
    }
}

/// Whether an SSH `keyType` name fits a PKCS#8 algorithm. `None` when the key type is one we
/// cannot map (unknown, certificate or security-key types).
pub(crate) fn ssh_key_type_matches(key_type: &str, alg: &KeyAlg) -> Option<bool> {
    let expected = match key_type {
        "ssh-ed25519" => KeyAlg::Ed25519,
        "ssh-ed448" => KeyAlg::Ed448,
        "ssh-rsa" | "rsa-sha2-256" | "rsa-sha2-512" => KeyAlg::Rsa,
        "ecdsa-sha2-nistp256" => KeyAlg::P256,
        "ecdsa-sha2-nistp384" => KeyAlg::P384,
        "ecdsa-sha2-nistp521" => KeyAlg::P521,
        _ => return None,
    };
    Some(&expected == alg)
}

/// Public key algorithm names from the IANA "Secure Shell (SSH) Protocol Parameters" registry
/// (and the OpenSSH names in common use) that a private key can have.
pub(crate) const SSH_KEY_TYPES: [&str; 16] = [
    "ssh-rsa",
    "rsa-sha2-256",
    "rsa-sha2-512",
    "ssh-dss",
    "ssh-ed25519",
    "ssh-ed448",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
    "x509v3-ssh-rsa",
    "x509v3-ssh-dss",
    "x509v3-ecdsa-sha2-nistp256",
    "x509v3-ecdsa-sha2-nistp384",
    "x509v3-ecdsa-sha2-nistp521",
];

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use base64::Engine as _;

    fn b64(s: &str) -> Vec<u8> {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(s)
            .unwrap()
    }

    /// A synthetic P-256 PKCS#8 key (generated for these tests, no real use).
    pub(crate) const P256_PKCS8: &str = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgnLUqkG548jgNoZ1nmyepDnuDS9F6lJUoqtE5KruNehKhRANCAAR025alt2HxMyRmhOa8KBbNnmKzgWQcvqVpg3thmChBdbCwivJTtGQIYq9PWfslKWtxmmuhuympb6GTXjUlSmMk";
    /// The same key as a bare SEC1 `ECPrivateKey`.
    pub(crate) const P256_SEC1: &str = "MHcCAQEEIJy1KpBuePI4DaGdZ5snqQ57g0vRepSVKKrROSq7jXoSoAoGCCqGSM49AwEHoUQDQgAEdNuWpbdh8TMkZoTmvCgWzZ5is4FkHL6laYN7YZgoQXWwsIryU7RkCGKvT1n7JSlrcZprobspqW-hk141JUpjJA";
    /// A synthetic Ed25519 PKCS#8 key.
    pub(crate) const ED25519_PKCS8: &str =
        "MC4CAQAwBQYDK2VwBCIEIBZu5RBXJr0p8bzeu0uSnpEimRdbVMuxC_uLJ4R9dl-q";

    /// A synthetic RSA-1024 PKCS#8 key.
    pub(crate) const RSA_PKCS8: &str = "MIICdgIBADANBgkqhkiG9w0BAQEFAASCAmAwggJcAgEAAoGBAMjgVaDyE4cbI6wCW8VLLSEHJOyJhXzmi3n7ifhQOCMomSCU6moomSzl5hU80jAC5zJT5UabChrLupS_FEqWtG1Xi4dd9gLyH2tPzpjNRO4fVyc9gNl8_5sbXsr_En4pYdDGTox3dBY4wi5SPg_H-U3bCOCDh0ZJ47TAiT9ziuMvAgMBAAECgYEAhkTdN61XvDE50NnquZ-cVL1PwwPRREFd7XVjLaWBQI78e7jOT5M_f7FT79IttIXcP9mwIVe0k2CmIJLwX0MI6fWQSbr9ydqPoEb1aHbruILZ5-2PHDgOBQhKP3MhrJXR5YogpZwsXvDutvod3TxqzGYKg9DadWzVn3jd7lL_z6ECQQDyL9vbrlp7e3EKgJKZxPdqGoNsKG0R81o6J5zYg4FEUCcowLVuaOb8d-DeT8OMq-N-4r4parx2GB9zKzvhZSxJAkEA1FVN3qP20SqVDNSpFO9XSxu74uIDxQUYFlFf1ukgZ9SS2-VuPKJZaNW3YBpvYCF51G96ANN2yrgk-oniI1hjtwJARWKgwpd5JNeA01lypstfdu6RqHMMjJAD0ZV3wjAq4L91-J79W9yCEOLnccm4ZJz6WGftwz_pLoxKtlw0k6bAwQJAC3WjIz30JyvGKZAco_2a13nitQb_rxVsTGAN7Rpd3lyxpF6IiYs1ihvmrrAejLCh055ElmDTS3OOw1rHsqKllwJAZWxAa4Sul3PEAgh35xXLYRX45HdbvHHGc3vIYbDLCJf-pNx6eWLjwdh_yEkIS9msAfVjREA9VEd5Apjd8DqOBA";
    /// The same RSA key as PKCS#1 `RSAPrivateKey`.
    const RSA_PKCS1: &str = "MIICXAIBAAKBgQDI4FWg8hOHGyOsAlvFSy0hByTsiYV85ot5-4n4UDgjKJkglOpqKJks5eYVPNIwAucyU-VGmwoay7qUvxRKlrRtV4uHXfYC8h9rT86YzUTuH1cnPYDZfP-bG17K_xJ-KWHQxk6Md3QWOMIuUj4Px_lN2wjgg4dGSeO0wIk_c4rjLwIDAQABAoGBAIZE3TetV7wxOdDZ6rmfnFS9T8MD0URBXe11Yy2lgUCO_Hu4zk-TP3-xU-_SLbSF3D_ZsCFXtJNgpiCS8F9DCOn1kEm6_cnaj6BG9Wh267iC2eftjxw4DgUISj9zIayV0eWKIKWcLF7w7rb6Hd08asxmCoPQ2nVs1Z943e5S_8-hAkEA8i_b265ae3txCoCSmcT3ahqDbChtEfNaOiec2IOBRFAnKMC1bmjm_Hfg3k_DjKvjfuK-KWq8dhgfcys74WUsSQJBANRVTd6j9tEqlQzUqRTvV0sbu-LiA8UFGBZRX9bpIGfUktvlbjyiWWjVt2Aab2AhedRvegDTdsq4JPqJ4iNYY7cCQEVioMKXeSTXgNNZcqbLX3bukahzDIyQA9GVd8IwKuC_dfie_VvcghDi53HJuGSc-lhn7cM_6S6MSrZcNJOmwMECQAt1oyM99CcrximQHKP9mtd54rUG_68VbExgDe0aXd5csaReiImLNYob5q6wHoywodOeRJZg00tzjsNax7KipZcCQGVsQGuErpdzxAIId-cVy2EV-OR3W7xxxnN7yGGwywiX_qTcenli48HYf8hJCEvZrAH1Y0RAPVRHeQKY3fA6jgQ";

    #[test]
    fn rsa_is_recognised_in_both_wrappings() {
        assert_eq!(
            analyse(&b64(RSA_PKCS8)),
            KeyCheck::Pkcs8 {
                alg: KeyAlg::Rsa,
                problem: None
            }
        );
        assert_eq!(analyse(&b64(RSA_PKCS1)), KeyCheck::Pkcs1);
        assert_eq!(
            ssh_key_type_matches("rsa-sha2-512", &KeyAlg::Rsa),
            Some(true)
        );
    }

    #[test]
    fn p256_pkcs8_is_valid() {
        assert_eq!(
            analyse(&b64(P256_PKCS8)),
            KeyCheck::Pkcs8 {
                alg: KeyAlg::P256,
                problem: None
            }
        );
    }

    #[test]
    fn p256_with_wrong_public_key_is_flagged() {
        let mut der = b64(P256_PKCS8);
        let last = der.len() - 1;
        der[last] ^= 0x01; // flip a bit of the embedded public key's Y coordinate
        match analyse(&der) {
            KeyCheck::Pkcs8 {
                alg: KeyAlg::P256,
                problem: Some(_),
            } => {}
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn sec1_and_garbage_are_recognised() {
        assert_eq!(analyse(&b64(P256_SEC1)), KeyCheck::Sec1);
        assert_eq!(analyse(b"openssh-key-v1\0rest"), KeyCheck::OpenSsh);
        assert_eq!(analyse(b"hello"), KeyCheck::NotPkcs8);
        assert_eq!(analyse(&[]), KeyCheck::NotPkcs8);
    }

    #[test]
    fn ed25519_is_recognised_and_length_checked() {
        assert_eq!(
            analyse(&b64(ED25519_PKCS8)),
            KeyCheck::Pkcs8 {
                alg: KeyAlg::Ed25519,
                problem: None
            }
        );
        assert_eq!(
            ssh_key_type_matches("ssh-ed25519", &KeyAlg::Ed25519),
            Some(true)
        );
        assert_eq!(
            ssh_key_type_matches("ssh-rsa", &KeyAlg::Ed25519),
            Some(false)
        );
        assert_eq!(ssh_key_type_matches("foo", &KeyAlg::Ed25519), None);
    }
}
