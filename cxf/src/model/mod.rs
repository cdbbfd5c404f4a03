//! The typed, lossless model of CXF 1.0, with the spec's names.

pub(crate) mod codec;

mod account;
mod b64;
mod collection;
mod credential;
mod document;
mod extension;
mod field;
mod item;
mod unknown;

pub use account::Account;
pub use b64::{B64, B64Error, SecretB64};
pub use collection::{Collection, LinkedItem};
pub use credential::{
    Address, ApiKey, BasicAuth, CREDENTIAL_TYPES, Credential, CreditCard, CustomFields,
    DriversLicense, Fido2Extensions, Fido2HmacCredentials, Fido2LargeBlob, File, GeneratedPassword,
    IdentityDocument, ItemReference, Note, Passkey, Passport, PersonName, SshKey, Totp,
    TotpAlgorithm, UnknownCredential, Wifi,
};
pub use document::{Document, Version, VersionObject};
pub use extension::{
    AccessorType, Extension, Permission, Shared, SharingAccessor, UnknownExtension,
};
pub use field::{EditableField, FieldType};
pub use item::{AndroidAppCertificateFingerprint, AndroidAppId, CredentialScope, Item};
pub use unknown::Unknown;
