//! Credentials that are one secret each: SSH keys, generated passwords, files.

use crate::model::B64;
use crate::model::SecretB64;
use crate::model::codec::record;
use crate::text::{Secret, Text};

record! {
    /// An SSH key pair (§3.3.15).
    pub struct SshKey {
        /// IANA SSH public key algorithm name, e.g. `ssh-ed25519`.
        key_type: req Text = "keyType",
        /// The private key, PKCS#8 DER in base64url.
        private_key: req SecretB64 = "privateKey",
        /// Comment.
        key_comment: opt Text = "keyComment",
        /// Creation date.
        creation_date: ef _ = "creationDate" @ Date,
        /// Expiry date (early drafts: `expirationDate`).
        expiry_date: ef _ = "expiryDate" @ Date | "expirationDate" => "wd-expiration-date",
        /// Where the key was generated.
        key_generation_source: ef _ = "keyGenerationSource" @ String,
    }
}

record! {
    /// A password from a password generator, not (yet) tied to a login (§3.3.8).
    pub struct GeneratedPassword {
        /// The password.
        password: req Secret = "password",
    }
}

record! {
    /// A file attachment's metadata (§3.3.7); its bytes travel outside the JSON.
    pub struct File {
        /// File identifier, used as the payload name by the transport.
        id: req B64 = "id",
        /// Original file name.
        name: req Text = "name",
        /// Size of the plaintext in bytes.
        decrypted_size: req u64 = "decryptedSize",
        /// SHA-256 of the plaintext, base64url (late-2024 drafts: `integrationHash`).
        integrity_hash: req B64 = "integrityHash" | "integrationHash" => "wd-integration-hash",
    }
}
