//! HPKE cipher suites: IANA identifiers and what this crate supports.

use std::fmt;

/// IANA HPKE KEM identifier (RFC 9180 §7.1).
pub type KemId = u16;
/// IANA HPKE KDF identifier (RFC 9180 §7.2).
pub type KdfId = u16;
/// IANA HPKE AEAD identifier (RFC 9180 §7.3).
pub type AeadId = u16;

/// `DHKEM(P-256, HKDF-SHA256)`.
pub const KEM_P256_HKDF_SHA256: KemId = 0x0010;
/// `DHKEM(X25519, HKDF-SHA256)`.
pub const KEM_X25519_HKDF_SHA256: KemId = 0x0020;
/// `HKDF-SHA256`.
pub const KDF_HKDF_SHA256: KdfId = 0x0001;
/// `AES-128-GCM`.
pub const AEAD_AES_128_GCM: AeadId = 0x0001;
/// `AES-256-GCM`.
pub const AEAD_AES_256_GCM: AeadId = 0x0002;
/// `ChaCha20Poly1305`.
pub const AEAD_CHACHA20_POLY1305: AeadId = 0x0003;

/// The key-encapsulation mechanisms this crate implements.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Kem {
    /// `DHKEM(X25519, HKDF-SHA256)`, id `0x0020`.
    X25519HkdfSha256,
    /// `DHKEM(P-256, HKDF-SHA256)`, id `0x0010`.
    P256HkdfSha256,
}

impl Kem {
    /// The IANA identifier.
    pub const fn id(self) -> KemId {
        match self {
            Kem::X25519HkdfSha256 => KEM_X25519_HKDF_SHA256,
            Kem::P256HkdfSha256 => KEM_P256_HKDF_SHA256,
        }
    }

    /// The KEM for an IANA identifier, if this crate implements it.
    pub const fn from_id(id: KemId) -> Option<Kem> {
        match id {
            KEM_X25519_HKDF_SHA256 => Some(Kem::X25519HkdfSha256),
            KEM_P256_HKDF_SHA256 => Some(Kem::P256HkdfSha256),
            _ => None,
        }
    }

    /// Length of a serialized public key (and of `enc`), `Npk` in RFC 9180.
    pub const fn public_key_len(self) -> usize {
        match self {
            Kem::X25519HkdfSha256 => 32,
            Kem::P256HkdfSha256 => 65,
        }
    }

    /// Length of a serialized private key, `Nsk` in RFC 9180.
    pub const fn private_key_len(self) -> usize {
        32
    }
}

/// The AEADs this crate implements.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Aead {
    /// AES-128-GCM, id `0x0001` (accepted, not offered).
    Aes128Gcm,
    /// AES-256-GCM, id `0x0002` (offered).
    Aes256Gcm,
    /// ChaCha20Poly1305, id `0x0003` (accepted, not offered).
    ChaCha20Poly1305,
}

impl Aead {
    /// The IANA identifier.
    pub const fn id(self) -> AeadId {
        match self {
            Aead::Aes128Gcm => AEAD_AES_128_GCM,
            Aead::Aes256Gcm => AEAD_AES_256_GCM,
            Aead::ChaCha20Poly1305 => AEAD_CHACHA20_POLY1305,
        }
    }

    /// The AEAD for an IANA identifier, if this crate implements it. The export-only id
    /// `0xFFFF` is never accepted.
    pub const fn from_id(id: AeadId) -> Option<Aead> {
        match id {
            AEAD_AES_128_GCM => Some(Aead::Aes128Gcm),
            AEAD_AES_256_GCM => Some(Aead::Aes256Gcm),
            AEAD_CHACHA20_POLY1305 => Some(Aead::ChaCha20Poly1305),
            _ => None,
        }
    }
}

/// A supported HPKE cipher suite in base mode: KEM, HKDF-SHA256 and an AEAD.
///
/// Only suites this crate can run are representable; wire-level suites with arbitrary ids live
/// in the CXP message types and convert through [`Suite::from_ids`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Suite {
    kem: Kem,
    aead: Aead,
}

impl Suite {
    /// `{base, X25519, HKDF-SHA256, AES-256-GCM}`: offered first.
    pub const X25519_AES256GCM: Suite = Suite {
        kem: Kem::X25519HkdfSha256,
        aead: Aead::Aes256Gcm,
    };
    /// `{base, P-256, HKDF-SHA256, AES-256-GCM}`: offered second (HSM / secure-enclave keys).
    pub const P256_AES256GCM: Suite = Suite {
        kem: Kem::P256HkdfSha256,
        aead: Aead::Aes256Gcm,
    };

    /// The suites an importer offers by default, in preference order.
    pub const OFFERED: [Suite; 2] = [Suite::X25519_AES256GCM, Suite::P256_AES256GCM];

    /// A suite from its parts (the KDF is always HKDF-SHA256).
    pub const fn new(kem: Kem, aead: Aead) -> Suite {
        Suite { kem, aead }
    }

    /// The suite for wire identifiers, if it is one this crate supports: a known KEM, KDF
    /// HKDF-SHA256 and a known AEAD. Reserved (`0`), export-only (`0xFFFF`) and unknown ids
    /// give `None`.
    pub const fn from_ids(kem: KemId, kdf: KdfId, aead: AeadId) -> Option<Suite> {
        if kdf != KDF_HKDF_SHA256 {
            return None;
        }
        match (Kem::from_id(kem), Aead::from_id(aead)) {
            (Some(kem), Some(aead)) => Some(Suite { kem, aead }),
            _ => None,
        }
    }

    /// The KEM.
    pub const fn kem(self) -> Kem {
        self.kem
    }

    /// The KDF id (always HKDF-SHA256).
    pub const fn kdf_id(self) -> KdfId {
        KDF_HKDF_SHA256
    }

    /// The AEAD.
    pub const fn aead(self) -> Aead {
        self.aead
    }

    /// `(kem, kdf, aead)` wire identifiers.
    pub const fn ids(self) -> (KemId, KdfId, AeadId) {
        (self.kem.id(), KDF_HKDF_SHA256, self.aead.id())
    }
}

impl fmt::Display for Suite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kem = match self.kem {
            Kem::X25519HkdfSha256 => "DHKEM(X25519, HKDF-SHA256)",
            Kem::P256HkdfSha256 => "DHKEM(P-256, HKDF-SHA256)",
        };
        let aead = match self.aead {
            Aead::Aes128Gcm => "AES-128-GCM",
            Aead::Aes256Gcm => "AES-256-GCM",
            Aead::ChaCha20Poly1305 => "ChaCha20Poly1305",
        };
        write!(f, "{kem}, HKDF-SHA256, {aead}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_refusals() {
        assert_eq!(Suite::from_ids(32, 1, 2), Some(Suite::X25519_AES256GCM));
        assert_eq!(Suite::from_ids(16, 1, 2), Some(Suite::P256_AES256GCM));
        assert_eq!(Suite::X25519_AES256GCM.ids(), (32, 1, 2));
        assert!(Suite::from_ids(32, 1, 1).is_some());
        assert!(Suite::from_ids(16, 1, 3).is_some());
        // export-only, reserved, unsupported KDF, unsupported KEM
        assert_eq!(Suite::from_ids(32, 1, 0xFFFF), None);
        assert_eq!(Suite::from_ids(0, 1, 2), None);
        assert_eq!(Suite::from_ids(32, 0, 2), None);
        assert_eq!(Suite::from_ids(32, 3, 2), None);
        assert_eq!(Suite::from_ids(17, 2, 2), None);
    }
}
