//! The public key of a passkey as a relying party stores it: a COSE_Key (RFC 9052 §7, RFC 9053)
//! derived from the PKCS#8 private key in [`Passkey::key`], CBOR-encoded in the CTAP2 canonical
//! form authenticators use in `attestedCredentialData` (WebAuthn §6.5.1).
//!
//! Lets a user compare an exported passkey with the public key a relying party registered,
//! without ever showing the private key.
//!
//! | PKCS#8 algorithm | COSE `alg` | COSE_Key members (in this order) |
//! |---|---|---|
//! | EC P-256 | ES256 (-7) | `1` kty = 2 (EC2), `3` alg, `-1` crv = 1 (P-256), `-2` x, `-3` y |
//! | Ed25519 | EdDSA (-8) | `1` kty = 1 (OKP), `3` alg, `-1` crv = 6 (Ed25519), `-2` x |
//! | RSA (`rsaEncryption`) | RS256 (-257) | `1` kty = 3 (RSA), `3` alg, `-1` n, `-2` e |
//! | RSA (`RSASSA-PSS`) | PS256 (-37) | as RSA |
//!
//! ```
//! # let p256_pkcs8 = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgnLUqkG548jgNoZ1nmyepDnuDS9F6lJUoqtE5KruNehKhRANCAAR025alt2HxMyRmhOa8KBbNnmKzgWQcvqVpg3thmChBdbCwivJTtGQIYq9PWfslKWtxmmuhuympb6GTXjUlSmMk";
//! let passkey = cxf::Passkey { key: cxf::SecretB64::from_secret(p256_pkcs8.into()), ..Default::default() };
//! let public = passkey.public_key_cose()?;
//! assert_eq!(public.algorithm, cxf::cose::CoseAlgorithm::Es256);
//! assert_eq!(public.algorithm.id(), -7);
//! assert_eq!(&public.cose_key[..3], [0xa5, 0x01, 0x02]); // map(5), kty: EC2
//! # Ok::<(), cxf::cose::CoseError>(())
//! ```

use pkcs8::der::Decode as _;
use pkcs8::{ObjectIdentifier, PrivateKeyInfoRef};
use zeroize::Zeroizing;

use crate::Passkey;

const ID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const ID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const RSASSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");

/// A COSE signature algorithm (IANA "COSE Algorithms" registry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CoseAlgorithm {
    /// ECDSA with SHA-256 on P-256 (-7).
    Es256,
    /// EdDSA, here Ed25519 (-8).
    EdDsa,
    /// RSASSA-PKCS1-v1_5 with SHA-256 (-257).
    Rs256,
    /// RSASSA-PSS with SHA-256 (-37).
    Ps256,
}

impl CoseAlgorithm {
    /// The registered integer identifier (`alg` in a COSE_Key, `pubKeyCredParams` in WebAuthn).
    pub fn id(self) -> i64 {
        match self {
            CoseAlgorithm::Es256 => -7,
            CoseAlgorithm::EdDsa => -8,
            CoseAlgorithm::Rs256 => -257,
            CoseAlgorithm::Ps256 => -37,
        }
    }

    /// The registered name (`ES256`, `EdDSA`, `RS256`, `PS256`).
    pub fn name(self) -> &'static str {
        match self {
            CoseAlgorithm::Es256 => "ES256",
            CoseAlgorithm::EdDsa => "EdDSA",
            CoseAlgorithm::Rs256 => "RS256",
            CoseAlgorithm::Ps256 => "PS256",
        }
    }
}

impl std::fmt::Display for CoseAlgorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.name(), self.id())
    }
}

/// A public key as a COSE_Key. Public data: safe to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CosePublicKey {
    /// The algorithm the key is for.
    pub algorithm: CoseAlgorithm,
    /// The COSE_Key, CBOR-encoded (CTAP2 canonical member order).
    pub cose_key: Vec<u8>,
}

/// Why no public key could be derived. Messages never contain key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CoseError {
    /// The `key` member is not base64url.
    #[error("the key is not base64url")]
    NotBase64url,
    /// The key is not a PKCS#8 `PrivateKeyInfo`.
    #[error("the key is not a PKCS#8 private key")]
    NotPkcs8,
    /// The key's algorithm has no COSE mapping here (e.g. EC P-384, Ed448).
    #[error("no COSE public key for this key algorithm ({0})")]
    UnsupportedAlgorithm(String),
    /// The key material is malformed (scalar out of range, wrong length, bad RSA structure).
    #[error("the private key is malformed")]
    InvalidKey,
}

impl Passkey {
    /// The COSE_Key of this passkey's public key, derived from [`Passkey::key`] (see
    /// [`crate::cose`]).
    pub fn public_key_cose(&self) -> Result<CosePublicKey, CoseError> {
        let der = self.key.decode().map_err(|_| CoseError::NotBase64url)?;
        public_key_cose(&der)
    }
}

/// The COSE_Key of the public key of a PKCS#8 DER private key.
pub fn public_key_cose(pkcs8_der: &[u8]) -> Result<CosePublicKey, CoseError> {
    let info = PrivateKeyInfoRef::from_der(pkcs8_der).map_err(|_| CoseError::NotPkcs8)?;
    let oid = info.algorithm.oid;
    let inner = info.private_key.as_bytes();
    if oid == ID_EC_PUBLIC_KEY {
        match info.algorithm.parameters_oid() {
            Ok(curve) if curve == SECP256R1 => p256_cose(pkcs8_der),
            Ok(curve) => Err(CoseError::UnsupportedAlgorithm(format!("EC curve {curve}"))),
            Err(_) => Err(CoseError::UnsupportedAlgorithm("EC without a curve".into())),
        }
    } else if oid == ID_ED25519 {
        ed25519_cose(inner)
    } else if oid == RSA_ENCRYPTION {
        rsa_cose(inner, CoseAlgorithm::Rs256)
    } else if oid == RSASSA_PSS {
        rsa_cose(inner, CoseAlgorithm::Ps256)
    } else {
        Err(CoseError::UnsupportedAlgorithm(oid.to_string()))
    }
}

/// CBOR-encodes a COSE_Key given as (label, value) pairs, in the order given.
fn encode(members: Vec<(i64, ciborium::Value)>) -> Vec<u8> {
    let map = ciborium::Value::Map(
        members
            .into_iter()
            .map(|(k, v)| (ciborium::Value::Integer(k.into()), v))
            .collect(),
    );
    let mut out = Vec::new();
    ciborium::into_writer(&map, &mut out).expect("CBOR encoding into a Vec cannot fail");
    out
}

fn int(v: i64) -> ciborium::Value {
    ciborium::Value::Integer(v.into())
}

fn p256_cose(der: &[u8]) -> Result<CosePublicKey, CoseError> {
    use p256::elliptic_curve::sec1::ToSec1Point as _;
    use p256::pkcs8::DecodePrivateKey as _;
    let secret = p256::SecretKey::from_pkcs8_der(der).map_err(|_| CoseError::InvalidKey)?;
    let point = secret.public_key().to_sec1_point(false);
    let (Some(x), Some(y)) = (point.x(), point.y()) else {
        return Err(CoseError::InvalidKey);
    };
    let alg = CoseAlgorithm::Es256;
    Ok(CosePublicKey {
        algorithm: alg,
        cose_key: encode(vec![
            (1, int(2)),
            (3, int(alg.id())),
            (-1, int(1)),
            (-2, ciborium::Value::Bytes(x.to_vec())),
            (-3, ciborium::Value::Bytes(y.to_vec())),
        ]),
    })
}

fn ed25519_cose(inner: &[u8]) -> Result<CosePublicKey, CoseError> {
    use sha2::Digest as _;
    // RFC 8410: CurvePrivateKey ::= OCTET STRING (the 32-byte seed).
    let seed = match inner {
        [0x04, 32, seed @ ..] if seed.len() == 32 => seed,
        _ => return Err(CoseError::InvalidKey),
    };
    // RFC 8032 §5.1.5: the public key is [clamp(SHA-512(seed)[..32])]B.
    let hash = Zeroizing::new(sha2::Sha512::digest(seed));
    let mut scalar = Zeroizing::new([0u8; 32]);
    scalar.copy_from_slice(&hash[..32]);
    let public = curve25519_dalek::EdwardsPoint::mul_base_clamped(*scalar).compress();
    let alg = CoseAlgorithm::EdDsa;
    Ok(CosePublicKey {
        algorithm: alg,
        cose_key: encode(vec![
            (1, int(1)),
            (3, int(alg.id())),
            (-1, int(6)),
            (-2, ciborium::Value::Bytes(public.as_bytes().to_vec())),
        ]),
    })
}

/// One DER TLV: (tag, contents, rest). Definite lengths up to 4 length octets.
fn tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        (len, &rest[n..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

/// An unsigned DER INTEGER's big-endian magnitude, without the sign octet.
fn uint(contents: &[u8]) -> Option<&[u8]> {
    if contents.first().is_none_or(|&b| b & 0x80 != 0) {
        return None; // empty or negative
    }
    let start = contents.iter().position(|&b| b != 0)?;
    Some(&contents[start..])
}

fn rsa_cose(inner: &[u8], alg: CoseAlgorithm) -> Result<CosePublicKey, CoseError> {
    // RFC 8017 A.1.2: RSAPrivateKey ::= SEQUENCE { version, modulus, publicExponent, ... }:
    // the public key is the first two integers, no arithmetic needed.
    let parse = || {
        let (0x30, body, _) = tlv(inner)? else {
            return None;
        };
        let (0x02, _version, rest) = tlv(body)? else {
            return None;
        };
        let (0x02, n, rest) = tlv(rest)? else {
            return None;
        };
        let (0x02, e, _) = tlv(rest)? else {
            return None;
        };
        Some((uint(n)?.to_vec(), uint(e)?.to_vec()))
    };
    let (n, e) = parse().ok_or(CoseError::InvalidKey)?;
    Ok(CosePublicKey {
        algorithm: alg,
        cose_key: encode(vec![
            (1, int(3)),
            (3, int(alg.id())),
            (-1, ciborium::Value::Bytes(n)),
            (-2, ciborium::Value::Bytes(e)),
        ]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SecretB64;
    use base64::Engine as _;

    fn b64(s: &str) -> Vec<u8> {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(s)
            .unwrap()
    }

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// Synthetic test keys (generated for these tests, no real use).
    const P256_PKCS8: &str = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgnLUqkG548jgNoZ1nmyepDnuDS9F6lJUoqtE5KruNehKhRANCAAR025alt2HxMyRmhOa8KBbNnmKzgWQcvqVpg3thmChBdbCwivJTtGQIYq9PWfslKWtxmmuhuympb6GTXjUlSmMk";
    const RSA_PKCS8: &str = "MIICdgIBADANBgkqhkiG9w0BAQEFAASCAmAwggJcAgEAAoGBAMjgVaDyE4cbI6wCW8VLLSEHJOyJhXzmi3n7ifhQOCMomSCU6moomSzl5hU80jAC5zJT5UabChrLupS_FEqWtG1Xi4dd9gLyH2tPzpjNRO4fVyc9gNl8_5sbXsr_En4pYdDGTox3dBY4wi5SPg_H-U3bCOCDh0ZJ47TAiT9ziuMvAgMBAAECgYEAhkTdN61XvDE50NnquZ-cVL1PwwPRREFd7XVjLaWBQI78e7jOT5M_f7FT79IttIXcP9mwIVe0k2CmIJLwX0MI6fWQSbr9ydqPoEb1aHbruILZ5-2PHDgOBQhKP3MhrJXR5YogpZwsXvDutvod3TxqzGYKg9DadWzVn3jd7lL_z6ECQQDyL9vbrlp7e3EKgJKZxPdqGoNsKG0R81o6J5zYg4FEUCcowLVuaOb8d-DeT8OMq-N-4r4parx2GB9zKzvhZSxJAkEA1FVN3qP20SqVDNSpFO9XSxu74uIDxQUYFlFf1ukgZ9SS2-VuPKJZaNW3YBpvYCF51G96ANN2yrgk-oniI1hjtwJARWKgwpd5JNeA01lypstfdu6RqHMMjJAD0ZV3wjAq4L91-J79W9yCEOLnccm4ZJz6WGftwz_pLoxKtlw0k6bAwQJAC3WjIz30JyvGKZAco_2a13nitQb_rxVsTGAN7Rpd3lyxpF6IiYs1ihvmrrAejLCh055ElmDTS3OOw1rHsqKllwJAZWxAa4Sul3PEAgh35xXLYRX45HdbvHHGc3vIYbDLCJf-pNx6eWLjwdh_yEkIS9msAfVjREA9VEd5Apjd8DqOBA";

    fn decode_map(cbor: &[u8]) -> Vec<(i128, ciborium::Value)> {
        let v: ciborium::Value = ciborium::from_reader(cbor).unwrap();
        v.into_map()
            .unwrap()
            .into_iter()
            .map(|(k, v)| (i128::from(k.into_integer().unwrap()), v))
            .collect()
    }

    #[test]
    fn p256_cose_key_matches_the_public_key_embedded_in_the_pkcs8() {
        let der = b64(P256_PKCS8);
        // The PKCS#8 ends with the embedded public key: BIT STRING 00 || 04 || x || y.
        let embedded = &der[der.len() - 65..];
        assert_eq!(embedded[0], 0x04);
        let key = public_key_cose(&der).unwrap();
        assert_eq!(key.algorithm, CoseAlgorithm::Es256);
        assert_eq!(key.algorithm.id(), -7);
        let map = decode_map(&key.cose_key);
        let labels: Vec<i128> = map.iter().map(|(k, _)| *k).collect();
        assert_eq!(labels, [1, 3, -1, -2, -3], "CTAP2 canonical order");
        assert_eq!(map[0].1, int(2));
        assert_eq!(map[1].1, int(-7));
        assert_eq!(map[2].1, int(1));
        assert_eq!(map[3].1.as_bytes().unwrap(), &embedded[1..33]);
        assert_eq!(map[4].1.as_bytes().unwrap(), &embedded[33..]);
        // The exact bytes: a5 01 02 03 26 20 01 21 58 20 x 22 58 20 y.
        let mut want = hex("a50102032620012158 20".replace(' ', "").as_str());
        want.extend_from_slice(&embedded[1..33]);
        want.extend_from_slice(&hex("225820"));
        want.extend_from_slice(&embedded[33..]);
        assert_eq!(key.cose_key, want);
    }

    #[test]
    fn ed25519_matches_rfc8032_test_vector_1() {
        let mut der = hex("302e020100300506032b657004220420");
        der.extend(hex(
            "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        ));
        let key = public_key_cose(&der).unwrap();
        assert_eq!(key.algorithm, CoseAlgorithm::EdDsa);
        let map = decode_map(&key.cose_key);
        assert_eq!(
            map,
            [
                (1, int(1)),
                (3, int(-8)),
                (-1, int(6)),
                (
                    -2,
                    ciborium::Value::Bytes(hex(
                        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
                    ))
                ),
            ]
        );
    }

    #[test]
    fn rsa_cose_key_has_modulus_and_exponent() {
        let key = public_key_cose(&b64(RSA_PKCS8)).unwrap();
        assert_eq!(key.algorithm, CoseAlgorithm::Rs256);
        assert_eq!(key.algorithm.id(), -257);
        let map = decode_map(&key.cose_key);
        assert_eq!(map[0], (1, int(3)));
        assert_eq!(map[1], (3, int(-257)));
        let n = map[2].1.as_bytes().unwrap();
        assert_eq!(n.len(), 128, "RSA-1024 modulus without the sign octet");
        assert_eq!(&n[..5], hex("c8e055a0f2"));
        assert_eq!(map[3], (-2, ciborium::Value::Bytes(vec![1, 0, 1])));
    }

    #[test]
    fn errors_are_opaque_and_specific() {
        assert_eq!(public_key_cose(b"junk"), Err(CoseError::NotPkcs8));
        let mut bad = b64(P256_PKCS8);
        let last = bad.len() - 1;
        bad[last] ^= 1; // embedded public key no longer matches
        assert_eq!(public_key_cose(&bad), Err(CoseError::InvalidKey));
        let passkey = Passkey {
            key: SecretB64::from_secret("not base64url!".into()),
            ..Default::default()
        };
        assert_eq!(passkey.public_key_cose(), Err(CoseError::NotBase64url));
        let passkey = Passkey {
            key: SecretB64::from_secret(P256_PKCS8.into()),
            ..Default::default()
        };
        assert_eq!(passkey.public_key_cose().unwrap().algorithm.name(), "ES256");
        // No error message carries key bytes.
        assert!(!CoseError::InvalidKey.to_string().contains("MIG"));
    }
}
