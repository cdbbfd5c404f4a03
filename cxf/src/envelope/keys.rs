//! HPKE public and private keys and their JWK encodings (RFC 7517, RFC 7518 §6.2, RFC 8037).

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::{URL_SAFE_NO_PAD, URL_SAFE_NO_PAD_INDIFFERENT};
use hpke::{Deserializable as _, Kem as _, Serializable as _};
use serde_json::{Map, Value};
use zeroize::Zeroizing;

use super::Error;
use super::suite::Kem;

type X25519 = hpke::kem::X25519HkdfSha256;
type P256 = hpke::kem::DhP256HkdfSha256;

/// A validated recipient public key (or a DHKEM `enc`, which is the sender's ephemeral public
/// key): X25519 (32 bytes) or an uncompressed P-256 point (65 bytes, on the curve, not the
/// identity).
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    kem: Kem,
    bytes: Vec<u8>,
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("kem", &self.kem)
            .field("x", &URL_SAFE_NO_PAD.encode(self.x()))
            .finish()
    }
}

impl PublicKey {
    /// Parses `SerializePublicKey` bytes (RFC 9180 §7.1.1) for `kem`, checking the exact length
    /// and, for P-256, that the point is on the curve.
    pub fn from_bytes(kem: Kem, bytes: &[u8]) -> Result<PublicKey, Error> {
        if bytes.len() != kem.public_key_len() {
            return Err(Error::InvalidKey("wrong public key length"));
        }
        let ok = match kem {
            Kem::X25519HkdfSha256 => <X25519 as hpke::Kem>::PublicKey::from_bytes(bytes).is_ok(),
            Kem::P256HkdfSha256 => {
                bytes[0] == 0x04 && <P256 as hpke::Kem>::PublicKey::from_bytes(bytes).is_ok()
            }
        };
        if !ok {
            return Err(Error::InvalidKey("public key is not a valid curve point"));
        }
        Ok(PublicKey {
            kem,
            bytes: bytes.to_vec(),
        })
    }

    /// The KEM this key belongs to.
    pub fn kem(&self) -> Kem {
        self.kem
    }

    /// `SerializePublicKey` bytes: 32 raw bytes (X25519) or `0x04 ‖ X ‖ Y` (P-256).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    fn x(&self) -> &[u8] {
        match self.kem {
            Kem::X25519HkdfSha256 => &self.bytes,
            Kem::P256HkdfSha256 => &self.bytes[1..33],
        }
    }

    /// Parses a public JWK object. `{"kty":"OKP","crv":"X25519","x":…}` or
    /// `{"kty":"EC","crv":"P-256","x":…,"y":…}`; coordinates are base64url (padding tolerated)
    /// of exact length. A JWK holding a private member `d` is refused. Other members (`kid`,
    /// `alg`, `use`, …) are ignored here; callers that round-trip keep them themselves.
    pub fn from_jwk(jwk: &Map<String, Value>) -> Result<PublicKey, Error> {
        if jwk.contains_key("d") {
            return Err(Error::InvalidKey("JWK holds a private key member `d`"));
        }
        let kty = str_member(jwk, "kty")?;
        let crv = str_member(jwk, "crv")?;
        match (kty, crv) {
            ("OKP", "X25519") => {
                let x = coordinate(jwk, "x", 32)?;
                PublicKey::from_bytes(Kem::X25519HkdfSha256, &x)
            }
            ("EC", "P-256") => {
                let x = coordinate(jwk, "x", 32)?;
                let y = coordinate(jwk, "y", 32)?;
                let mut sec1 = Vec::with_capacity(65);
                sec1.push(0x04);
                sec1.extend_from_slice(&x);
                sec1.extend_from_slice(&y);
                PublicKey::from_bytes(Kem::P256HkdfSha256, &sec1)
            }
            _ => Err(Error::InvalidKey("unsupported JWK key type or curve")),
        }
    }

    /// The public JWK: `kty`, `crv`, `x` (and `y` for P-256), unpadded base64url.
    pub fn to_jwk(&self) -> Map<String, Value> {
        let mut m = Map::new();
        match self.kem {
            Kem::X25519HkdfSha256 => {
                m.insert("kty".into(), "OKP".into());
                m.insert("crv".into(), "X25519".into());
                m.insert("x".into(), URL_SAFE_NO_PAD.encode(&self.bytes).into());
            }
            Kem::P256HkdfSha256 => {
                m.insert("kty".into(), "EC".into());
                m.insert("crv".into(), "P-256".into());
                m.insert(
                    "x".into(),
                    URL_SAFE_NO_PAD.encode(&self.bytes[1..33]).into(),
                );
                m.insert(
                    "y".into(),
                    URL_SAFE_NO_PAD.encode(&self.bytes[33..65]).into(),
                );
            }
        }
        m
    }
}

fn str_member<'a>(jwk: &'a Map<String, Value>, name: &'static str) -> Result<&'a str, Error> {
    match jwk.get(name) {
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(Error::InvalidKey("JWK member is not a string")),
        None => Err(Error::InvalidKey("JWK member missing")),
    }
}

fn coordinate(
    jwk: &Map<String, Value>,
    name: &'static str,
    len: usize,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let s = str_member(jwk, name)?;
    // A 32-byte value is 43 characters unpadded, 44 padded: refuse anything longer before
    // decoding.
    if s.len() > len.div_ceil(3) * 4 {
        return Err(Error::InvalidKey("JWK coordinate has the wrong length"));
    }
    let bytes = Zeroizing::new(
        URL_SAFE_NO_PAD_INDIFFERENT
            .decode(s)
            .map_err(|_| Error::InvalidKey("JWK coordinate is not base64url"))?,
    );
    if bytes.len() != len {
        return Err(Error::InvalidKey("JWK coordinate has the wrong length"));
    }
    Ok(bytes)
}

/// A recipient (importer) private key. Zeroized on drop; `Debug` prints `<redacted>`.
/// Not `Clone`: each key is meant to be used for one request.
pub struct PrivateKey {
    kem: Kem,
    secret: Zeroizing<Vec<u8>>,
    public: PublicKey,
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("kem", &self.kem)
            .field("secret", &"<redacted>")
            .finish()
    }
}

impl PrivateKey {
    /// A fresh key pair from the operating system's CSPRNG.
    pub fn generate(kem: Kem) -> PrivateKey {
        match kem {
            Kem::X25519HkdfSha256 => {
                let (sk, _) = X25519::gen_keypair();
                Self::from_hpke::<X25519>(kem, &sk)
            }
            Kem::P256HkdfSha256 => {
                let (sk, _) = P256::gen_keypair();
                Self::from_hpke::<P256>(kem, &sk)
            }
        }
    }

    /// `DeriveKeyPair(ikm)` (RFC 9180 §7.1.3). For test vectors and reproducible examples;
    /// `ikm` must hold at least 32 bytes of entropy to be secret.
    pub fn derive(kem: Kem, ikm: &[u8]) -> PrivateKey {
        match kem {
            Kem::X25519HkdfSha256 => {
                let (sk, _) = X25519::derive_keypair(ikm);
                Self::from_hpke::<X25519>(kem, &sk)
            }
            Kem::P256HkdfSha256 => {
                let (sk, _) = P256::derive_keypair(ikm);
                Self::from_hpke::<P256>(kem, &sk)
            }
        }
    }

    fn from_hpke<K: hpke::Kem>(kem: Kem, sk: &K::PrivateKey) -> PrivateKey {
        let secret = Zeroizing::new(sk.to_bytes().to_vec());
        let pk = K::sk_to_pk(sk);
        let public = PublicKey {
            kem,
            bytes: pk.to_bytes().to_vec(),
        };
        PrivateKey {
            kem,
            secret,
            public,
        }
    }

    /// A private key from `SerializePrivateKey` bytes (RFC 9180 §7.1.2).
    pub fn from_bytes(kem: Kem, bytes: &[u8]) -> Result<PrivateKey, Error> {
        match kem {
            Kem::X25519HkdfSha256 => <X25519 as hpke::Kem>::PrivateKey::from_bytes(bytes)
                .map(|sk| Self::from_hpke::<X25519>(kem, &sk)),
            Kem::P256HkdfSha256 => <P256 as hpke::Kem>::PrivateKey::from_bytes(bytes)
                .map(|sk| Self::from_hpke::<P256>(kem, &sk)),
        }
        .map_err(|_| Error::InvalidKey("invalid private key"))
    }

    /// The KEM.
    pub fn kem(&self) -> Kem {
        self.kem
    }

    /// The matching public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// The private scalar bytes. Handle with care.
    pub fn expose_secret(&self) -> &[u8] {
        &self.secret
    }

    /// A private JWK (the public members plus `d`), for key files. The result is secret.
    pub fn to_private_jwk(&self) -> Zeroizing<String> {
        // The public members carry no secret; `d` is spliced in by hand so that no copy of it
        // ends up in a non-zeroizing `serde_json::Value`. Base64url needs no JSON escaping.
        let public = Value::Object(self.public.to_jwk()).to_string();
        let d = Zeroizing::new(URL_SAFE_NO_PAD.encode(&self.secret[..]));
        let mut out = Zeroizing::new(String::with_capacity(public.len() + d.len() + 8));
        out.push_str("{\"d\":\"");
        out.push_str(&d);
        out.push_str("\",");
        out.push_str(&public[1..]);
        out
    }

    /// Parses a private JWK written by [`PrivateKey::to_private_jwk`]. Checks that `d` matches
    /// the public members.
    pub fn from_private_jwk(jwk: &Map<String, Value>) -> Result<PrivateKey, Error> {
        let mut public_only = jwk.clone();
        let d = match public_only.remove("d") {
            Some(Value::String(d)) => Zeroizing::new(d),
            _ => return Err(Error::InvalidKey("private JWK lacks `d`")),
        };
        let public = PublicKey::from_jwk(&public_only)?;
        let secret = Zeroizing::new(
            URL_SAFE_NO_PAD_INDIFFERENT
                .decode(d.as_bytes())
                .map_err(|_| Error::InvalidKey("JWK `d` is not base64url"))?,
        );
        let key = PrivateKey::from_bytes(public.kem(), &secret)?;
        if key.public != public {
            return Err(Error::InvalidKey("JWK `d` does not match its public key"));
        }
        Ok(key)
    }

    pub(crate) fn secret_bytes(&self) -> &[u8] {
        &self.secret
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => unreachable!(),
        }
    }

    #[test]
    fn x25519_jwk_round_trip() {
        let sk = PrivateKey::derive(Kem::X25519HkdfSha256, &[7; 32]);
        let jwk = sk.public_key().to_jwk();
        assert_eq!(jwk["kty"], "OKP");
        let back = PublicKey::from_jwk(&jwk).unwrap();
        assert_eq!(&back, sk.public_key());
    }

    #[test]
    fn p256_jwk_round_trip_and_private_jwk() {
        let sk = PrivateKey::derive(Kem::P256HkdfSha256, &[9; 32]);
        let jwk = sk.public_key().to_jwk();
        assert_eq!(jwk["crv"], "P-256");
        assert_eq!(PublicKey::from_jwk(&jwk).unwrap(), *sk.public_key());
        let private: Value = serde_json::from_str(&sk.to_private_jwk()).unwrap();
        let back = PrivateKey::from_private_jwk(&obj(private)).unwrap();
        assert_eq!(back.expose_secret(), sk.expose_secret());
        assert!(format!("{back:?}").contains("<redacted>"));
    }

    #[test]
    fn example_request_keys_parse() {
        let x = obj(
            json!({"kty":"OKP","crv":"X25519","x":"Q6i7zfBx6XOvKJVqFdQdTJ2hD_DJ1uqwdGU0fNAN9Ug"}),
        );
        assert!(PublicKey::from_jwk(&x).is_ok());
        let p = obj(json!({"kty":"EC","crv":"P-256",
            "x":"nv91axWjG8H6kZbBJbVgOlE7oNHIoFA8O8E_4NpdhQ8",
            "y":"9514HQKrgDg6i_Ln4v9jzKx3yRvwOdzxlZ-yPgbM5Dc"}));
        assert!(PublicKey::from_jwk(&p).is_ok());
    }

    #[test]
    fn refuses_private_member_wrong_lengths_and_off_curve_points() {
        let sk = PrivateKey::derive(Kem::P256HkdfSha256, &[1; 32]);
        let mut with_d = sk.public_key().to_jwk();
        with_d.insert("d".into(), "AAAA".into());
        assert!(matches!(
            PublicKey::from_jwk(&with_d),
            Err(Error::InvalidKey(_))
        ));

        let short = obj(
            json!({"kty":"OKP","crv":"X25519","x":"Q6i7zfBx6XOvKJVqFdQdTJ2hD_DJ1uqwdGU0fNAN9U"}),
        );
        assert!(PublicKey::from_jwk(&short).is_err());
        let long = obj(
            json!({"kty":"OKP","crv":"X25519","x":"Q6i7zfBx6XOvKJVqFdQdTJ2hD_DJ1uqwdGU0fNAN9UgAAA"}),
        );
        assert!(PublicKey::from_jwk(&long).is_err());

        // (x, y+1) is not on P-256.
        let mut off = sk.public_key().to_jwk();
        let mut y = URL_SAFE_NO_PAD.decode(off["y"].as_str().unwrap()).unwrap();
        y[31] ^= 1;
        off.insert("y".into(), URL_SAFE_NO_PAD.encode(&y).into());
        assert!(PublicKey::from_jwk(&off).is_err());

        // Curve/kty mismatch and unknown curves.
        let mism = obj(
            json!({"kty":"EC","crv":"X25519","x":"Q6i7zfBx6XOvKJVqFdQdTJ2hD_DJ1uqwdGU0fNAN9Ug"}),
        );
        assert!(PublicKey::from_jwk(&mism).is_err());
        let p384 = obj(json!({"kty":"EC","crv":"P-384","x":"AA","y":"AA"}));
        assert!(PublicKey::from_jwk(&p384).is_err());
        // Compressed / hybrid SEC1 prefixes are refused for raw bytes too.
        let mut compressed = sk.public_key().as_bytes().to_vec();
        compressed[0] = 0x06;
        assert!(PublicKey::from_bytes(Kem::P256HkdfSha256, &compressed).is_err());
    }

    #[test]
    fn private_jwk_with_mismatched_d_is_refused() {
        let a = PrivateKey::derive(Kem::X25519HkdfSha256, &[1; 32]);
        let b = PrivateKey::derive(Kem::X25519HkdfSha256, &[2; 32]);
        let mut jwk = a.public_key().to_jwk();
        jwk.insert("d".into(), URL_SAFE_NO_PAD.encode(b.expose_secret()).into());
        assert!(PrivateKey::from_private_jwk(&jwk).is_err());
    }
}
