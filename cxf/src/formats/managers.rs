//! What each format holds ([`Kind`], [`Format::reads`], [`Format::writes`]) and which format
//! moves a vault out of and into each popular password manager ([`Manager`], [`MANAGERS`]).
//!
//! This is the registry the README's "From each manager / to each manager" table is generated
//! from ([`managers_markdown`]); tests check both lists against behaviour: `reads` against the
//! credential types of every fixture of the format, `writes` against what our reader finds in
//! the writer's output of a vault holding every kind.

use crate::formats::Format;

/// A kind of vault content, as users name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Kind {
    /// Username and password (`basic-auth`).
    Logins,
    /// `passkey`.
    Passkeys,
    /// One-time-password seeds (`totp`).
    Totp,
    /// Secure notes and item notes (`note`).
    Notes,
    /// Payment cards (`credit-card`).
    Cards,
    /// Names, addresses and identity documents (`person-name`, `address`,
    /// `identity-document`, `passport`, `drivers-license`).
    Identities,
    /// `ssh-key`.
    SshKeys,
    /// `wifi`.
    WiFi,
    /// `api-key`.
    ApiKeys,
    /// Fields without a typed home (`custom-fields`).
    CustomFields,
    /// Folders, groups and vaults (CXF collections).
    Folders,
}

impl Kind {
    /// Every kind, in table order.
    pub const ALL: &'static [Kind] = &[
        Kind::Logins,
        Kind::Passkeys,
        Kind::Totp,
        Kind::Notes,
        Kind::Cards,
        Kind::Identities,
        Kind::SshKeys,
        Kind::WiFi,
        Kind::ApiKeys,
        Kind::CustomFields,
        Kind::Folders,
    ];

    /// A name for people.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Logins => "logins",
            Kind::Passkeys => "passkeys",
            Kind::Totp => "TOTP",
            Kind::Notes => "notes",
            Kind::Cards => "cards",
            Kind::Identities => "identities",
            Kind::SshKeys => "SSH keys",
            Kind::WiFi => "Wi-Fi",
            Kind::ApiKeys => "API keys",
            Kind::CustomFields => "custom fields",
            Kind::Folders => "folders",
        }
    }

    /// The CXF credential types of the kind (none for [`Kind::Folders`]).
    pub fn credential_types(self) -> &'static [&'static str] {
        match self {
            Kind::Logins => &["basic-auth"],
            Kind::Passkeys => &["passkey"],
            Kind::Totp => &["totp"],
            Kind::Notes => &["note"],
            Kind::Cards => &["credit-card"],
            Kind::Identities => &[
                "person-name",
                "address",
                "identity-document",
                "passport",
                "drivers-license",
            ],
            Kind::SshKeys => &["ssh-key"],
            Kind::WiFi => &["wifi"],
            Kind::ApiKeys => &["api-key"],
            Kind::CustomFields => &["custom-fields"],
            Kind::Folders => &[],
        }
    }

    /// The kind of a CXF credential type, if it is one of the above.
    pub fn of_credential_type(type_name: &str) -> Option<Kind> {
        Kind::ALL
            .iter()
            .copied()
            .find(|k| k.credential_types().contains(&type_name))
    }
}

use Kind::{
    ApiKeys, Cards, CustomFields, Folders, Identities, Logins, Notes, Passkeys, SshKeys, Totp, WiFi,
};

impl Format {
    /// What [`read()`](super::read) carries out of this format into CXF.
    pub fn reads(self) -> &'static [Kind] {
        match self {
            Format::Cxf => Kind::ALL,
            Format::BitwardenJson => &[
                Logins,
                Passkeys,
                Totp,
                Notes,
                Cards,
                Identities,
                SshKeys,
                CustomFields,
                Folders,
            ],
            Format::OnePassword1pux => &[
                Logins,
                Totp,
                Notes,
                Cards,
                Identities,
                SshKeys,
                WiFi,
                ApiKeys,
                CustomFields,
                Folders,
            ],
            Format::LastpassCsv | Format::KeeperJson => &[
                Logins,
                Totp,
                Notes,
                Cards,
                Identities,
                SshKeys,
                WiFi,
                CustomFields,
                Folders,
            ],
            Format::OnePassword1pif => &[
                Logins,
                Totp,
                Notes,
                Cards,
                Identities,
                WiFi,
                CustomFields,
                Folders,
            ],
            Format::ProtonpassJson => &[
                Logins,
                Passkeys,
                Totp,
                Notes,
                Cards,
                Identities,
                CustomFields,
                Folders,
            ],
            Format::DashlaneCsv | Format::ProtonpassCsv | Format::EnpassJson => &[
                Logins,
                Totp,
                Notes,
                Cards,
                Identities,
                CustomFields,
                Folders,
            ],
            Format::NordpassCsv => &[Logins, Notes, Cards, Identities, CustomFields, Folders],
            Format::DashlaneJson => &[Logins, Notes, Cards, Identities, CustomFields],
            Format::RoboformCsv => &[Logins, Totp, Notes, Cards, CustomFields, Folders],
            Format::EnpassCsv => &[Logins, Totp, Notes, Cards, CustomFields],
            Format::KeepassXml | Format::Kdbx => {
                &[Logins, Passkeys, Totp, Notes, CustomFields, Folders]
            }
            Format::BitwardenCsv | Format::KeeperCsv => {
                &[Logins, Totp, Notes, CustomFields, Folders]
            }
            Format::OnePasswordCsv => &[Logins, Totp, Notes, CustomFields],
            Format::KeepassxcCsv | Format::GenericCsv => &[Logins, Totp, Notes, Folders],
            Format::AppleCsv => &[Logins, Totp, Notes],
            Format::ChromeCsv | Format::KeepassCsv => &[Logins, Notes],
            Format::FirefoxCsv => &[Logins, CustomFields],
        }
    }

    /// What [`write()`](super::write) carries out of CXF into this format (empty when it
    /// cannot be written). Everything else is named in the loss report.
    pub fn writes(self) -> &'static [Kind] {
        match self {
            Format::Cxf => Kind::ALL,
            Format::BitwardenJson => &[
                Logins,
                Passkeys,
                Totp,
                Notes,
                Cards,
                Identities,
                SshKeys,
                WiFi,
                ApiKeys,
                CustomFields,
                Folders,
            ],
            Format::KeepassXml | Format::Kdbx => {
                &[Logins, Passkeys, Totp, Notes, CustomFields, Folders]
            }
            Format::AppleCsv | Format::OnePasswordCsv | Format::DashlaneCsv => {
                &[Logins, Totp, Notes]
            }
            Format::ChromeCsv => &[Logins, Notes],
            Format::FirefoxCsv => &[Logins],
            _ => &[],
        }
    }
}

/// A password manager, and the formats that move a vault out of it and into it.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Manager {
    /// Its name.
    pub name: &'static str,
    /// The exports of it that cxf reads, the most complete first.
    pub exports: &'static [Format],
    /// Where its export is, in its own words.
    pub export_steps: &'static str,
    /// The format cxf writes that it imports, if any.
    pub imports: Option<Format>,
}

/// The managers users move between; the first six are the systems most users come from.
pub const MANAGERS: &[Manager] = &[
    Manager {
        name: "Apple Passwords / iCloud Keychain",
        exports: &[Format::AppleCsv],
        export_steps: "Passwords app: File > Export All Passwords to File",
        imports: Some(Format::AppleCsv),
    },
    Manager {
        name: "Google Password Manager / Chrome",
        exports: &[Format::ChromeCsv],
        export_steps: "passwords.google.com or chrome://password-manager: Settings > Export passwords",
        imports: Some(Format::ChromeCsv),
    },
    Manager {
        name: "1Password",
        exports: &[
            Format::OnePassword1pux,
            Format::OnePassword1pif,
            Format::OnePasswordCsv,
        ],
        export_steps: "1Password 8: File > Export (1PUX); 1Password 4-7: 1PIF or CSV",
        imports: Some(Format::OnePasswordCsv),
    },
    Manager {
        name: "Microsoft Authenticator / Edge",
        exports: &[Format::ChromeCsv],
        export_steps: "Edge: Settings > Passwords > Export passwords (Authenticator's autofill moved to Edge)",
        imports: Some(Format::ChromeCsv),
    },
    Manager {
        name: "Dashlane",
        exports: &[Format::DashlaneCsv, Format::DashlaneJson],
        export_steps: "Settings > Export data > CSV (a zip of CSVs); older apps: JSON",
        imports: Some(Format::DashlaneCsv),
    },
    Manager {
        name: "Bitwarden",
        exports: &[Format::BitwardenJson, Format::BitwardenCsv],
        export_steps: "Tools > Export vault > .json (or .json encrypted with a password)",
        imports: Some(Format::BitwardenJson),
    },
    Manager {
        name: "KeePassXC / KeePass / KeePassDX / Strongbox",
        exports: &[
            Format::Kdbx,
            Format::KeepassXml,
            Format::KeepassxcCsv,
            Format::KeepassCsv,
        ],
        export_steps: "the .kdbx database itself; or Database > Export to XML / CSV",
        imports: Some(Format::Kdbx),
    },
    Manager {
        name: "Firefox",
        exports: &[Format::FirefoxCsv],
        export_steps: "about:logins > ... > Export Logins",
        imports: Some(Format::FirefoxCsv),
    },
    Manager {
        name: "LastPass",
        exports: &[Format::LastpassCsv],
        export_steps: "Advanced Options > Export > LastPass CSV File",
        imports: None,
    },
    Manager {
        name: "Proton Pass",
        exports: &[Format::ProtonpassJson, Format::ProtonpassCsv],
        export_steps: "Settings > Export > JSON (unencrypted zip) or CSV",
        imports: None,
    },
    Manager {
        name: "Keeper",
        exports: &[Format::KeeperJson, Format::KeeperCsv],
        export_steps: "Settings > Export > JSON or CSV",
        imports: None,
    },
    Manager {
        name: "NordPass",
        exports: &[Format::NordpassCsv],
        export_steps: "Settings > Export items",
        imports: None,
    },
    Manager {
        name: "Enpass",
        exports: &[Format::EnpassJson, Format::EnpassCsv],
        export_steps: "File > Export > .json (or .csv)",
        imports: None,
    },
    Manager {
        name: "RoboForm",
        exports: &[Format::RoboformCsv],
        export_steps: "Options > Data & Sync > Export (CSV)",
        imports: None,
    },
];

fn kinds(list: &[Kind]) -> String {
    list.iter().map(|k| k.name()).collect::<Vec<_>>().join(", ")
}

fn missing(list: &[Kind]) -> String {
    let rest: Vec<Kind> = Kind::ALL
        .iter()
        .copied()
        .filter(|k| !list.contains(k))
        .collect();
    if rest.is_empty() {
        "—".to_owned()
    } else {
        kinds(&rest)
    }
}

/// The README table "from each manager / to each manager", one row per manager and
/// direction: the command, what is carried and what is not (by [`Kind`]; each value not
/// carried is also named in the loss report of the conversion).
pub fn managers_markdown() -> String {
    let mut out = String::from(
        "| manager | direction | command | carried | not carried |\n|---|---|---|---|---|\n",
    );
    for m in MANAGERS {
        for (i, &format) in m.exports.iter().enumerate() {
            let steps = if i == 0 {
                format!("from ({})", m.export_steps)
            } else {
                "from".to_owned()
            };
            out.push_str(&format!(
                "| {} | {steps} | `cxf convert EXPORT --from {} --to cxf -o vault.cxf.json` | {} | {} |\n",
                m.name,
                format.name(),
                kinds(format.reads()),
                missing(format.reads()),
            ));
        }
        match m.imports {
            Some(format) => {
                let encrypted = if format == Format::Kdbx {
                    " --password-file PW"
                } else {
                    ""
                };
                out.push_str(&format!(
                    "| {} | to | `cxf convert vault.cxf.json --to {} -o import.{}{encrypted}` | {} | {} |\n",
                    m.name,
                    format.name(),
                    format.extensions()[0],
                    kinds(format.writes()),
                    missing(format.writes()),
                ));
            }
            None => out.push_str(&format!(
                "| {} | to | no format of its own that cxf writes; most importers take `bitwarden-json` or `chrome-csv` (see its import page) | | |\n",
                m.name
            )),
        }
    }
    out
}
