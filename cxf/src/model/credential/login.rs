//! Credentials for signing in and everyday secrets: basic-auth, TOTP, API keys, cards, Wi-Fi,
//! notes, custom fields and item references.

use crate::model::codec::{record, string_enum};
use crate::model::{B64, EditableField, Extension, LinkedItem};
use crate::text::{Secret, Text};

record! {
    /// A username and password (§3.3.3), HTTP Basic or a web form. Its URLs are in the item's
    /// scope.
    pub struct BasicAuth {
        /// The username.
        username: ef _ = "username" @ String,
        /// The password.
        password: ef _ = "password" @ ConcealedString,
    }
}

string_enum! {
    /// The hash algorithm of a TOTP generator.
    pub enum TotpAlgorithm {
        /// HMAC-SHA1 (the common default).
        Sha1 = "sha1",
        /// HMAC-SHA256.
        Sha256 = "sha256",
        /// HMAC-SHA512.
        Sha512 = "sha512",
    }
}

record! {
    /// A time-based one-time password generator (§3.3.16, RFC 6238).
    pub struct Totp {
        /// The shared secret, RFC 4648 Base32.
        secret: req Secret = "secret",
        /// Time step in seconds (default 30).
        period: opt u64 = "period",
        /// Number of digits (default 6).
        digits: opt u64 = "digits",
        /// Account name at the relying party.
        username: opt Text = "username",
        /// Hash algorithm; importers ignore a TOTP whose algorithm they do not know.
        algorithm: req TotpAlgorithm = "algorithm",
        /// Name of the relying party.
        issuer: opt Text = "issuer",
    }
}

record! {
    /// An API key (§3.3.2).
    pub struct ApiKey {
        /// The key.
        key: ef _ = "key" @ ConcealedString,
        /// Associated username.
        username: ef _ = "username" @ String,
        /// Free-text key type, e.g. `Bearer`.
        key_type: ef _ = "keyType" @ String,
        /// Endpoint URL.
        url: ef _ = "url" @ String,
        /// Start of validity.
        valid_from: ef _ = "validFrom" @ Date,
        /// End of validity.
        expiry_date: ef _ = "expiryDate" @ Date,
    }
}

record! {
    /// A payment card (§3.3.4).
    pub struct CreditCard {
        /// Card number.
        number: ef _ = "number" @ ConcealedString,
        /// Cardholder name.
        full_name: ef _ = "fullName" @ String,
        /// Card brand or vendor.
        card_type: ef _ = "cardType" @ String,
        /// CVV/CVC.
        verification_number: ef _ = "verificationNumber" @ ConcealedString,
        /// PIN.
        pin: ef _ = "pin" @ ConcealedString,
        /// Expiry, `YYYY-MM`.
        expiry_date: ef _ = "expiryDate" @ YearMonth,
        /// Valid from, `YYYY-MM`.
        valid_from: ef _ = "validFrom" @ YearMonth,
    }
}

record! {
    /// A Wi-Fi network (§3.3.17).
    pub struct Wifi {
        /// Network name.
        ssid: ef _ = "ssid" @ String,
        /// Security type, e.g. `wpa2-personal`.
        network_security_type: ef _ = "networkSecurityType" @ WifiNetworkSecurityType,
        /// Passphrase.
        passphrase: ef _ = "passphrase" @ ConcealedString,
        /// Whether the SSID is hidden (`"true"`/`"false"`).
        hidden: ef _ = "hidden" @ Boolean,
    }
}

record! {
    /// A free-text note (§3.3.11).
    pub struct Note {
        /// The text.
        content: ef_req _ = "content" @ String,
    }
}

record! {
    /// A group of user-defined fields (§3.3.5).
    pub struct CustomFields {
        /// Optional identifier of the group.
        id: opt B64 = "id",
        /// Section title.
        label: opt Text = "label",
        /// The fields, of any field type.
        fields: arr EditableField = "fields",
        /// Extensions.
        extensions: opt_arr Extension = "extensions",
    }
}

record! {
    /// Marks the item as linked to another item (§3.3.10).
    pub struct ItemReference {
        /// The referenced item.
        reference: req LinkedItem = "reference",
    }
}
