//! Helpers shared by the `cxf` integration tests.

use cxf::formats::Format;

/// Sample folder name (in `CXF_SHARED_SAMPLES`) → the format its files are read as; folders of
/// formats we cannot read are absent.
pub(crate) fn sample_format(dir: &str) -> Option<Format> {
    Some(match dir {
        "1password-1pux" => Format::OnePassword1pux,
        "1password-csv" => Format::OnePasswordCsv,
        "bitwarden-csv" => Format::BitwardenCsv,
        "bitwarden-json" | "bitwarden-json-encrypted" => Format::BitwardenJson,
        "chrome-csv" => Format::ChromeCsv,
        "cxf" => Format::Cxf,
        "dashlane-csv" => Format::DashlaneCsv,
        "firefox-csv" => Format::FirefoxCsv,
        "keepass2-xml" => Format::KeepassXml,
        "lastpass-csv" => Format::LastpassCsv,
        "protonpass-json" => Format::ProtonpassJson,
        "protonpass-csv" => Format::ProtonpassCsv,
        "nordpass-csv" => Format::NordpassCsv,
        "roboform-csv" => Format::RoboformCsv,
        "keeper-csv" => Format::KeeperCsv,
        "safari-apple-passwords-csv" => Format::AppleCsv,
        "keeper-json" => Format::KeeperJson,
        "1password-1pif" => Format::OnePassword1pif,
        _ => return None,
    })
}
