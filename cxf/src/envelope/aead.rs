//! The AEAD under the HPKE key schedule, single-shot and in place, on two backends with the
//! same bytes out:
//!
//! * native targets: `ring`, whose AES-GCM (AES-NI / VAES with (V)PCLMULQDQ) and
//!   ChaCha20-Poly1305 are several times faster than the RustCrypto AEADs on large payloads;
//! * `wasm32` (the browser build): the RustCrypto `aes-gcm` and `chacha20poly1305` crates
//!   (pure Rust, already in the tree through `hpke`), because `ring` needs a C compiler for
//!   wasm32 and its assembly speed-ups do not exist there. Their AES is the constant-time
//!   bitsliced software implementation, and their key schedules are wiped on drop.
//!
//! Both backends are compiled in native test builds, where a test checks that they produce the
//! same ciphertext and tag and open each other's output.

use super::suite::Aead;

/// AEAD tag length of every supported AEAD (`Nt`).
pub(crate) const TAG_LEN: usize = 16;
/// AEAD nonce length of every supported AEAD (`Nn`).
pub(crate) const NONCE_LEN: usize = 12;

/// The backend of this build.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) use ring_backend::Key;
#[cfg(target_arch = "wasm32")]
pub(crate) use rustcrypto_backend::Key;

/// `ring` (native targets).
#[cfg(not(target_arch = "wasm32"))]
pub(crate) mod ring_backend {
    use ring::aead::{
        AES_128_GCM, AES_256_GCM, Aad, CHACHA20_POLY1305, LessSafeKey, Nonce, UnboundKey,
    };

    use super::{Aead, NONCE_LEN, TAG_LEN};

    /// An AEAD key. `ring`'s expanded key schedule inside is not wiped (ring keys do not
    /// implement `Zeroize`); it lives for one envelope call.
    pub(crate) struct Key(LessSafeKey);

    impl Key {
        /// `key` must be exactly `Nk` bytes of `aead`.
        pub(crate) fn new(aead: Aead, key: &[u8]) -> Key {
            let alg = match aead {
                Aead::Aes128Gcm => &AES_128_GCM,
                Aead::Aes256Gcm => &AES_256_GCM,
                Aead::ChaCha20Poly1305 => &CHACHA20_POLY1305,
            };
            let key = UnboundKey::new(alg, key).expect("the key schedule yields exactly Nk bytes");
            Key(LessSafeKey::new(key))
        }

        /// Encrypts `buf` in place; returns the tag.
        pub(crate) fn seal_in_place(
            &self,
            nonce: &[u8; NONCE_LEN],
            aad: &[u8],
            buf: &mut [u8],
        ) -> Result<[u8; TAG_LEN], ()> {
            let tag = self
                .0
                .seal_in_place_separate_tag(
                    Nonce::assume_unique_for_key(*nonce),
                    Aad::from(aad),
                    buf,
                )
                .map_err(|_| ())?;
            let mut out = [0u8; TAG_LEN];
            out.copy_from_slice(tag.as_ref());
            Ok(out)
        }

        /// Decrypts `buf` (`ciphertext ‖ tag`) in place; returns the plaintext length.
        pub(crate) fn open_in_place(
            &self,
            nonce: &[u8; NONCE_LEN],
            aad: &[u8],
            buf: &mut [u8],
        ) -> Result<usize, ()> {
            self.0
                .open_in_place(Nonce::assume_unique_for_key(*nonce), Aad::from(aad), buf)
                .map(|pt| pt.len())
                .map_err(|_| ())
        }
    }
}

/// RustCrypto (`wasm32`; compiled in native tests to compare with `ring`).
#[cfg(any(target_arch = "wasm32", test))]
pub(crate) mod rustcrypto_backend {
    use aes_gcm::aead::{AeadInOut as _, KeyInit as _};
    use aes_gcm::{Aes128Gcm, Aes256Gcm};
    use chacha20poly1305::ChaCha20Poly1305;

    use super::{Aead, NONCE_LEN, TAG_LEN};

    /// An AEAD key; the expanded key schedules wipe themselves on drop.
    pub(crate) enum Key {
        Aes128(Box<Aes128Gcm>),
        Aes256(Box<Aes256Gcm>),
        ChaCha(Box<ChaCha20Poly1305>),
    }

    impl Key {
        /// `key` must be exactly `Nk` bytes of `aead`.
        pub(crate) fn new(aead: Aead, key: &[u8]) -> Key {
            const NK: &str = "the key schedule yields exactly Nk bytes";
            match aead {
                Aead::Aes128Gcm => Key::Aes128(Box::new(Aes128Gcm::new_from_slice(key).expect(NK))),
                Aead::Aes256Gcm => Key::Aes256(Box::new(Aes256Gcm::new_from_slice(key).expect(NK))),
                Aead::ChaCha20Poly1305 => {
                    Key::ChaCha(Box::new(ChaCha20Poly1305::new_from_slice(key).expect(NK)))
                }
            }
        }

        /// Encrypts `buf` in place; returns the tag.
        pub(crate) fn seal_in_place(
            &self,
            nonce: &[u8; NONCE_LEN],
            aad: &[u8],
            buf: &mut [u8],
        ) -> Result<[u8; TAG_LEN], ()> {
            let nonce = nonce.into();
            let tag = match self {
                Key::Aes128(k) => k.encrypt_inout_detached(nonce, aad, buf.into()),
                Key::Aes256(k) => k.encrypt_inout_detached(nonce, aad, buf.into()),
                Key::ChaCha(k) => k.encrypt_inout_detached(nonce, aad, buf.into()),
            }
            .map_err(|_| ())?;
            let mut out = [0u8; TAG_LEN];
            out.copy_from_slice(&tag);
            Ok(out)
        }

        /// Decrypts `buf` (`ciphertext ‖ tag`) in place; returns the plaintext length.
        pub(crate) fn open_in_place(
            &self,
            nonce: &[u8; NONCE_LEN],
            aad: &[u8],
            buf: &mut [u8],
        ) -> Result<usize, ()> {
            let len = buf.len().checked_sub(TAG_LEN).ok_or(())?;
            let (msg, tag) = buf.split_at_mut(len);
            let tag: &[u8; TAG_LEN] = (&*tag).try_into().map_err(|_| ())?;
            let nonce = nonce.into();
            match self {
                Key::Aes128(k) => k.decrypt_inout_detached(nonce, aad, msg.into(), tag.into()),
                Key::Aes256(k) => k.decrypt_inout_detached(nonce, aad, msg.into(), tag.into()),
                Key::ChaCha(k) => k.decrypt_inout_detached(nonce, aad, msg.into(), tag.into()),
            }
            .map_err(|_| ())?;
            Ok(len)
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::{Aead, NONCE_LEN, TAG_LEN, ring_backend, rustcrypto_backend};

    /// The browser's backend gives the native backend's bytes, and each opens the other's.
    #[test]
    fn rustcrypto_and_ring_agree_byte_for_byte() {
        for (aead, nk) in [
            (Aead::Aes128Gcm, 16),
            (Aead::Aes256Gcm, 32),
            (Aead::ChaCha20Poly1305, 32),
        ] {
            for len in [0usize, 1, 15, 16, 17, 63, 64, 65, 4099] {
                let key: Vec<u8> = (0..nk).map(|i| (i * 13 + len) as u8).collect();
                let nonce: [u8; NONCE_LEN] = core::array::from_fn(|i| (i * 5 + 1) as u8);
                let aad = b"cxf aad";
                let pt: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();

                let native = ring_backend::Key::new(aead, &key);
                let browser = rustcrypto_backend::Key::new(aead, &key);
                let mut a = pt.clone();
                let ta = native.seal_in_place(&nonce, aad, &mut a).unwrap();
                let mut b = pt.clone();
                let tb = browser.seal_in_place(&nonce, aad, &mut b).unwrap();
                assert_eq!((&a, ta), (&b, tb), "{aead:?} {len}");

                let mut sealed = a.clone();
                sealed.extend_from_slice(&ta);
                let mut x = sealed.clone();
                assert_eq!(browser.open_in_place(&nonce, aad, &mut x), Ok(len));
                assert_eq!(&x[..len], &pt[..]);
                let mut y = sealed.clone();
                assert_eq!(native.open_in_place(&nonce, aad, &mut y), Ok(len));
                assert_eq!(&y[..len], &pt[..]);

                // A flipped bit, another aad, a cut tag: neither opens.
                let mut bad = sealed.clone();
                bad[0] ^= 1;
                for k in [&native as &dyn Open, &browser] {
                    assert!(k.open(&nonce, aad, &mut bad.clone()).is_err());
                    assert!(k.open(&nonce, b"other", &mut sealed.clone()).is_err());
                    assert!(
                        k.open(&nonce, aad, &mut sealed[..TAG_LEN - 1].to_vec())
                            .is_err()
                    );
                }
            }
        }
    }

    trait Open {
        fn open(&self, nonce: &[u8; NONCE_LEN], aad: &[u8], buf: &mut [u8]) -> Result<usize, ()>;
    }
    impl Open for ring_backend::Key {
        fn open(&self, nonce: &[u8; NONCE_LEN], aad: &[u8], buf: &mut [u8]) -> Result<usize, ()> {
            self.open_in_place(nonce, aad, buf)
        }
    }
    impl Open for rustcrypto_backend::Key {
        fn open(&self, nonce: &[u8; NONCE_LEN], aad: &[u8], buf: &mut [u8]) -> Result<usize, ()> {
            self.open_in_place(nonce, aad, buf)
        }
    }
}
