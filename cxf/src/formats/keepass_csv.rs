//! KeePass CSV ("KeePass CSV (1.x)", written by KeePass 1.x and 2.x):
//! `"Account","Login Name","Password","Web Site","Comments"`, every cell quoted.
//!
//! KeePass escapes a quote inside a cell as `\"` and a backslash as `\\` (not RFC 4180's `""`);
//! a file with `\"` in it is read with backslash escapes, any other file as RFC 4180 (so files
//! re-saved by a spreadsheet still read). The format has no groups, TOTP or times: each row
//! becomes an item with `basic-auth`, the web site as its URL and `Comments` as a `note`.

use crate::Document;
use crate::formats::build::{self, AccountBuilder};
use crate::formats::util::tabular::{self, Table};
use crate::formats::{Format, LossReport, ReadError, ReadOptions};

const F: Format = Format::KeepassCsv;

/// Reads a KeePass CSV export.
pub(crate) fn read(
    bytes: &[u8],
    options: &ReadOptions,
    loss: &mut LossReport,
) -> Result<Document, ReadError> {
    let text = tabular::text(bytes, F)?;
    let table = if text.contains("\\\"") {
        Table::parse_with_escape(text, F, b'\\')?
    } else {
        Table::parse(text, F)?
    };
    if !table.has_all(&["account", "login name", "password", "web site"]) {
        return Err(ReadError::syntax(
            F,
            "header must have Account, Login Name, Password and Web Site columns",
        ));
    }
    let (account, user, pass, site, comments) = (
        table.col("account"),
        table.col("login name"),
        table.col("password"),
        table.col("web site"),
        table.col("comments"),
    );
    let mut acc = AccountBuilder::new(F, "");
    for row in table.rows.iter().filter(|r| !r.is_blank()) {
        let u = row.get(site);
        let id = acc.item_id(None, row.index);
        let mut item = build::item(id, build::title_or_host(row.get(account), u));
        build::add_urls(&mut item, [u]);
        item.credentials
            .extend(build::basic_auth(row.get(user), row.get(pass)));
        item.credentials.extend(build::note(row.get(comments)));
        build::push_unless_empty(&mut acc, item, row.index, loss);
    }
    table.report_unread(F, loss);
    Ok(build::document(F, vec![acc.finish()], options))
}
