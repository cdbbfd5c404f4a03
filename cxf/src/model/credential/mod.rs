//! Credentials (§3.3): the 17 types of CXF 1.0, dispatched by hand on `type`.
//!
//! A credential whose `type` is known but whose members are malformed is an error with the
//! pointer of the bad member; it is never downgraded to "unknown". A credential whose `type` is
//! not known is kept whole as [`UnknownCredential`].

mod identity;
mod login;
mod passkey;
mod secrets;

pub use identity::{Address, DriversLicense, IdentityDocument, Passport, PersonName};
pub use login::{
    ApiKey, BasicAuth, CreditCard, CustomFields, ItemReference, Note, Totp, TotpAlgorithm, Wifi,
};
pub use passkey::{Fido2Extensions, Fido2HmacCredentials, Fido2LargeBlob, Passkey};
pub use secrets::{File, GeneratedPassword, SshKey};

use crate::json::reader::{Reader, Result};
use crate::json::writer::Writer;
use crate::model::Unknown;
use crate::model::codec::{FromJson, ToJson};
use crate::model::extension::{read_discriminator, read_unknown_members};
use crate::parse::Ctx;
use crate::pointer::Path;
use crate::text::Text;

/// A credential whose `type` this version does not know, kept whole.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UnknownCredential {
    /// The `type` as written.
    pub type_name: Text,
    /// All other members.
    pub members: Unknown,
}

macro_rules! credentials {
    ($( $(#[$meta:meta])* $variant:ident($ty:ident) = $name:literal, )*) => {
        /// A credential of an [`Item`](crate::Item), one variant per registered type.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum Credential {
            $( $(#[$meta])* $variant(Box<$ty>), )*
            /// A type this version does not know, kept losslessly.
            Unknown(Box<UnknownCredential>),
        }

        /// The `type` names of the credentials CXF 1.0 defines, in the order of the spec.
        pub const CREDENTIAL_TYPES: &[&str] = &[$( $name, )*];

        impl Credential {
            /// The `type` member: one of [`CREDENTIAL_TYPES`] or the unknown type's name.
            pub fn type_name(&self) -> &str {
                match self {
                    $( Credential::$variant(_) => $name, )*
                    Credential::Unknown(u) => &u.type_name,
                }
            }

            fn read_typed(
                type_name: &str,
                r: &mut Reader<'_>,
                ctx: &mut Ctx,
                path: &Path<'_>,
                cur: &mut crate::json::reader::ObjectCursor,
                seen: bool,
            ) -> Result<Self> {
                Ok(match type_name {
                    $( $name => Credential::$variant(Box::new(
                        $ty::read_members(r, ctx, path, cur, Some(("type", seen)))?,
                    )), )*
                    other => {
                        let type_name = Text::from(other);
                        let members = read_unknown_members(r, path, cur, "type", seen)?;
                        Credential::Unknown(Box::new(UnknownCredential { type_name, members }))
                    }
                })
            }

            fn write_members(&self, w: &mut Writer) {
                match self {
                    $( Credential::$variant(c) => c.write_members(w), )*
                    Credential::Unknown(u) => u.members.write_members(w),
                }
            }
        }

        $(
            impl From<$ty> for Credential {
                fn from(c: $ty) -> Self {
                    Credential::$variant(Box::new(c))
                }
            }
        )*
    };
}

credentials! {
    /// `address` (§3.3.1).
    Address(Address) = "address",
    /// `api-key` (§3.3.2).
    ApiKey(ApiKey) = "api-key",
    /// `basic-auth` (§3.3.3): a username and password for a website or app.
    BasicAuth(BasicAuth) = "basic-auth",
    /// `credit-card` (§3.3.4).
    CreditCard(CreditCard) = "credit-card",
    /// `custom-fields` (§3.3.5).
    CustomFields(CustomFields) = "custom-fields",
    /// `drivers-license` (§3.3.6).
    DriversLicense(DriversLicense) = "drivers-license",
    /// `file` (§3.3.7): metadata of a file whose bytes travel outside the JSON.
    File(File) = "file",
    /// `generated-password` (§3.3.8).
    GeneratedPassword(GeneratedPassword) = "generated-password",
    /// `identity-document` (§3.3.9).
    IdentityDocument(IdentityDocument) = "identity-document",
    /// `item-reference` (§3.3.10).
    ItemReference(ItemReference) = "item-reference",
    /// `note` (§3.3.11).
    Note(Note) = "note",
    /// `passkey` (§3.3.12): a WebAuthn credential with its private key.
    Passkey(Passkey) = "passkey",
    /// `passport` (§3.3.13).
    Passport(Passport) = "passport",
    /// `person-name` (§3.3.14).
    PersonName(PersonName) = "person-name",
    /// `ssh-key` (§3.3.15).
    SshKey(SshKey) = "ssh-key",
    /// `totp` (§3.3.16).
    Totp(Totp) = "totp",
    /// `wifi` (§3.3.17).
    Wifi(Wifi) = "wifi",
}

impl FromJson for Credential {
    fn from_json(r: &mut Reader<'_>, ctx: &mut Ctx, path: &Path<'_>) -> Result<Self> {
        let (type_name, mut cur, seen) = read_discriminator(r, "type", path)?;
        Credential::read_typed(&type_name, r, ctx, path, &mut cur, seen)
    }
}

impl ToJson for Credential {
    fn to_json(&self, w: &mut Writer) {
        w.begin_object();
        w.key("type");
        w.string(self.type_name());
        self.write_members(w);
        w.end_object();
    }
}
