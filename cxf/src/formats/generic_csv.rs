//! Any CSV file, read with a [`ColumnMap`] that says which column holds what: the format for a
//! manager this crate has no reader of. It is never detected; it is only read when named, and
//! only with a map ([`ReadOptions::columns`]).
//!
//! The first record is the header; column names match case-insensitively (surrounding spaces
//! ignored). Each non-blank row is one item:
//!
//! | role | CXF | notes |
//! |---|---|---|
//! | `title` | item `title` | empty: the URL's host, else `(untitled)` |
//! | `username`, `password` | `basic-auth` | |
//! | `url` | item `scope.urls` | repeatable (`url=Site,url=Alt`); a cell may hold several URLs, one a line |
//! | `notes` | `note` | |
//! | `totp` | `totp` | an `otpauth://` URI or a bare Base32 secret (SHA-1, 6 digits, 30 s) |
//! | `folder` | collections | `/` separates nested folders (`Work/Mail`) |
//! | `tags` | item `tags` | repeatable; a cell holds tags separated by `,` or `;` |
//! | `created`, `modified` | `creationAt`, `modifiedAt` | ISO 8601 / RFC 3339, or Unix seconds (milliseconds when 13 digits) |
//!
//! Every column the map does not name and that holds a value is reported in the loss report
//! by its name, as is every value that could not be read (a malformed TOTP or time), and every
//! row that holds nothing but a title. No value ever appears in a report.

use std::fmt;
use std::str::FromStr;

use crate::formats::apple_csv::push_totp;
use crate::formats::build::{self, AccountBuilder};
use crate::formats::loss::ItemRef;
use crate::formats::util::tabular::{self, Table};
use crate::formats::util::time;
use crate::formats::{Format, LossReason, LossReport, ReadError, ReadOptions};
use crate::{Document, Text};

const F: Format = Format::GenericCsv;

/// What a column of a [`ColumnMap`] holds: the CXF place its values go to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ColumnRole {
    /// The item's title.
    Title,
    /// The login's username.
    Username,
    /// The login's password.
    Password,
    /// A URL of the item (repeatable).
    Url,
    /// A note.
    Notes,
    /// A TOTP: `otpauth://` URI or Base32 secret.
    Totp,
    /// A `/`-separated folder path.
    Folder,
    /// Tags separated by `,` or `;` (repeatable).
    Tags,
    /// Creation time.
    Created,
    /// Last modification time.
    Modified,
}

impl ColumnRole {
    /// Every role, in the order they are documented.
    pub const ALL: &'static [ColumnRole] = &[
        ColumnRole::Title,
        ColumnRole::Username,
        ColumnRole::Password,
        ColumnRole::Url,
        ColumnRole::Notes,
        ColumnRole::Totp,
        ColumnRole::Folder,
        ColumnRole::Tags,
        ColumnRole::Created,
        ColumnRole::Modified,
    ];

    /// The role's name in a map (`title`, `username`, ...).
    pub fn name(self) -> &'static str {
        match self {
            ColumnRole::Title => "title",
            ColumnRole::Username => "username",
            ColumnRole::Password => "password",
            ColumnRole::Url => "url",
            ColumnRole::Notes => "notes",
            ColumnRole::Totp => "totp",
            ColumnRole::Folder => "folder",
            ColumnRole::Tags => "tags",
            ColumnRole::Created => "created",
            ColumnRole::Modified => "modified",
        }
    }

    /// Whether several columns may have this role.
    pub fn repeatable(self) -> bool {
        matches!(self, ColumnRole::Url | ColumnRole::Tags)
    }

    fn known() -> String {
        let names: Vec<&str> = Self::ALL.iter().map(|r| r.name()).collect();
        names.join(", ")
    }
}

impl fmt::Display for ColumnRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which CSV column holds what, for reading [`Format::GenericCsv`]: `role=Column` pairs, e.g.
/// `title=Name,username=Login,password=Pass,url=Site,notes=Comment,totp=OTP,folder=Group,tags=Labels`.
///
/// ```
/// use cxf::formats::{self, ColumnMap, Format, ReadOptions};
///
/// let csv = b"Name,Login,Pass,Site,Colour\r\nMail,kim,hunter2,https://mail.example.test/,blue\r\n";
/// let map = ColumnMap::parse("title=Name,username=Login,password=Pass,url=Site")?;
/// let options = ReadOptions::default().with_columns(map);
/// let (doc, loss) = formats::read(Format::GenericCsv, csv, &options)?;
/// assert_eq!(doc.accounts[0].items[0].title, "Mail");
/// assert_eq!(loss.entries()[0].what, "Colour"); // the column the map does not name
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ColumnMap {
    entries: Vec<(ColumnRole, String)>,
}

impl ColumnMap {
    /// Parses `role=Column` pairs separated by commas. Roles: `title`, `username`, `password`,
    /// `url`, `notes`, `totp`, `folder`, `tags`, `created`, `modified`; `url` and `tags` may be
    /// given more than once, the others once. Column names are matched case-insensitively when
    /// the file is read.
    ///
    /// # Errors
    /// [`ColumnMapError`]: an empty map, a pair without `=`, an unknown role (the message lists
    /// the known ones), an empty column name, a role given twice.
    pub fn parse(s: &str) -> Result<Self, ColumnMapError> {
        let mut map = ColumnMap::default();
        for pair in s.split(',') {
            let pair = pair.trim();
            if pair.is_empty() {
                continue;
            }
            let Some((role, column)) = pair.split_once('=') else {
                return Err(ColumnMapError(format!(
                    "{pair:?} is not role=Column (e.g. title=Name); roles: {}",
                    ColumnRole::known()
                )));
            };
            let (role, column) = (role.trim(), column.trim());
            let Some(r) = ColumnRole::ALL
                .iter()
                .copied()
                .find(|r| r.name().eq_ignore_ascii_case(role))
            else {
                return Err(ColumnMapError(format!(
                    "unknown role {role:?}; roles: {}",
                    ColumnRole::known()
                )));
            };
            if column.is_empty() {
                return Err(ColumnMapError(format!(
                    "role {r} names no column (write {r}=Column)"
                )));
            }
            if !r.repeatable() && map.entries.iter().any(|(e, _)| *e == r) {
                return Err(ColumnMapError(format!(
                    "role {r} is given twice; only url and tags may name several columns"
                )));
            }
            map.entries.push((r, column.to_owned()));
        }
        if map.entries.is_empty() {
            return Err(ColumnMapError(format!(
                "the column map is empty; write role=Column pairs separated by commas, e.g. title=Name,username=Login,password=Password; roles: {}",
                ColumnRole::known()
            )));
        }
        Ok(map)
    }

    /// Adds a column with a role (no check that a non-repeatable role is unique: the last one
    /// given wins).
    pub fn with(mut self, role: ColumnRole, column: impl Into<String>) -> Self {
        self.entries.push((role, column.into()));
        self
    }

    /// The (role, column name) pairs, in the order given.
    pub fn entries(&self) -> &[(ColumnRole, String)] {
        &self.entries
    }

    /// The columns given for `role`.
    pub fn columns(&self, role: ColumnRole) -> impl Iterator<Item = &str> {
        self.entries
            .iter()
            .filter(move |(r, _)| *r == role)
            .map(|(_, c)| c.as_str())
    }
}

impl FromStr for ColumnMap {
    type Err = ColumnMapError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ColumnMap::parse(s)
    }
}

impl fmt::Display for ColumnMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (role, column)) in self.entries.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{role}={column}")?;
        }
        Ok(())
    }
}

/// Why a [`ColumnMap`] did not parse (the message says what to write instead).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMapError(String);

impl fmt::Display for ColumnMapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ColumnMapError {}

/// The column names of a CSV file's header, as written: what a [`ColumnMap`] can name.
///
/// # Errors
/// [`ReadError::Syntax`] when the input is not UTF-8 CSV or is empty.
pub fn csv_columns(bytes: &[u8]) -> Result<Vec<String>, ReadError> {
    let text = tabular::text(bytes, F)?;
    // Only the header is needed: parse the first record alone.
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    match reader.records().next() {
        Some(Ok(h)) => Ok(h.iter().map(|c| c.trim().to_owned()).collect()),
        Some(Err(_)) => Err(ReadError::syntax(F, "malformed CSV header")),
        None => Err(ReadError::syntax(F, "empty file: no header row")),
    }
}

fn header_list(raw: &[String]) -> String {
    let names: Vec<String> = raw
        .iter()
        .filter(|n| !n.is_empty())
        .map(|n| format!("{n:?}"))
        .collect();
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}

/// The columns of the map, found in the table (each marked read).
struct Cols {
    title: Option<usize>,
    username: Option<usize>,
    password: Option<usize>,
    urls: Vec<usize>,
    notes: Option<usize>,
    totp: Option<usize>,
    folder: Option<usize>,
    tags: Vec<usize>,
    created: Option<usize>,
    modified: Option<usize>,
}

impl Cols {
    fn find(table: &Table, map: &ColumnMap) -> Result<Self, ReadError> {
        let mut missing = Vec::new();
        let mut lookup = |role: ColumnRole| -> Vec<usize> {
            map.columns(role)
                .filter_map(|name| {
                    let c = table.col(&name.trim().to_lowercase());
                    if c.is_none() {
                        missing.push(format!("{role}={name}"));
                    }
                    c
                })
                .collect()
        };
        let mut one = |role| lookup(role).last().copied();
        let cols = Cols {
            title: one(ColumnRole::Title),
            username: one(ColumnRole::Username),
            password: one(ColumnRole::Password),
            notes: one(ColumnRole::Notes),
            totp: one(ColumnRole::Totp),
            folder: one(ColumnRole::Folder),
            created: one(ColumnRole::Created),
            modified: one(ColumnRole::Modified),
            urls: Vec::new(),
            tags: Vec::new(),
        };
        let cols = Cols {
            urls: lookup(ColumnRole::Url),
            tags: lookup(ColumnRole::Tags),
            ..cols
        };
        if !missing.is_empty() {
            return Err(ReadError::ColumnMap {
                message: format!(
                    "the header has no column for {}; the file's columns are {}",
                    missing.join(", "),
                    header_list(&table.raw)
                ),
            });
        }
        Ok(cols)
    }
}

/// Reads a CSV file with the column map of `options`.
pub(crate) fn read(
    bytes: &[u8],
    options: &ReadOptions,
    loss: &mut LossReport,
) -> Result<Document, ReadError> {
    let Some(map) = &options.columns else {
        let columns = csv_columns(bytes)
            .map(|c| format!("; the file's columns are {}", header_list(&c)))
            .unwrap_or_default();
        return Err(ReadError::Unsupported {
            format: F,
            message: format!(
                "reading without a column map; give a column map that names the columns, e.g. title=Name,username=Login,password=Password,url=Site (roles: {}){columns}",
                ColumnRole::known()
            ),
        });
    };
    let table = Table::parse(tabular::text(bytes, F)?, F)?;
    let c = Cols::find(&table, map)?;
    let mut acc = AccountBuilder::new(F, "");
    for row in table.rows.iter().filter(|r| !r.is_blank()) {
        let get = |col| row.get(col);
        let urls: Vec<&str> = c
            .urls
            .iter()
            .flat_map(|u| row.get(Some(*u)).lines())
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .collect();
        let first_url = urls.first().copied().unwrap_or("");
        let id = acc.item_id(None, row.index);
        let mut item = build::item(id.clone(), build::title_or_host(get(c.title), first_url));
        let title = item.title.to_string();
        let r = ItemRef::new(row.index, &title).with_item(&id);
        build::add_urls(&mut item, urls);
        let user = get(c.username);
        item.credentials
            .extend(build::basic_auth(user, get(c.password)));
        let totp_name = column_name(&table, c.totp);
        push_totp(
            &mut item.credentials,
            get(c.totp),
            user,
            &r,
            &totp_name,
            loss,
        );
        item.credentials.extend(build::note(get(c.notes)));
        for t in &c.tags {
            for tag in row.get(Some(*t)).split([',', ';']).map(str::trim) {
                if !tag.is_empty() && !item.tags.iter().any(|x| x.as_str() == tag) {
                    item.tags.push(Text::from(tag));
                }
            }
        }
        item.creation_at = read_time(&table, c.created, row.get(c.created), &r, loss);
        item.modified_at = read_time(&table, c.modified, row.get(c.modified), &r, loss);
        if build::push_unless_empty(&mut acc, item, row.index, loss) {
            let folder = get(c.folder);
            let path: Vec<&str> = folder
                .split('/')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .collect();
            acc.add_to_collection(&path, &id);
        }
    }
    table.report_unread(F, loss);
    Ok(build::document(F, vec![acc.finish()], options))
}

/// The header name of a column as written.
fn column_name(table: &Table, col: Option<usize>) -> String {
    col.and_then(|c| table.raw.get(c))
        .cloned()
        .unwrap_or_default()
}

/// A time cell: RFC 3339 / ISO 8601, or Unix seconds (13 digits: milliseconds). A malformed
/// value is reported under its column's name.
fn read_time(
    table: &Table,
    col: Option<usize>,
    v: &str,
    r: &ItemRef<'_>,
    loss: &mut LossReport,
) -> Option<u64> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    let t = if v.bytes().all(|b| b.is_ascii_digit()) {
        v.parse::<u64>()
            .ok()
            .map(|n| if v.len() >= 13 { n / 1000 } else { n })
    } else {
        time::parse_rfc3339(v)
    };
    if t.is_none() {
        loss.add(
            r,
            column_name(table, col),
            LossReason::InvalidValue,
            "not an ISO 8601 time after 1970 or Unix seconds",
        );
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_parse_and_print_back() {
        let m = ColumnMap::parse(" title = Name ,url=Site,url=Alt,TAGS=Labels,").unwrap();
        assert_eq!(m.to_string(), "title=Name,url=Site,url=Alt,tags=Labels");
        assert_eq!(
            m.columns(ColumnRole::Url).collect::<Vec<_>>(),
            ["Site", "Alt"]
        );
    }

    #[test]
    fn bad_maps_say_what_is_wrong() {
        let e = ColumnMap::parse("title=Name,colour=Colour").unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown role \"colour\"; roles: title, username, password, url, notes, totp, folder, tags, created, modified"
        );
        let e = ColumnMap::parse("title=Name,title=Other").unwrap_err();
        assert!(e.to_string().contains("role title is given twice"), "{e}");
        let e = ColumnMap::parse("title").unwrap_err();
        assert!(
            e.to_string().contains("\"title\" is not role=Column"),
            "{e}"
        );
        let e = ColumnMap::parse("username=").unwrap_err();
        assert!(
            e.to_string().contains("role username names no column"),
            "{e}"
        );
        let e = ColumnMap::parse(" , ").unwrap_err();
        assert!(e.to_string().contains("the column map is empty"), "{e}");
    }
}
