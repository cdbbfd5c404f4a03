//! Batched check that P-256 passkey keys hold the public key they embed.
//!
//! `passkey.key-invalid` needs `d·G == Q` for every PKCS#8 key that embeds its public key `Q`:
//! one constant-time fixed-base scalar multiplication per key, which dominated validation time
//! (a 100,000-item vault with 20,000 passkeys). A batch of keys is checked at once with a random
//! linear combination: `(Σ rᵢ·dᵢ)·G == Σ rᵢ·Qᵢ` for fresh random 128-bit `rᵢ`. The left side is
//! one constant-time multiplication (the only one touching secrets); the right side involves
//! public values only (`Qᵢ` from the file, `rᵢ` random) and uses a variable-time multi-scalar
//! multiplication. If any key of the batch is wrong the equation fails except with probability
//! about 2⁻¹²⁸ (the `rᵢ` are unknown when the file is written: they derive from a seed
//! drawn from the operating system's CSPRNG at validation time, [`seed`]).
//!
//! Keys of a failing batch end up with a per-key `d·G == Q` check ([`Candidate::matches`]), so
//! the diagnostics are exactly those of the per-key check. To spare the good keys near a bad
//! one, a failing batch is first split into [`SPLIT`] parts, each checked again, down to
//! [`LEAF`] keys. When bad keys are dense, narrowing costs more than it saves (a batch of a few
//! hundred keys already fails): when most parts fail, or the first [`DENSE_PROBE`] parts all do,
//! the failing and unchecked parts get the per-key check at once. A per-key check costs about
//! five times a clean batch check per key, so a vault of bad keys costs about 1.5x the per-key
//! checks alone; one with a few bad keys little more than the clean batch.
//!
//! The right side is a Pippenger bucket multi-scalar multiplication with signed digits over
//! `p256`'s own group law: for 4,096 keys it costs about 17 point additions per key, against
//! about 35 for the windowed-NAF `lincomb_vartime` of `p256` (which is built for a
//! handful of terms).
//!
//! Only keys of the usual shape take this path (PKCS#8 `id-ecPublicKey`/P-256 wrapping an
//! `ECPrivateKey` v1 with a 32-byte scalar, optional P-256 parameters and an uncompressed public
//! key, nothing else); any other key goes through the per-key check.

use std::ops::Range;

use p256::elliptic_curve::group::Group as _;
use p256::{AffinePoint, ProjectivePoint, PublicKey, Scalar, SecretKey};
use pkcs8::der::Decode as _;
use pkcs8::{ObjectIdentifier, PrivateKeyInfoRef};
use sha2::Digest as _;
use zeroize::Zeroize as _;

const ID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
/// DER of the `secp256r1` OID (`[0] parameters` of an ECPrivateKey).
const SECP256R1_DER: [u8; 10] = [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];

/// A failing batch of at most this many keys is not split further: its keys get the per-key
/// check (below this size a batch check saves little over checking the keys one by one).
pub(crate) const LEAF: usize = 64;

/// Parts a failing batch is split into.
const SPLIT: usize = 8;

/// When the first this many parts of a failing batch all fail, bad keys are taken to be dense
/// and the rest of the batch is not checked part by part either.
const DENSE_PROBE: usize = 3;

/// A P-256 key and the public key it embeds, ready for a batch check.
pub(crate) struct Candidate {
    secret: SecretKey,
    public: AffinePoint,
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
    let public = *PublicKey::from_sec1_bytes(point).ok()?.as_affine();
    Some(Candidate { secret, public })
}

impl Candidate {
    /// Whether the secret scalar yields the embedded public key: one constant-time fixed-base
    /// multiplication, as in the per-key check.
    pub(crate) fn matches(&self) -> bool {
        ProjectivePoint::mul_by_generator(&*self.secret.to_nonzero_scalar())
            == ProjectivePoint::from(self.public)
    }
}

/// A fresh random seed for the batch coefficients, from the operating system's CSPRNG
/// (`getrandom`). The coefficients must be unpredictable to whoever wrote the file: std's
/// `RandomState` (used before) is seeded from the OS once per thread and then counts up, and
/// promises only HashDoS resistance, not a cryptographic random source.
///
/// # Panics
///
/// When the operating system's random number generator fails (as the envelope and the channel
/// do): without unpredictable coefficients the batch check proves nothing.
pub(crate) fn seed() -> [u8; 16] {
    seed_from(getrandom::fill).expect("the operating system's random number generator failed")
}

/// The seed drawn from `fill` (the seam the tests use; [`seed`] passes `getrandom::fill`).
pub(crate) fn seed_from<E>(fill: impl FnOnce(&mut [u8]) -> Result<(), E>) -> Result<[u8; 16], E> {
    let mut out = [0u8; 16];
    fill(&mut out)?;
    Ok(out)
}

/// Coefficient `i` of a batch: 128 bits from SHA-256(seed, batch, i), never zero.
fn coefficient(seed: &[u8; 16], batch: u64, i: u64) -> u128 {
    let digest = sha2::Sha256::new()
        .chain_update(seed)
        .chain_update(batch.to_le_bytes())
        .chain_update(i.to_le_bytes())
        .finalize();
    let mut r = [0u8; 16];
    r.copy_from_slice(&digest[..16]);
    u128::from_le_bytes(r).max(1)
}

/// Whether every candidate's secret scalar yields its public key (see the module docs).
pub(crate) fn all_match(candidates: &[Candidate], seed: &[u8; 16], batch: u64) -> bool {
    let mut combined = Scalar::ZERO;
    let mut points = Vec::with_capacity(candidates.len());
    let mut coefficients = Vec::with_capacity(candidates.len());
    for (i, c) in candidates.iter().enumerate() {
        let r = coefficient(seed, batch, i as u64);
        combined += Scalar::from(r) * *c.secret.to_nonzero_scalar();
        points.push(c.public);
        coefficients.push(r);
    }
    let lhs = ProjectivePoint::mul_by_generator(&combined);
    combined.zeroize();
    lhs == msm(&points, &coefficients)
}

/// Indices of the candidates that need the per-key check (see the module docs), in order.
/// Batches are numbered from `*batch` on, so that no two checks of one run share coefficients.
pub(crate) fn suspects(candidates: &[Candidate], seed: &[u8; 16], batch: &mut u64) -> Vec<usize> {
    let mut out = Vec::new();
    let all = 0..candidates.len();
    if !all.is_empty() && !check(candidates, all.clone(), seed, batch) {
        narrow(candidates, all, seed, batch, &mut out);
    }
    out
}

/// Batch check of `candidates[range]` under the next batch number.
fn check(candidates: &[Candidate], range: Range<usize>, seed: &[u8; 16], batch: &mut u64) -> bool {
    *batch += 1;
    all_match(&candidates[range], seed, *batch - 1)
}

/// Add to `out` the suspects of `range`, a batch that failed.
fn narrow(
    candidates: &[Candidate],
    range: Range<usize>,
    seed: &[u8; 16],
    batch: &mut u64,
    out: &mut Vec<usize>,
) {
    if range.len() <= LEAF {
        out.extend(range);
        return;
    }
    let step = range.len().div_ceil(SPLIT);
    let parts: Vec<Range<usize>> = range
        .clone()
        .step_by(step)
        .map(|start| start..(start + step).min(range.end))
        .collect();
    let mut failing: Vec<Range<usize>> = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        if !check(candidates, part.clone(), seed, batch) {
            failing.push(part.clone());
        }
        if i + 1 == DENSE_PROBE && failing.len() == DENSE_PROBE {
            // Dense from the start: the unchecked parts most likely fail too.
            failing.extend(parts[DENSE_PROBE..].iter().cloned());
            break;
        }
    }
    if 2 * failing.len() > parts.len() {
        for part in failing {
            out.extend(part);
        }
    } else {
        for part in failing {
            narrow(candidates, part, seed, batch, out);
        }
    }
}

/// Window width (bits) of the bucket method for `n` points: the one with the fewest additions,
/// about `windows × (n + 2^c)`.
fn window_bits(n: usize) -> u32 {
    (2..=16)
        .min_by_key(|&c| windows(c) * (n + (1usize << c)))
        .unwrap_or(4)
}

/// Signed-digit windows for a 128-bit coefficient: one more than `⌈128 / c⌉` for the last carry.
fn windows(c: u32) -> usize {
    128usize.div_ceil(c as usize) + 1
}

/// `k` in base `2^c` with digits in `[-2^(c-1), 2^(c-1))`, least significant first.
fn signed_digits(k: u128, c: u32, out: &mut [i32]) {
    let mask = (1u128 << c) - 1;
    let half = 1i64 << (c - 1);
    let mut carry = 0i64;
    for (w, d) in out.iter_mut().enumerate() {
        let shift = w as u32 * c;
        let bits = if shift < 128 {
            ((k >> shift) & mask) as i64
        } else {
            0
        };
        let mut v = bits + carry;
        carry = 0;
        if v >= half {
            v -= 1 << c;
            carry = 1;
        }
        *d = v as i32;
    }
    debug_assert_eq!(carry, 0, "too few windows");
}

/// `Σ kᵢ·Pᵢ` by the bucket method (Pippenger) with signed digits. Variable time: for public
/// points and coefficients only.
fn msm(points: &[AffinePoint], coefficients: &[u128]) -> ProjectivePoint {
    debug_assert_eq!(points.len(), coefficients.len());
    let c = window_bits(points.len());
    let w_count = windows(c);
    let mut digits = vec![0i32; points.len() * w_count];
    for (k, d) in coefficients.iter().zip(digits.chunks_exact_mut(w_count)) {
        signed_digits(*k, c, d);
    }
    // An empty bucket is `None`: its first point is a conversion, not an addition.
    let mut buckets: Vec<Option<ProjectivePoint>> = vec![None; 1 << (c - 1)];
    let mut acc = ProjectivePoint::IDENTITY;
    for w in (0..w_count).rev() {
        for _ in 0..c {
            acc = acc.double();
        }
        buckets.fill(None);
        for (p, d) in points.iter().zip(digits.chunks_exact(w_count)) {
            let d = d[w];
            if d == 0 {
                continue;
            }
            let q = if d > 0 { *p } else { -*p };
            match &mut buckets[d.unsigned_abs() as usize - 1] {
                Some(b) => *b += q,
                slot => *slot = Some(q.into()),
            }
        }
        // Σ j·Bⱼ as a sum of running sums, from the top bucket down.
        let mut running: Option<ProjectivePoint> = None;
        let mut sum = ProjectivePoint::IDENTITY;
        for b in buckets.iter().rev() {
            running = match (running, b) {
                (Some(r), Some(b)) => Some(r + b),
                (r, None) => r,
                (None, b) => *b,
            };
            if let Some(r) = &running {
                sum += r;
            }
        }
        acc += sum;
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::b64;
    use crate::validate::keys::tests::{P256_PKCS8, P256_SEC1};

    fn bytes(s: &str) -> Vec<u8> {
        b64::decode(s)
    }

    /// A P-256 PKCS#8 key (embedding its public key) from a small scalar, for tests.
    fn key(n: u16) -> Vec<u8> {
        use p256::pkcs8::EncodePrivateKey as _;
        let mut scalar = [0u8; 32];
        scalar[30..].copy_from_slice(&n.to_be_bytes());
        scalar[0] = 0x11;
        SecretKey::from_slice(&scalar)
            .unwrap()
            .to_pkcs8_der()
            .unwrap()
            .as_bytes()
            .to_vec()
    }

    #[test]
    fn the_seed_is_what_the_random_source_gives() {
        let fixed = seed_from(|buf: &mut [u8]| {
            for (i, b) in buf.iter_mut().enumerate() {
                *b = i as u8;
            }
            Ok::<(), ()>(())
        });
        let expected: [u8; 16] = core::array::from_fn(|i| i as u8);
        assert_eq!(fixed, Ok(expected));
        // The coefficients are a function of the seed alone: a known seed gives known ones.
        assert_eq!(
            coefficient(&expected, 3, 5),
            coefficient(&fixed.unwrap(), 3, 5)
        );
        // A failing source is an error, never a fallback seed.
        assert_eq!(
            seed_from(|_: &mut [u8]| Err("no entropy")),
            Err("no entropy")
        );
    }

    #[test]
    fn the_production_seed_comes_from_getrandom_and_differs_per_check() {
        let via_seam = seed_from(getrandom::fill).unwrap();
        let (a, b) = (seed(), seed());
        assert_ne!(a, b);
        assert_ne!(via_seam, a);
        assert_ne!(a, [0; 16]);
        // Two batch checks (two seeds) use different coefficients for the same position.
        for i in 0..4 {
            assert_ne!(coefficient(&a, 0, i), coefficient(&b, 0, i));
        }
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
        off[19].public =
            (ProjectivePoint::from(off[19].public) + ProjectivePoint::GENERATOR).to_affine();
        assert!(!all_match(&off, &seed, 1));
    }

    #[test]
    fn a_candidate_matches_iff_its_public_key_is_its_own() {
        let good = with_bad(3, &[]);
        assert!(good.iter().all(Candidate::matches));
        let bad = with_bad(3, &[1]);
        assert_eq!(
            bad.iter().map(Candidate::matches).collect::<Vec<_>>(),
            [true, false, true]
        );
    }

    #[test]
    fn signed_digits_give_back_the_coefficient() {
        for c in 2..=16 {
            for k in [
                0,
                1,
                2,
                3,
                u128::MAX,
                1 << 127,
                (1 << 127) - 1,
                0x0123_4567_89ab_cdef,
            ] {
                let mut d = vec![0; windows(c)];
                signed_digits(k, c, &mut d);
                let half = 1i64 << (c - 1);
                assert!(d.iter().all(|&x| -half <= x as i64 && (x as i64) < half));
                // Σ dᵢ·2^(c·i), evaluated from the top in i128 after the first digit fits.
                let back = d.iter().rev().fold(0_i128, |acc, &x| {
                    acc.wrapping_shl(c).wrapping_add(x as i128)
                });
                assert_eq!(back as u128, k, "c = {c}, k = {k:#x}");
            }
        }
    }

    #[test]
    fn bucket_method_equals_the_naive_sum() {
        let seed = seed();
        for n in [1usize, 2, 3, 17, 300] {
            let points: Vec<AffinePoint> = (0..n)
                .map(|i| {
                    (ProjectivePoint::GENERATOR * Scalar::from(i as u64 * 7919 + 3)).to_affine()
                })
                .collect();
            let mut coefficients: Vec<u128> =
                (0..n).map(|i| coefficient(&seed, 9, i as u64)).collect();
            coefficients[0] = u128::MAX;
            if n > 2 {
                coefficients[1] = 1;
                coefficients[2] = 1 << 127;
            }
            let naive = points
                .iter()
                .zip(&coefficients)
                .fold(ProjectivePoint::IDENTITY, |acc, (p, k)| {
                    acc + ProjectivePoint::from(*p) * Scalar::from(*k)
                });
            assert_eq!(msm(&points, &coefficients), naive, "n = {n}");
        }
        assert_eq!(msm(&[], &[]), ProjectivePoint::IDENTITY);
    }

    /// `n` candidates whose keys at `bad` embed the public key off by the generator.
    fn with_bad(n: u16, bad: &[usize]) -> Vec<Candidate> {
        let mut cands: Vec<Candidate> = (1..=n).map(|i| candidate(&key(i)).unwrap()).collect();
        for &i in bad {
            cands[i].public =
                (ProjectivePoint::from(cands[i].public) + ProjectivePoint::GENERATOR).to_affine();
        }
        cands
    }

    #[test]
    fn suspects_are_the_parts_holding_a_bad_key() {
        let seed = seed();
        let mut batch = 0;
        assert_eq!(
            suspects(&with_bad(600, &[]), &seed, &mut batch),
            Vec::<usize>::new()
        );
        assert_eq!(batch, 1, "a good set is one batch check");
        assert_eq!(suspects(&[], &seed, &mut batch), Vec::<usize>::new());
        // Sparse: 600 keys in 8 parts of 75, each split into 8 of 10; two bad keys share the
        // first part of 10; the third is in 575..585 (part 7 starts at 525).
        let bad = [5usize, 6, 577];
        let found = suspects(&with_bad(600, &bad), &seed, &mut batch);
        let expected: Vec<usize> = (0..10).chain(575..585).collect();
        assert_eq!(found, expected);
        // Dense: most parts fail, so they are not narrowed further.
        let bad: Vec<usize> = (0..600).step_by(50).collect();
        let found = suspects(&with_bad(600, &bad), &seed, &mut batch);
        assert_eq!(found, (0..600).collect::<Vec<_>>());
        // The first DENSE_PROBE parts fail: the rest is not checked, all of it is suspect.
        let found = suspects(&with_bad(600, &[5, 80, 160]), &seed, &mut batch);
        assert_eq!(found, (0..600).collect::<Vec<_>>());
        // Two of the first three fail: narrowed as usual.
        let found = suspects(&with_bad(600, &[5, 80, 590]), &seed, &mut batch);
        let expected: Vec<usize> = (0..10).chain(75..85).chain(585..595).collect();
        assert_eq!(found, expected);
        // At most LEAF keys: the whole failing batch.
        assert_eq!(
            suspects(&with_bad(LEAF as u16, &[3]), &seed, &mut batch),
            (0..LEAF).collect::<Vec<_>>()
        );
    }
}
