//! Reading a vault in any supported format: format detection, passwords of encrypted
//! exports, CXF normalisation notes. Shared by `convert`, `send` and `inspect`; `validate` uses
//! the wording of a file that is not CXF.

use std::io::IsTerminal;
use std::path::Path;

use anyhow::{Context, Result};
use cxf::formats::{self, ColumnMap, Detection, Format, LossReport, ReadError, ReadOptions};
use zeroize::Zeroizing;

use crate::output::{Invalid, parse_cxf, read_input, safe};

/// A vault read from a file.
pub(crate) struct Source {
    pub(crate) format: Format,
    pub(crate) document: cxf::Document,
    /// What the CXF parser normalised (CXF inputs only).
    pub(crate) notes: Vec<cxf::ParseNote>,
    /// What reading could not carry into CXF.
    pub(crate) loss: LossReport,
}

/// Parses a `--from`/`--to`/`--format` value.
pub(crate) fn format_arg(flag: &str, name: &str) -> Result<Format> {
    name.parse::<Format>()
        .map_err(|e| anyhow::anyhow!("{flag} {name}: {e} (see `cxf formats`)"))
}

/// The column map of `--columns`, which only `--from generic-csv` takes.
pub(crate) fn column_map(from: Option<Format>, columns: Option<&str>) -> Result<Option<ColumnMap>> {
    let Some(columns) = columns else {
        return Ok(None);
    };
    if from != Some(Format::GenericCsv) {
        anyhow::bail!(
            "--columns maps the columns of --from generic-csv; other formats have their own columns (add --from generic-csv to read this file with the map)"
        );
    }
    let map = ColumnMap::parse(columns).map_err(|e| anyhow::anyhow!("--columns: {e}"))?;
    Ok(Some(map))
}

/// The usage error of `--from generic-csv` without `--columns`: how to write one, with the
/// file's columns.
pub(crate) fn columns_needed(path: &Path, bytes: &[u8]) -> anyhow::Error {
    let header = match formats::csv_columns(bytes) {
        Ok(cols) => {
            let cols: Vec<String> = cols
                .iter()
                .filter(|c| !c.is_empty())
                .map(|c| safe(c))
                .collect();
            format!(
                "the columns of {}: {}",
                safe(&path.display().to_string()),
                cols.join(", ")
            )
        }
        Err(e) => format!(
            "the header of {} could not be read: {e}",
            safe(&path.display().to_string())
        ),
    };
    anyhow::anyhow!(
        "--from generic-csv needs --columns ROLE=COLUMN,... saying which column holds what, e.g. --columns 'title=Name,username=Login,password=Password,url=Website'\nroles: title, username, password, url (repeatable), notes, totp, folder (`/` nests), tags (repeatable), created, modified\n{header}"
    )
}

pub(crate) fn detected(path: &Path, bytes: &[u8]) -> Result<Format> {
    match formats::detect(bytes) {
        Detection::Certain(f) => Ok(f),
        Detection::Ambiguous(candidates) => {
            let names: Vec<&str> = candidates.iter().map(|c| c.name()).collect();
            anyhow::bail!(
                "{} could be any of: {}; name the format with --from",
                path.display(),
                names.join(", ")
            )
        }
        Detection::Unsupported { name } => {
            let article = if name.starts_with(['A', 'E', 'I', 'O', 'U', 'a', 'e', 'i', 'o', 'u']) {
                "an"
            } else {
                "a"
            };
            Err(Invalid(format!(
                "{}: this looks like {article} {name}, which cxf cannot read yet (see `cxf formats`)",
                path.display()
            ))
            .into())
        }
        _ => {
            // Any CSV with a header can still be read with a column map.
            let csv = formats::csv_columns(bytes)
                .is_ok_and(|c| c.iter().filter(|c| !c.is_empty()).count() >= 2);
            Err(Invalid(format!(
                "the format of {} was not recognised; name it with --from (`cxf formats` lists them){}",
                path.display(),
                if csv {
                    "; any other CSV can be read with --from generic-csv --columns ROLE=COLUMN,... (e.g. title=Name,username=Login,password=Password)"
                } else {
                    ""
                }
            ))
            .into())
        }
    }
}

/// The password in the first line of `file` (`-` for stdin).
pub(crate) fn password(file: Option<&Path>) -> Result<Option<cxf::Secret>> {
    let Some(file) = file else { return Ok(None) };
    let bytes = read_input(file, 4096).context("cannot read the password file")?;
    let text = std::str::from_utf8(&bytes).context("the password file is not UTF-8")?;
    Ok(Some(cxf::Secret::new(text.trim_end_matches(['\r', '\n']))))
}

/// The content of a KeePass key file.
pub(crate) fn key_file(file: Option<&Path>) -> Result<Option<formats::KeyFile>> {
    let Some(file) = file else { return Ok(None) };
    // KeePass key files are small (XML, 32 or 64 bytes); any file is allowed, hashed.
    let bytes = read_input(file, 1 << 20).context("cannot read the key file")?;
    Ok(Some(formats::KeyFile::new(bytes.to_vec())))
}

/// Reads `path` as `from` (or the detected format).
pub(crate) fn read_source(
    path: &Path,
    from: Option<Format>,
    password_file: Option<&Path>,
    columns: Option<ColumnMap>,
) -> Result<Source> {
    let password = password(password_file)?;
    read_source_with_key(path, from, password, None, columns)
}

/// [`read_source`] with the password already read, and the key file of a KeePass database.
pub(crate) fn read_source_with_key(
    path: &Path,
    from: Option<Format>,
    password: Option<cxf::Secret>,
    key_file: Option<formats::KeyFile>,
    columns: Option<ColumnMap>,
) -> Result<Source> {
    let limits = cxf::Limits::default();
    let bytes = read_input(path, limits.max_document_bytes)?;
    read_source_bytes_with_key(path, &bytes, from, password, key_file, columns)
}

/// Reads `bytes`, the content of `path`, as `from` (or the detected format); asks for the
/// password of a password-protected export on the terminal when `password_file` is absent.
pub(crate) fn read_source_bytes(
    path: &Path,
    bytes: &[u8],
    from: Option<Format>,
    password_file: Option<&Path>,
    columns: Option<ColumnMap>,
) -> Result<Source> {
    let password = password(password_file)?;
    read_source_bytes_with_key(path, bytes, from, password, None, columns)
}

fn read_source_bytes_with_key(
    path: &Path,
    bytes: &[u8],
    from: Option<Format>,
    password: Option<cxf::Secret>,
    key_file: Option<formats::KeyFile>,
    columns: Option<ColumnMap>,
) -> Result<Source> {
    let limits = cxf::Limits::default();
    let mut password = password;
    if formats::is_age(bytes) {
        let plain = open_age(path, bytes, &mut password, &limits)?;
        return read_source_bytes_with_key(path, &plain, from, password, key_file, columns);
    }
    let format = match from {
        Some(f) => f,
        None => detected(path, bytes)?,
    };
    if !format.can_read() {
        anyhow::bail!("{format} cannot be read (see `cxf formats`)");
    }
    if format == Format::Cxf {
        let parsed = parse_cxf(path, bytes, &limits)?;
        return Ok(Source {
            format,
            document: parsed.document,
            notes: parsed.notes,
            loss: LossReport::new(),
        });
    }
    if format == Format::GenericCsv && columns.is_none() {
        return Err(columns_needed(path, bytes));
    }
    let mut options = ReadOptions::default().with_limits(limits);
    options.password = password;
    options.key_file = key_file;
    options.columns = columns;
    let result = match formats::read(format, bytes, &options) {
        Err(ReadError::PasswordRequired) if std::io::stdin().is_terminal() => {
            let typed = Zeroizing::new(
                rpassword::prompt_password(format!("Password of {}: ", path.display()))
                    .context("cannot read the password")?,
            );
            options.password = Some(cxf::Secret::new(typed.as_str()));
            formats::read(format, bytes, &options)
        }
        other => other,
    };
    let (document, loss) = result.map_err(|e| read_failure(path, format, e))?;
    Ok(Source {
        format,
        document,
        notes: Vec::new(),
        loss,
    })
}

/// The error to show when `path` cannot be read as `format`.
pub(crate) fn read_failure(path: &Path, format: Format, e: ReadError) -> anyhow::Error {
    match e {
        // The map is an argument: a map that does not fit the file is a usage error.
        ReadError::ColumnMap { .. } => anyhow::anyhow!("--columns: {e}"),
        ReadError::PasswordRequired => Invalid(format!(
            "{} is password-protected: pass --password-file FILE (or run on a terminal to be asked)",
            path.display()
        ))
        .into(),
        ReadError::DecryptionFailed => Invalid(format!(
            "{} could not be decrypted: the password{} is wrong or the file is damaged",
            path.display(),
            if format == Format::Kdbx {
                " or key file"
            } else {
                ""
            }
        ))
        .into(),
        other => {
            Invalid(format!("{} cannot be read as {format}: {other}", path.display())).into()
        }
    }
}

/// The content of the age file `bytes` (`path`), opened with `password` or, without one, a
/// passphrase typed on the terminal (then kept in `password` for an encrypted content).
pub(crate) fn open_age(
    path: &Path,
    bytes: &[u8],
    password: &mut Option<cxf::Secret>,
    limits: &cxf::Limits,
) -> Result<Zeroizing<Vec<u8>>> {
    let secret = match password.take() {
        Some(secret) => secret,
        None if std::io::stdin().is_terminal() => {
            let typed = Zeroizing::new(
                rpassword::prompt_password(format!("Passphrase of {}: ", path.display()))
                    .context("cannot read the passphrase")?,
            );
            cxf::Secret::new(typed.as_str())
        }
        None => {
            return Err(Invalid(format!(
                "{} is an age-encrypted file: pass --password-file FILE with its passphrase (or run on a terminal to be asked)",
                path.display()
            ))
            .into());
        }
    };
    let opened = formats::open_age(bytes, &secret, limits);
    *password = Some(secret);
    opened.map_err(|e| {
        let message = match e {
            ReadError::DecryptionFailed => format!(
                "{} could not be decrypted: the passphrase is wrong or the file is damaged",
                path.display()
            ),
            other => format!("{} (age-encrypted): {other}", path.display()),
        };
        Invalid(message).into()
    })
}

/// "a Bitwarden JSON export", "an Apple Passwords CSV export": what a file in `format` is.
pub(crate) fn describe(format: Format) -> String {
    let name = format.display_name();
    let article = if name.starts_with(['A', 'E', 'I', 'O', 'U']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {name} export")
}

/// The command that converts `path` to CXF, for hints: `cxf convert PATH --to cxf -o NAME`,
/// where NAME is PATH with its extension replaced by `.cxf.json`. `extra` is appended (another
/// option, e.g. `--report`).
pub(crate) fn convert_command(path: &Path, extra: &str) -> String {
    let (input, output) = if path == Path::new("-") {
        ("-".to_owned(), "export.cxf.json".to_owned())
    } else {
        (file_word(path), file_word(&path.with_extension("cxf.json")))
    };
    let mut command = format!("cxf convert {input} --to cxf -o {output}");
    if !extra.is_empty() {
        command.push(' ');
        command.push_str(extra);
    }
    command
}

/// A file name as a shell word that cannot be taken for an option.
fn file_word(path: &Path) -> String {
    let name = path.display().to_string();
    if name.starts_with('-') {
        shell_word(&format!("./{name}"))
    } else {
        shell_word(&name)
    }
}

/// `word` quoted for a POSIX shell when it needs to be, so a hint can be pasted as is.
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./,:@%+=".contains(c));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_formats_with_their_article() {
        assert_eq!(describe(Format::BitwardenJson), "a Bitwarden JSON export");
        assert_eq!(describe(Format::AppleCsv), "an Apple Passwords CSV export");
    }

    #[test]
    fn convert_hints_can_be_pasted_into_a_shell() {
        assert_eq!(
            convert_command(Path::new("dir/bitwarden.json"), ""),
            "cxf convert dir/bitwarden.json --to cxf -o dir/bitwarden.cxf.json"
        );
        assert_eq!(
            convert_command(Path::new("my export's.csv"), "--report loss.json"),
            "cxf convert 'my export'\\''s.csv' --to cxf -o 'my export'\\''s.cxf.json' --report loss.json"
        );
        assert_eq!(
            convert_command(Path::new("-"), ""),
            "cxf convert - --to cxf -o export.cxf.json"
        );
    }
}
