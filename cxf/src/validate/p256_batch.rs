//! Batched check that P-256 passkey keys hold the public key they embed.
//!
//! `passkey.key-invalid` needs `d·G == Q` for every PKCS#8 key that embeds its public key `Q`:
//! one constant-time fixed-base scalar multiplication per key, which dominated validation time
//! (a 100,000-item vault with 20,000 passkeys). A batch of keys is checked at once with a random
//! linear combination: `(Σ rᵢ·dᵢ)·G == Σ rᵢ·Qᵢ` for fresh random 128-bit `rᵢ`. The left side is
//! one constant-time multiplication (the only one touching secrets); the right side involves
//! public values only (`Qᵢ` from the file, `rᵢ` random) and uses a variable-time multi-scalar
//! multiplication. If any key of the batch is wrong the equation fails except with probability
//! about 2⁻¹²⁸ (the `rᵢ` are unknown when the file is written); a failing batch is re-checked
//! key by key, so diagnostics are exactly those of the per-key check.
//!
//! Only keys of the usual shape take this path (PKCS#8 `id-ecPublicKey`/P-256 wrapping an
//! `ECPrivateKey` v1 with a 32-byte scalar, optional P-256 parameters and an uncompressed public
//! key, nothing else); any other key goes through the per-key check.

use std::hash::{BuildHasher as _, Hasher as _};

use p256::elliptic_curve::group::Group as _;
use p256::elliptic_curve::ops::LinearCombination as _;
use p256::{ProjectivePoint, PublicKey, Scalar, SecretKey};
use pkcs8::der::Decode as _;
use pkcs8::{ObjectIdentifier, PrivateKeyInfoRef};
use sha2::Digest as _;
use zeroize::Zeroize as _;

const ID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
/// DER of the `secp256r1` OID (`[0] parameters` of an ECPrivateKey).
const SECP256R1_DER: [u8; 10] = [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];

/// Keys per batch: large enough to share the work, small enough that a bad key costs little.
pub(crate) const BATCH: usize = 128;

/// A P-256 key and the public key it embeds, ready for a batch check.
pub(crate) struct Candidate {
    secret: SecretKey,
    public: ProjectivePoint,
}

/// One DER TLV with a short or one/two-octet length, minimally encoded as DER requires (a
/// key the strict decoder would reject must not take this path): (tag, contents, rest).
fn tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = match first {
        0x00..=0x7f => (usize::from(first), rest),
        0x81 => (usize::from(*rest.first()?), rest.get(1..)?),
        0x82 => (
            usize::from(u16::from_be_bytes([*rest.first()?, *rest.get(1)?])),
            rest.get(2..)?,
        ),
        _ => return None,
    };
    let minimal = match first {
        0x81 => len >= 0x80,
        0x82 => len >= 0x100,
        _ => true,
    };
    if !minimal {
        return None;
    }
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

/// The key as a batch candidate, when it has the usual shape and embeds a public key.
pub(crate) fn candidate(der: &[u8]) -> Option<Candidate> {
    let info = PrivateKeyInfoRef::from_der(der).ok()?;
    if info.algorithm.oid != ID_EC_PUBLIC_KEY || info.algorithm.parameters_oid().ok()? != SECP256R1
    {
        return None;
    }
    // ECPrivateKey ::= SEQUENCE { version 1, privateKey OCTET STRING (32),
    //                             [0] parameters OPTIONAL, [1] publicKey BIT STRING OPTIONAL }
    let (0x30, body, []) = tlv(info.private_key.as_bytes())? else {
        return None;
    };
    let (0x02, [1], rest) = tlv(body)? else {
        return None;
    };
    let (0x04, scalar, mut rest) = tlv(rest)? else {
        return None;
    };
    if scalar.len() != 32 {
        return None;
    }
    if let Some((0xa0, params, after)) = tlv(rest) {
        if params != SECP256R1_DER {
            return None;
        }
        rest = after;
    }
    let (0xa1, wrapped, []) = tlv(rest)? else {
        return None;
    };
    let (0x03, [0x00, point @ ..], []) = tlv(wrapped)? else {
        return None;
    };
    if point.len() != 65 || point[0] != 0x04 {
        return None;
    }
    let secret = SecretKey::from_slice(scalar).ok()?;
    let public = PublicKey::from_sec1_bytes(point).ok()?.to_projective();
    Some(Candidate { secret, public })
}

/// A fresh random seed for the batch coefficients (std's OS-seeded SipHash keys).
pub(crate) fn seed() -> [u8; 16] {
    let a = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    let b = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&a.to_le_bytes());
    out[8..].copy_from_slice(&b.to_le_bytes());
    out
}

/// Coefficient `i` of a batch: 128 bits from SHA-256(seed, batch, i), never zero.
fn coefficient(seed: &[u8; 16], batch: u64, i: u64) -> Scalar {
    let digest = sha2::Sha256::new()
        .chain_update(seed)
        .chain_update(batch.to_le_bytes())
        .chain_update(i.to_le_bytes())
        .finalize();
    let mut r = [0u8; 16];
    r.copy_from_slice(&digest[..16]);
    Scalar::from(u128::from_le_bytes(r).max(1))
}

/// Whether every candidate's secret scalar yields its public key (see the module docs).
pub(crate) fn all_match(candidates: &[Candidate], seed: &[u8; 16], batch: u64) -> bool {
    let mut combined = Scalar::ZERO;
    let mut terms = Vec::with_capacity(candidates.len());
    for (i, c) in candidates.iter().enumerate() {
        let r = coefficient(seed, batch, i as u64);
        combined += r * *c.secret.to_nonzero_scalar();
        terms.push((c.public, r));
    }
    let lhs = ProjectivePoint::mul_by_generator(&combined);
    combined.zeroize();
    let rhs = ProjectivePoint::lincomb_vartime(terms.as_slice());
    lhs == rhs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::b64;
    use crate::validate::keys::tests::{P256_PKCS8, P256_SEC1};

    fn bytes(s: &str) -> Vec<u8> {
        b64::classify(s).bytes().unwrap().to_vec()
    }

    /// A P-256 PKCS#8 key (embedding its public key) from a small scalar, for tests.
    fn key(n: u8) -> Vec<u8> {
        use p256::pkcs8::EncodePrivateKey as _;
        let mut scalar = [0u8; 32];
        scalar[31] = n;
        scalar[0] = 0x11;
        SecretKey::from_slice(&scalar)
            .unwrap()
            .to_pkcs8_der()
            .unwrap()
            .as_bytes()
            .to_vec()
    }

    #[test]
    fn usual_keys_are_candidates_others_are_not() {
        assert!(candidate(&bytes(P256_PKCS8)).is_some());
        assert!(candidate(&key(7)).is_some());
        assert!(candidate(&bytes(P256_SEC1)).is_none());
        assert!(candidate(b"junk").is_none());
        let mut trailing = bytes(P256_PKCS8);
        trailing.push(0);
        assert!(candidate(&trailing).is_none());
        // Non-minimal DER lengths are left to the strict per-key decoder.
        assert_eq!(tlv(&[0x04, 0x81, 0x01, 0xaa]), None);
        assert_eq!(tlv(&[0x04, 0x01, 0xaa]), Some((0x04, &[0xaa][..], &[][..])));
    }

    #[test]
    fn a_batch_passes_iff_every_key_matches_its_public_key() {
        let seed = seed();
        let keys: Vec<Vec<u8>> = (1..=20).map(key).collect();
        let good: Vec<Candidate> = keys.iter().map(|k| candidate(k).unwrap()).collect();
        assert!(all_match(&good, &seed, 0));
        // Swap two public keys: each is a valid point, but not of its own scalar.
        let mut swapped: Vec<Candidate> = keys.iter().map(|k| candidate(k).unwrap()).collect();
        let p3 = swapped[3].public;
        swapped[3].public = swapped[4].public;
        swapped[4].public = p3;
        assert!(!all_match(&swapped, &seed, 0));
        // One public key off by the generator.
        let mut off: Vec<Candidate> = keys.iter().map(|k| candidate(k).unwrap()).collect();
        off[19].public += ProjectivePoint::GENERATOR;
        assert!(!all_match(&off, &seed, 1));
    }
}
