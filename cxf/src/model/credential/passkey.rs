//! The passkey credential (§3.3.12) and its FIDO2 extensions.

use serde_json::Value;

use crate::json::reader::{Reader, Result};
use crate::model::codec::record;
use crate::model::{B64, SecretB64};
use crate::parse::Ctx;
use crate::pointer::Path;
use crate::text::Text;

record! {
    /// State of the WebAuthn `prf` / CTAP2 `hmac-secret` extension (§3.3.12.3).
    pub struct Fido2HmacCredentials {
        /// `hmac-sha256` is the only defined value.
        algorithm: req Text = "algorithm",
        /// Seed of the HMAC used with user verification (32 bytes).
        cred_with_uv: req SecretB64 = "credWithUV",
        /// Seed of the HMAC used without user verification (32 bytes). `None` only for data
        /// migrated from the PS Appendix A `hmacSecret` shape, which had a single secret.
        cred_without_uv: opt SecretB64 = "credWithoutUV",
    }
}

record! {
    /// WebAuthn largeBlob data (§3.3.12.5), raw DEFLATE compressed.
    pub struct Fido2LargeBlob {
        /// Length after inflating.
        uncompressed_size: req u64 = "uncompressedSize",
        /// The compressed blob.
        data: req SecretB64 = "data",
    }
}

record! {
    /// Extension state of a passkey (§3.3.12.2).
    pub struct Fido2Extensions [after_read] {
        /// PRF / hmac-secret seeds.
        hmac_credentials: opt Fido2HmacCredentials = "hmacCredentials",
        /// Stored credBlob bytes.
        cred_blob: opt SecretB64 = "credBlob",
        /// largeBlob data.
        large_blob: opt Fido2LargeBlob = "largeBlob",
        /// Enabled for Secure Payment Confirmation.
        payments: opt bool = "payments",
    }
}

impl Fido2Extensions {
    /// Converts the non-normative `hmacSecret {algorithm, secret}` of the PS 2025-08 Appendix A
    /// into `hmacCredentials`. The single secret becomes `credWithUV`; `credWithoutUV` stays
    /// absent (inventing one would change PRF outputs silently).
    fn after_read(&mut self, _r: &mut Reader<'_>, ctx: &mut Ctx, path: &Path<'_>) -> Result<()> {
        if self.hmac_credentials.is_some() {
            return Ok(());
        }
        let Some(Value::Object(old)) = self.unknown.get("hmacSecret") else {
            return Ok(());
        };
        let Some(Value::String(secret)) = old.get("secret") else {
            return Ok(());
        };
        let old_path = path.key("hmacSecret");
        let secret = SecretB64::canonical_from(secret, ctx, &old_path.key("secret"));
        self.unknown.remove("hmacSecret");
        ctx.note(
            "ps-hmac-secret",
            &old_path,
            "`hmacSecret` (PS 2025-08 Appendix A) converted to `hmacCredentials`; its single \
             secret became `credWithUV` and `credWithoutUV` is missing",
        );
        self.hmac_credentials = Some(Fido2HmacCredentials {
            algorithm: Text::from("hmac-sha256"),
            cred_with_uv: secret,
            cred_without_uv: None,
            unknown: Default::default(),
        });
        Ok(())
    }
}

record! {
    /// A WebAuthn credential with its private key (§3.3.12).
    pub struct Passkey {
        /// The credential id (`rawId` at registration), base64url.
        credential_id: req B64 = "credentialId",
        /// The relying party id.
        rp_id: req Text = "rpId",
        /// `user.name` at registration (user-editable).
        username: req Text = "username" | "userName" => "wd-user-name",
        /// `user.displayName` at registration (user-editable).
        user_display_name: req Text = "userDisplayName",
        /// `user.id` at registration, base64url.
        user_handle: req B64 = "userHandle",
        /// The private key, PKCS#8 DER in base64url.
        key: req SecretB64 = "key",
        /// Extension state.
        fido2_extensions: opt Box<Fido2Extensions> = "fido2Extensions",
    }
}
