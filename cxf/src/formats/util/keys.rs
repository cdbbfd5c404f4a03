//! Private-key encodings: PEM, PKCS#8 DER (what CXF carries), OpenSSH `openssh-key-v1` (what
//! Bitwarden, LastPass and KeePass users hold), and SSH public keys and fingerprints.
//!
//! Only unencrypted keys of the common SSH algorithms are converted: `ssh-ed25519`, `ssh-rsa` and
//! `ecdsa-sha2-nistp256/384/521`. Anything else is reported by the caller as not converted.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use sha2::Digest as _;
use zeroize::Zeroizing;

const OID_ED25519: &[u8] = &[0x2b, 0x65, 0x70];
const OID_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const OID_EC: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const OID_P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
const OID_P521: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x23];

/// Largest RSA component accepted, in bytes (16384-bit keys).
const MAX_RSA_BYTES: usize = 2049;

/// Why a key could not be converted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyError {
    /// Not PEM / DER / OpenSSH as expected.
    Malformed,
    /// A passphrase-protected key: it cannot be converted without the passphrase.
    Encrypted,
    /// A key algorithm this converter does not handle (e.g. `sk-ssh-ed25519@openssh.com`).
    UnsupportedAlgorithm,
    /// The PKCS#8 key lacks its public half, which the OpenSSH encoding needs.
    MissingPublicKey,
}

/// The algorithm of a private key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyAlgorithm {
    /// Ed25519.
    Ed25519,
    /// RSA.
    Rsa,
    /// ECDSA on NIST P-256.
    P256,
    /// ECDSA on NIST P-384.
    P384,
    /// ECDSA on NIST P-521.
    P521,
}

impl KeyAlgorithm {
    /// The IANA SSH public-key algorithm name.
    pub(crate) fn ssh_name(self) -> &'static str {
        match self {
            Self::Ed25519 => "ssh-ed25519",
            Self::Rsa => "ssh-rsa",
            Self::P256 => "ecdsa-sha2-nistp256",
            Self::P384 => "ecdsa-sha2-nistp384",
            Self::P521 => "ecdsa-sha2-nistp521",
        }
    }

    fn curve(self) -> Option<(&'static str, &'static [u8], usize)> {
        match self {
            Self::P256 => Some(("nistp256", OID_P256, 32)),
            Self::P384 => Some(("nistp384", OID_P384, 48)),
            Self::P521 => Some(("nistp521", OID_P521, 66)),
            _ => None,
        }
    }
}

// ------------------------------------------------------------------------------------------ PEM

/// Decodes the first PEM block: its label and DER bytes.
pub(crate) fn pem_decode(text: &str) -> Option<(String, Zeroizing<Vec<u8>>)> {
    let start = text.find("-----BEGIN ")?;
    let rest = &text[start + 11..];
    let label_end = rest.find("-----")?;
    let label = rest[..label_end].to_owned();
    let body_and_end = &rest[label_end + 5..];
    let end = body_and_end.find("-----END ")?;
    let body: Zeroizing<String> = Zeroizing::new(
        body_and_end[..end]
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect(),
    );
    let der = STANDARD.decode(body.as_bytes()).ok()?;
    Some((label, Zeroizing::new(der)))
}

/// Encodes DER bytes as PEM with 64-character lines.
pub(crate) fn pem_encode(label: &str, der: &[u8], line: usize) -> Zeroizing<String> {
    let b64 = Zeroizing::new(STANDARD.encode(der));
    let mut out = Zeroizing::new(format!("-----BEGIN {label}-----\n"));
    for chunk in b64.as_bytes().chunks(line) {
        out.push_str(core::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

// ------------------------------------------------------------------------------------------ DER

fn der_len(len: usize, out: &mut Vec<u8>) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    out.push(tag);
    der_len(content.len(), &mut out);
    out.extend_from_slice(content);
    out
}

fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

/// A DER INTEGER from unsigned big-endian bytes.
fn der_uint(bytes: &[u8]) -> Vec<u8> {
    let trimmed = strip_zeros(bytes);
    let mut content = Vec::with_capacity(trimmed.len() + 1);
    if trimmed.is_empty() || trimmed[0] & 0x80 != 0 {
        content.push(0);
    }
    content.extend_from_slice(trimmed);
    tlv(0x02, &content)
}

fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    &bytes[skip..]
}

struct DerReader<'a> {
    data: &'a [u8],
}

impl<'a> DerReader<'a> {
    fn new(data: &'a [u8]) -> Self {
        Self { data }
    }

    fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    fn read(&mut self) -> Result<(u8, &'a [u8]), KeyError> {
        let (&tag, rest) = self.data.split_first().ok_or(KeyError::Malformed)?;
        let (&first, mut rest) = rest.split_first().ok_or(KeyError::Malformed)?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let n = usize::from(first & 0x7f);
            if n == 0 || n > 4 || rest.len() < n {
                return Err(KeyError::Malformed);
            }
            let len = rest[..n]
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
            rest = &rest[n..];
            len
        };
        if rest.len() < len {
            return Err(KeyError::Malformed);
        }
        let (content, tail) = rest.split_at(len);
        self.data = tail;
        Ok((tag, content))
    }

    fn expect(&mut self, want: u8) -> Result<&'a [u8], KeyError> {
        match self.read()? {
            (tag, content) if tag == want => Ok(content),
            _ => Err(KeyError::Malformed),
        }
    }
}

/// The parts of a PKCS#8 `PrivateKeyInfo` / `OneAsymmetricKey`.
struct Pkcs8<'a> {
    algorithm: KeyAlgorithm,
    private_key: &'a [u8],
    public_key: Option<&'a [u8]>,
}

fn parse_pkcs8(der: &[u8]) -> Result<Pkcs8<'_>, KeyError> {
    let mut outer = DerReader::new(der);
    let mut body = DerReader::new(outer.expect(0x30)?);
    if !outer.is_empty() {
        return Err(KeyError::Malformed);
    }
    let version = body.expect(0x02)?;
    if version != [0] && version != [1] {
        return Err(KeyError::Malformed);
    }
    let mut alg = DerReader::new(body.expect(0x30)?);
    let oid = alg.expect(0x06)?;
    let algorithm = if oid == OID_ED25519 {
        KeyAlgorithm::Ed25519
    } else if oid == OID_RSA {
        KeyAlgorithm::Rsa
    } else if oid == OID_EC {
        let curve = alg.expect(0x06)?;
        match curve {
            c if c == OID_P256 => KeyAlgorithm::P256,
            c if c == OID_P384 => KeyAlgorithm::P384,
            c if c == OID_P521 => KeyAlgorithm::P521,
            _ => return Err(KeyError::UnsupportedAlgorithm),
        }
    } else {
        return Err(KeyError::UnsupportedAlgorithm);
    };
    let private_key = body.expect(0x04)?;
    let mut public_key = None;
    while !body.is_empty() {
        let (tag, content) = body.read()?;
        if tag == 0x81 {
            public_key = content.split_first().map(|(_, bits)| bits);
        }
    }
    Ok(Pkcs8 {
        algorithm,
        private_key,
        public_key,
    })
}

/// The algorithm of a PKCS#8 DER private key, after checking that it parses.
pub(crate) fn pkcs8_algorithm(der: &[u8]) -> Result<KeyAlgorithm, KeyError> {
    let key = parse_pkcs8(der)?;
    match key.algorithm {
        KeyAlgorithm::Ed25519 => {
            let mut r = DerReader::new(key.private_key);
            if r.expect(0x04)?.len() != 32 {
                return Err(KeyError::Malformed);
            }
        }
        KeyAlgorithm::Rsa => {
            let mut r = DerReader::new(key.private_key);
            DerReader::new(r.expect(0x30)?).expect(0x02)?;
        }
        _ => {
            let mut r = DerReader::new(key.private_key);
            DerReader::new(r.expect(0x30)?).expect(0x02)?;
        }
    }
    Ok(key.algorithm)
}

// -------------------------------------------------------------------------------------- OpenSSH

struct SshReader<'a> {
    data: &'a [u8],
}

impl<'a> SshReader<'a> {
    fn u32(&mut self) -> Result<u32, KeyError> {
        if self.data.len() < 4 {
            return Err(KeyError::Malformed);
        }
        let (n, rest) = self.data.split_at(4);
        self.data = rest;
        Ok(u32::from_be_bytes([n[0], n[1], n[2], n[3]]))
    }

    fn string(&mut self) -> Result<&'a [u8], KeyError> {
        let len = self.u32()? as usize;
        if self.data.len() < len {
            return Err(KeyError::Malformed);
        }
        let (s, rest) = self.data.split_at(len);
        self.data = rest;
        Ok(s)
    }
}

fn ssh_string(out: &mut Vec<u8>, s: &[u8]) {
    out.extend_from_slice(&(s.len() as u32).to_be_bytes());
    out.extend_from_slice(s);
}

fn ssh_mpint(out: &mut Vec<u8>, unsigned: &[u8]) {
    let trimmed = strip_zeros(unsigned);
    if trimmed.first().is_some_and(|b| b & 0x80 != 0) {
        out.extend_from_slice(&((trimmed.len() + 1) as u32).to_be_bytes());
        out.push(0);
        out.extend_from_slice(trimmed);
    } else {
        ssh_string(out, trimmed);
    }
}

/// A private key converted from OpenSSH.
pub(crate) struct ConvertedKey {
    /// The algorithm.
    pub(crate) algorithm: KeyAlgorithm,
    /// PKCS#8 DER.
    pub(crate) pkcs8: Zeroizing<Vec<u8>>,
    /// The comment stored with the key (may be empty).
    pub(crate) comment: String,
}

/// Converts an OpenSSH (`-----BEGIN OPENSSH PRIVATE KEY-----`) or PEM PKCS#8 / PKCS#1 / SEC1
/// private key to PKCS#8 DER.
pub(crate) fn private_key_to_pkcs8(text: &str) -> Result<ConvertedKey, KeyError> {
    let (label, der) = pem_decode(text).ok_or(KeyError::Malformed)?;
    match label.as_str() {
        "OPENSSH PRIVATE KEY" => openssh_to_pkcs8(&der),
        "PRIVATE KEY" => {
            let algorithm = pkcs8_algorithm(&der)?;
            Ok(ConvertedKey {
                algorithm,
                pkcs8: der,
                comment: String::new(),
            })
        }
        "ENCRYPTED PRIVATE KEY" => Err(KeyError::Encrypted),
        "RSA PRIVATE KEY" if !text.contains("ENCRYPTED") => {
            let mut r = DerReader::new(&der);
            DerReader::new(r.expect(0x30)?).expect(0x02)?;
            let pkcs8 = Zeroizing::new(seq(&[
                &der_uint(&[0]),
                &seq(&[&tlv(0x06, OID_RSA), &[0x05, 0x00]]),
                &tlv(0x04, &der),
            ]));
            Ok(ConvertedKey {
                algorithm: KeyAlgorithm::Rsa,
                pkcs8,
                comment: String::new(),
            })
        }
        "RSA PRIVATE KEY" | "EC PRIVATE KEY" if text.contains("ENCRYPTED") => {
            Err(KeyError::Encrypted)
        }
        _ => Err(KeyError::UnsupportedAlgorithm),
    }
}

fn openssh_to_pkcs8(blob: &[u8]) -> Result<ConvertedKey, KeyError> {
    let rest = blob
        .strip_prefix(b"openssh-key-v1\0")
        .ok_or(KeyError::Malformed)?;
    let mut r = SshReader { data: rest };
    let cipher = r.string()?;
    let _kdf = r.string()?;
    let _kdf_options = r.string()?;
    if cipher != b"none" {
        return Err(KeyError::Encrypted);
    }
    if r.u32()? != 1 {
        return Err(KeyError::UnsupportedAlgorithm);
    }
    let _public = r.string()?;
    let mut p = SshReader { data: r.string()? };
    if p.u32()? != p.u32()? {
        return Err(KeyError::Malformed);
    }
    let key_type = p.string()?;
    let (algorithm, pkcs8) = match key_type {
        b"ssh-ed25519" => {
            let _pub = p.string()?;
            let private = p.string()?;
            if private.len() != 64 {
                return Err(KeyError::Malformed);
            }
            (KeyAlgorithm::Ed25519, ed25519_pkcs8(&private[..32]))
        }
        b"ssh-rsa" => {
            let n = p.string()?;
            let e = p.string()?;
            let d = p.string()?;
            let iqmp = p.string()?;
            let pp = p.string()?;
            let q = p.string()?;
            // 16384-bit RSA is the largest anyone uses; bigger inputs would only make the
            // bit-serial reduction below slow.
            if [n, e, d, iqmp, pp, q]
                .iter()
                .any(|x| x.len() > MAX_RSA_BYTES)
            {
                return Err(KeyError::UnsupportedAlgorithm);
            }
            let dp = big_mod(d, &big_sub_one(pp));
            let dq = big_mod(d, &big_sub_one(q));
            let ints: Vec<Vec<u8>> = [&[0u8][..], n, e, d, pp, q, &dp, &dq, iqmp]
                .iter()
                .map(|x| der_uint(x))
                .collect();
            let refs: Vec<&[u8]> = ints.iter().map(Vec::as_slice).collect();
            let pkcs1 = Zeroizing::new(seq(&refs));
            let der = seq(&[
                &der_uint(&[0]),
                &seq(&[&tlv(0x06, OID_RSA), &[0x05, 0x00]]),
                &tlv(0x04, &pkcs1),
            ]);
            (KeyAlgorithm::Rsa, Zeroizing::new(der))
        }
        b"ecdsa-sha2-nistp256" | b"ecdsa-sha2-nistp384" | b"ecdsa-sha2-nistp521" => {
            let algorithm = match key_type {
                b"ecdsa-sha2-nistp256" => KeyAlgorithm::P256,
                b"ecdsa-sha2-nistp384" => KeyAlgorithm::P384,
                _ => KeyAlgorithm::P521,
            };
            let _curve = p.string()?;
            let q = p.string()?;
            let d = p.string()?;
            (algorithm, ec_pkcs8(algorithm, d, q)?)
        }
        _ => return Err(KeyError::UnsupportedAlgorithm),
    };
    let comment = String::from_utf8_lossy(p.string()?).into_owned();
    Ok(ConvertedKey {
        algorithm,
        pkcs8,
        comment,
    })
}

/// The Ed25519 public key of a 32-byte seed (RFC 8032 §5.1.5).
fn ed25519_public(seed: &[u8]) -> [u8; 32] {
    let mut h = Zeroizing::new([0u8; 64]);
    h.copy_from_slice(&sha2::Sha512::digest(seed));
    let mut scalar = Zeroizing::new([0u8; 32]);
    scalar.copy_from_slice(&h[..32]);
    curve25519_dalek::EdwardsPoint::mul_base_clamped(*scalar)
        .compress()
        .to_bytes()
}

fn ed25519_pkcs8(seed: &[u8]) -> Zeroizing<Vec<u8>> {
    Zeroizing::new(seq(&[
        &der_uint(&[0]),
        &seq(&[&tlv(0x06, OID_ED25519)]),
        &tlv(0x04, &tlv(0x04, seed)),
    ]))
}

fn ec_pkcs8(algorithm: KeyAlgorithm, d: &[u8], q: &[u8]) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let (_, curve_oid, size) = algorithm.curve().ok_or(KeyError::UnsupportedAlgorithm)?;
    let d = strip_zeros(d);
    if d.len() > size {
        return Err(KeyError::Malformed);
    }
    let mut padded = Zeroizing::new(vec![0u8; size - d.len()]);
    padded.extend_from_slice(d);
    let mut bits = vec![0u8];
    bits.extend_from_slice(q);
    let sec1 = Zeroizing::new(seq(&[
        &der_uint(&[1]),
        &tlv(0x04, &padded),
        &tlv(0xa1, &tlv(0x03, &bits)),
    ]));
    Ok(Zeroizing::new(seq(&[
        &der_uint(&[0]),
        &seq(&[&tlv(0x06, OID_EC), &tlv(0x06, curve_oid)]),
        &tlv(0x04, &sec1),
    ])))
}

/// An SSH key in OpenSSH form, converted from PKCS#8.
pub(crate) struct OpenSshKey {
    /// `-----BEGIN OPENSSH PRIVATE KEY-----` PEM.
    pub(crate) private_pem: Zeroizing<String>,
    /// `ssh-ed25519 AAAA... comment`.
    pub(crate) public_line: String,
    /// `SHA256:...` fingerprint of the public key.
    pub(crate) fingerprint: String,
}

/// Converts a PKCS#8 DER private key to the OpenSSH private-key format, with its public key and
/// fingerprint. The public half of an Ed25519 key is derived from the seed when the PKCS#8 does
/// not carry it; ECDSA keys must carry it (they nearly always do).
pub(crate) fn pkcs8_to_openssh(der: &[u8], comment: &str) -> Result<OpenSshKey, KeyError> {
    let key = parse_pkcs8(der)?;
    let mut public = Vec::new();
    let mut private = Zeroizing::new(Vec::new());
    match key.algorithm {
        KeyAlgorithm::Ed25519 => {
            let seed = DerReader::new(key.private_key).expect(0x04)?;
            if seed.len() != 32 {
                return Err(KeyError::Malformed);
            }
            let derived = ed25519_public(seed);
            let pk: &[u8] = key.public_key.unwrap_or(&derived);
            if pk.len() != 32 {
                return Err(KeyError::Malformed);
            }
            ssh_string(&mut public, b"ssh-ed25519");
            ssh_string(&mut public, pk);
            ssh_string(&mut private, b"ssh-ed25519");
            ssh_string(&mut private, pk);
            let mut both = Zeroizing::new(seed.to_vec());
            both.extend_from_slice(pk);
            ssh_string(&mut private, &both);
        }
        KeyAlgorithm::Rsa => {
            let mut outer = DerReader::new(key.private_key);
            let mut r = DerReader::new(outer.expect(0x30)?);
            let _version = r.expect(0x02)?;
            let mut ints = Vec::with_capacity(8);
            for _ in 0..8 {
                ints.push(r.expect(0x02)?);
            }
            let [n, e, d, p, q, _dp, _dq, qinv] = ints[..] else {
                return Err(KeyError::Malformed);
            };
            ssh_string(&mut public, b"ssh-rsa");
            ssh_mpint(&mut public, e);
            ssh_mpint(&mut public, n);
            ssh_string(&mut private, b"ssh-rsa");
            for x in [n, e, d, qinv, p, q] {
                ssh_mpint(&mut private, x);
            }
        }
        alg => {
            let (curve, _, _) = alg.curve().ok_or(KeyError::UnsupportedAlgorithm)?;
            let mut outer = DerReader::new(key.private_key);
            let mut r = DerReader::new(outer.expect(0x30)?);
            let _version = r.expect(0x02)?;
            let d = r.expect(0x04)?;
            let mut q = None;
            while !r.is_empty() {
                let (tag, content) = r.read()?;
                if tag == 0xa1 {
                    q = DerReader::new(content)
                        .expect(0x03)?
                        .split_first()
                        .map(|(_, bits)| bits);
                }
            }
            let q = q.or(key.public_key).ok_or(KeyError::MissingPublicKey)?;
            ssh_string(&mut public, alg.ssh_name().as_bytes());
            ssh_string(&mut public, curve.as_bytes());
            ssh_string(&mut public, q);
            ssh_string(&mut private, alg.ssh_name().as_bytes());
            ssh_string(&mut private, curve.as_bytes());
            ssh_string(&mut private, q);
            ssh_mpint(&mut private, d);
        }
    }
    ssh_string(&mut private, comment.as_bytes());
    let mut section = Zeroizing::new(Vec::with_capacity(private.len() + 16));
    let check = sha2::Sha256::digest(&public);
    section.extend_from_slice(&check[..4]);
    section.extend_from_slice(&check[..4]);
    section.extend_from_slice(&private);
    let mut pad = 1u8;
    while section.len() % 8 != 0 {
        section.push(pad);
        pad += 1;
    }
    let mut blob = Zeroizing::new(b"openssh-key-v1\0".to_vec());
    ssh_string(&mut blob, b"none");
    ssh_string(&mut blob, b"none");
    ssh_string(&mut blob, b"");
    blob.extend_from_slice(&1u32.to_be_bytes());
    ssh_string(&mut blob, &public);
    ssh_string(&mut blob, &section);
    let private_pem = pem_encode("OPENSSH PRIVATE KEY", &blob, 70);
    let mut public_line = format!("{} {}", key.algorithm.ssh_name(), STANDARD.encode(&public));
    if !comment.is_empty() {
        public_line.push(' ');
        public_line.push_str(comment);
    }
    let fingerprint = format!(
        "SHA256:{}",
        STANDARD_NO_PAD.encode(sha2::Sha256::digest(&public))
    );
    Ok(OpenSshKey {
        private_pem,
        public_line,
        fingerprint,
    })
}

// ------------------------------------------------------------------------------ tiny bignum math

fn big_sub_one(x: &[u8]) -> Vec<u8> {
    let mut out = x.to_vec();
    for b in out.iter_mut().rev() {
        if *b == 0 {
            *b = 0xff;
        } else {
            *b -= 1;
            break;
        }
    }
    out
}

/// `a mod m` for unsigned big-endian integers (bit-serial long division; keys are small).
fn big_mod(a: &[u8], m: &[u8]) -> Zeroizing<Vec<u8>> {
    let m = strip_zeros(m);
    let mut r = Zeroizing::new(vec![0u8; m.len() + 1]);
    if m.is_empty() {
        return r;
    }
    let mut padded_m = vec![0u8];
    padded_m.extend_from_slice(m);
    for byte in strip_zeros(a) {
        for bit in (0..8).rev() {
            let mut carry = (byte >> bit) & 1;
            for x in r.iter_mut().rev() {
                let next = *x >> 7;
                *x = (*x << 1) | carry;
                carry = next;
            }
            if r.as_slice() >= padded_m.as_slice() {
                let mut borrow = 0i16;
                for (x, y) in r.iter_mut().zip(&padded_m).rev() {
                    let v = i16::from(*x) - i16::from(*y) - borrow;
                    borrow = i16::from(v < 0);
                    *x = (v + 256 * borrow) as u8;
                }
            }
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED25519_OPENSSH: &str = "-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZWQyNTUx
OQAAACBHoQRo6E1nsE8U9UI78TwlbNR+Z9YK9LxZVy82jr6ySAAAAIhYlPJ+WJTyfgAAAAtzc2gt
ZWQyNTUxOQAAACBHoQRo6E1nsE8U9UI78TwlbNR+Z9YK9LxZVy82jr6ySAAAAEBfq/E1g9Ljxfot
rrSLiXwsercUz6H3pmwtaksVolicLkehBGjoTWewTxT1QjvxPCVs1H5n1gr0vFlXLzaOvrJIAAAA
AAECAwQF
-----END OPENSSH PRIVATE KEY-----
";
    const ED25519_PKCS8_B64: &str =
        "MC4CAQAwBQYDK2VwBCIEIF+r8TWD0uPF+i2utIuJfCx6txTPofembC1qSxWiWJwu";

    const RSA_OPENSSH: &str = "-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAlwAAAAdzc2gtcnNhAAAA
AwEAAQAAAIEAuGAD8yjQRKVPMSMHhZYqZQFOBcBk9IUWZcUMVBmn52Z0Dw47cUjVc4pgLKWe0hY4
7le0ahvlO/4fUCZBYI2ZZZCoIgsSXL8kb4EHZaz9Nz1eS362UYAHPyU2KtE4ey02HuJxGZguCKBu
e3xsmnGJIHClXGVrfAbfrd6DfCwEOeEAAAH409/Ku9PfyrsAAAAHc3NoLXJzYQAAAIEAuGAD8yjQ
RKVPMSMHhZYqZQFOBcBk9IUWZcUMVBmn52Z0Dw47cUjVc4pgLKWe0hY47le0ahvlO/4fUCZBYI2Z
ZZCoIgsSXL8kb4EHZaz9Nz1eS362UYAHPyU2KtE4ey02HuJxGZguCKBue3xsmnGJIHClXGVrfAbf
rd6DfCwEOeEAAAADAQABAAAAgANwFuLD0g5VnsJlytAc2rGDcrb8vWUpzh8bq30t9UmFSYi2VTlp
iEFdRSnP9MQqEemvzPdlicKynFbcP7/TJBcOnRyh5bRUWBLubth9iXv2P6kpLEdDkzZyGNlrhKRT
6JHOgL9ZnFsznnPv1OJSHiwpwlG2BrpOvTXcC/FmEmUZAAAAQDHw1olG5Y4tsLuAgB9ffKFI6eHr
DJivj/yv7xflQiG/H3UxFkCD1gNpqoBXsKX8bhxUall7Iv5LgJtsasrn1MgAAABBAOOQK6pjMtu/
Gdb365aK2Zmv+FWUGTgAnLpgwBGmJpjjMnfSZnVwOxa3mbinP06eUi2C/mOKsnBhRd717aoonWcA
AABBAM9qPdAQUhnHh2rXI7JQiG6MgsAV+k1fdHk6Exp6ewK/gBf2t6tkY4o0q6fyJ89vkK+M5oYv
fJs0HtTbmqecGXcAAAAAAQID
-----END OPENSSH PRIVATE KEY-----
";
    const RSA_PKCS8_B64: &str = "MIICdgIBADANBgkqhkiG9w0BAQEFAASCAmAwggJcAgEAAoGBALhgA/Mo0ESlTzEjB4WWKmUBTgXAZPSFFmXFDFQZp+dmdA8OO3FI1XOKYCylntIWOO5XtGob5Tv+H1AmQWCNmWWQqCILEly/JG+BB2Ws/Tc9Xkt+tlGABz8lNirROHstNh7icRmYLgigbnt8bJpxiSBwpVxla3wG363eg3wsBDnhAgMBAAECgYADcBbiw9IOVZ7CZcrQHNqxg3K2/L1lKc4fG6t9LfVJhUmItlU5aYhBXUUpz/TEKhHpr8z3ZYnCspxW3D+/0yQXDp0coeW0VFgS7m7YfYl79j+pKSxHQ5M2chjZa4SkU+iRzoC/WZxbM55z79TiUh4sKcJRtga6Tr013AvxZhJlGQJBAOOQK6pjMtu/Gdb365aK2Zmv+FWUGTgAnLpgwBGmJpjjMnfSZnVwOxa3mbinP06eUi2C/mOKsnBhRd717aoonWcCQQDPaj3QEFIZx4dq1yOyUIhujILAFfpNX3R5OhMaensCv4AX9rerZGOKNKun8ifPb5CvjOaGL3ybNB7U25qnnBl3AkEA3gOzRkn/vXqFOECqvTX8NEAFVWDm9cdLIV7xJIbokzLd8x73zU3QqEo6FHg/gHFgFXz+uZkAnDma1Hs1A1UaswJAGGd4tGVnM49NeJ2tnoppMxCnRbCQTdBAZQ8XNlNY697aVHd77teV+qnt1Inicz6+OFmMuhcWQzCjvAnGrZfpSwJAMfDWiUblji2wu4CAH198oUjp4esMmK+P/K/vF+VCIb8fdTEWQIPWA2mqgFewpfxuHFRqWXsi/kuAm2xqyufUyA==";
    const RSA_PUBLIC: &str = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC4YAPzKNBEpU8xIweFliplAU4FwGT0hRZlxQxUGafnZnQPDjtxSNVzimAspZ7SFjjuV7RqG+U7/h9QJkFgjZllkKgiCxJcvyRvgQdlrP03PV5LfrZRgAc/JTYq0Th7LTYe4nEZmC4IoG57fGyacYkgcKVcZWt8Bt+t3oN8LAQ54Q==";
    const P256_OPENSSH: &str = "-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAaAAAABNlY2RzYS1zaGEy
LW5pc3RwMjU2AAAACG5pc3RwMjU2AAAAQQTXasOjvWEay8BnmLHIpl1z6TCiW0eWjdNWA9iCwqtU
0hffl/QymYK9vPqCGS4stZ9J4r88aiBxTlvH7lThRgQlAAAAoE5FQNVORUDVAAAAE2VjZHNhLXNo
YTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBNdqw6O9YRrLwGeYscimXXPpMKJbR5aN01YD2ILC
q1TSF9+X9DKZgr28+oIZLiy1n0nivzxqIHFOW8fuVOFGBCUAAAAhAJQL1LIeE0PmZafI63JQKTxs
vzDIYdrMzvG1cN2EVlgaAAAAAAECAwQFBgc=
-----END OPENSSH PRIVATE KEY-----
";
    const P256_PKCS8_B64: &str = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQglAvUsh4TQ+Zlp8jrclApPGy/MMhh2szO8bVw3YRWWBqhRANCAATXasOjvWEay8BnmLHIpl1z6TCiW0eWjdNWA9iCwqtU0hffl/QymYK9vPqCGS4stZ9J4r88aiBxTlvH7lThRgQl";
    const P256_PUBLIC: &str = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBNdqw6O9YRrLwGeYscimXXPpMKJbR5aN01YD2ILCq1TSF9+X9DKZgr28+oIZLiy1n0nivzxqIHFOW8fuVOFGBCU=";

    #[test]
    fn rsa_and_p256_both_ways() {
        for (openssh, pkcs8, public, alg) in [
            (RSA_OPENSSH, RSA_PKCS8_B64, RSA_PUBLIC, KeyAlgorithm::Rsa),
            (
                P256_OPENSSH,
                P256_PKCS8_B64,
                P256_PUBLIC,
                KeyAlgorithm::P256,
            ),
        ] {
            let k = private_key_to_pkcs8(openssh).unwrap();
            assert_eq!(k.algorithm, alg);
            assert_eq!(STANDARD.encode(&*k.pkcs8), pkcs8);
            let back = pkcs8_to_openssh(&k.pkcs8, "").unwrap();
            assert_eq!(back.public_line, public);
            let again = private_key_to_pkcs8(&back.private_pem).unwrap();
            assert_eq!(again.pkcs8, k.pkcs8);
        }
    }

    #[test]
    fn openssh_ed25519_to_pkcs8() {
        let k = private_key_to_pkcs8(ED25519_OPENSSH).unwrap();
        assert_eq!(k.algorithm, KeyAlgorithm::Ed25519);
        assert_eq!(STANDARD.encode(&*k.pkcs8), ED25519_PKCS8_B64);
        assert_eq!(pkcs8_algorithm(&k.pkcs8), Ok(KeyAlgorithm::Ed25519));
    }

    #[test]
    fn ed25519_pkcs8_becomes_openssh_with_derived_public_key() {
        let der = STANDARD.decode(ED25519_PKCS8_B64).unwrap();
        let k = pkcs8_to_openssh(&der, "").unwrap();
        assert_eq!(
            k.public_line,
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEehBGjoTWewTxT1QjvxPCVs1H5n1gr0vFlXLzaOvrJI"
        );
        assert_eq!(
            k.fingerprint,
            "SHA256:zStGnDg4Kex1BUzsFU9yZC3Zwi2qTb2FAWTXGEBdBqM"
        );
        let back = private_key_to_pkcs8(&k.private_pem).unwrap();
        assert_eq!(&*back.pkcs8, &der[..]);
    }

    #[test]
    fn big_mod_matches() {
        assert_eq!(
            strip_zeros(&big_mod(&[0x01, 0x00, 0x01], &[0x07])),
            &[65537u32.rem_euclid(7) as u8]
        );
        assert_eq!(
            strip_zeros(&big_mod(&[0xff, 0xff, 0xff, 0xff], &[0x01, 0x00])),
            &[0xff]
        );
        assert_eq!(big_sub_one(&[0x01, 0x00]), vec![0x00, 0xff]);
    }

    #[test]
    fn rejects_garbage_and_encrypted() {
        assert_eq!(
            private_key_to_pkcs8("nope").err(),
            Some(KeyError::Malformed)
        );
        let enc = pem_encode("ENCRYPTED PRIVATE KEY", b"x", 64);
        assert_eq!(private_key_to_pkcs8(&enc).err(), Some(KeyError::Encrypted));
    }
}
