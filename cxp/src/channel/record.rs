//! AEAD records: ChaCha20-Poly1305 with one key and one counter per direction.
//!
//! The nonce of record *n* in a direction is `0x00000000 || n` (n as 64-bit big-endian), so
//! each key encrypts each nonce once, and a replayed, dropped, reordered or reflected record
//! fails to authenticate (the receiver's counter no longer matches, or the key belongs to the
//! other direction). The associated data is the record's 4-byte length prefix.
//! ChaCha20-Poly1305 is the AEAD the `hpke` crate already depends on, and is constant-time in
//! software on every platform.

use chacha20poly1305::aead::{AeadInOut, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce, Tag};
use zeroize::Zeroizing;

use super::error::{ChannelError, Result};

/// Bytes of the authentication tag appended to each record.
pub const TAG_LEN: usize = 16;

// The AEAD type must wipe its key schedule on drop (the `zeroize` feature): checked at compile
// time, so a dependency change cannot silently drop it.
const _: fn() = || {
    fn wipes_on_drop<T: zeroize::ZeroizeOnDrop>() {}
    wipes_on_drop::<ChaCha20Poly1305>();
};

/// One direction's key and record counter. The key is zeroized on drop (by the AEAD type).
pub(crate) struct DirectionKey {
    aead: ChaCha20Poly1305,
    counter: u64,
}

impl std::fmt::Debug for DirectionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DirectionKey")
            .field("key", &"<redacted>")
            .field("counter", &self.counter)
            .finish()
    }
}

impl DirectionKey {
    /// A key for one direction, starting at counter 0.
    pub(crate) fn new(key: &Zeroizing<[u8; 32]>) -> Self {
        // A borrowed view of the key bytes: no unzeroized copy is made on the way in.
        let key: &Key = key.as_slice().try_into().expect("a 32-byte key");
        DirectionKey {
            aead: ChaCha20Poly1305::new(key),
            counter: 0,
        }
    }

    /// The next nonce, advancing the counter; refuses to wrap.
    fn next_nonce(&mut self) -> Result<[u8; 12]> {
        let counter = self.counter;
        self.counter = counter
            .checked_add(1)
            .ok_or(ChannelError::Protocol("record counter exhausted"))?;
        let mut nonce = [0u8; 12];
        nonce[4..].copy_from_slice(&counter.to_be_bytes());
        Ok(nonce)
    }

    /// Encrypts `buf` in place and returns the tag.
    pub(crate) fn seal(&mut self, aad: &[u8], buf: &mut [u8]) -> Result<[u8; TAG_LEN]> {
        let nonce = self.next_nonce()?;
        let tag = self
            .aead
            .encrypt_inout_detached(&Nonce::from(nonce), aad, buf.into())
            .map_err(|_| ChannelError::Protocol("record too large to encrypt"))?;
        Ok(tag.into())
    }

    /// Decrypts a record (`ciphertext || tag`) in place; returns the plaintext length.
    pub(crate) fn open(&mut self, aad: &[u8], record: &mut [u8]) -> Result<usize> {
        let len = record
            .len()
            .checked_sub(TAG_LEN)
            .ok_or(ChannelError::DecryptionFailed)?;
        let nonce = self.next_nonce()?;
        let (ciphertext, tag) = record.split_at_mut(len);
        let tag = Tag::try_from(&*tag).map_err(|_| ChannelError::DecryptionFailed)?;
        self.aead
            .decrypt_inout_detached(&Nonce::from(nonce), aad, ciphertext.into(), &tag)
            .map_err(|_| ChannelError::DecryptionFailed)?;
        Ok(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair() -> (DirectionKey, DirectionKey) {
        let key = Zeroizing::new([7u8; 32]);
        (DirectionKey::new(&key), DirectionKey::new(&key))
    }

    fn seal(key: &mut DirectionKey, msg: &[u8]) -> Vec<u8> {
        let mut buf = msg.to_vec();
        let tag = key.seal(b"aad", &mut buf).unwrap();
        buf.extend_from_slice(&tag);
        buf
    }

    #[test]
    fn records_open_in_order_only() {
        let (mut tx, mut rx) = pair();
        let r0 = seal(&mut tx, b"zero");
        let r1 = seal(&mut tx, b"one");
        assert_ne!(&r0[..4], b"zero");

        let mut ok = r0.clone();
        let n = rx.open(b"aad", &mut ok).unwrap();
        assert_eq!(&ok[..n], b"zero");
        // Replay of record 0 as record 1 fails.
        let mut replay = r0.clone();
        assert!(matches!(
            rx.open(b"aad", &mut replay),
            Err(ChannelError::DecryptionFailed)
        ));

        // Reordering: a fresh receiver given record 1 first fails.
        let (_, mut rx2) = pair();
        let mut reordered = r1.clone();
        assert!(matches!(
            rx2.open(b"aad", &mut reordered),
            Err(ChannelError::DecryptionFailed)
        ));
    }

    #[test]
    fn tampering_and_wrong_aad_fail_and_short_records_are_rejected() {
        let (mut tx, mut rx) = pair();
        let mut r = seal(&mut tx, b"payload");
        r[0] ^= 1;
        assert!(rx.open(b"aad", &mut r).is_err());

        let (mut tx, mut rx) = pair();
        let mut r = seal(&mut tx, b"payload");
        assert!(rx.open(b"other", &mut r).is_err());

        let (_, mut rx) = pair();
        assert!(rx.open(b"aad", &mut [0u8; 15]).is_err());
    }
}
