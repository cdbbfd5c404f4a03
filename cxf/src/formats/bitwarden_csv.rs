//! Bitwarden CSV: `folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,
//! login_password,login_totp` (organisation exports have `collections` instead of `folder` and
//! no `favorite`). Only logins and notes exist in this format. `fields` holds one `name: value`
//! per line; `login_uri` holds comma-separated URIs.

use crate::formats::apple_csv::push_totp;
use crate::formats::build::{self, AccountBuilder};
use crate::formats::loss::ItemRef;
use crate::formats::util::tabular::{self, Table};
use crate::formats::{Format, LossReason, LossReport, ReadError, ReadOptions};
use crate::{Document, FieldType};

const F: Format = Format::BitwardenCsv;

/// Reads a Bitwarden CSV export.
pub(crate) fn read(
    bytes: &[u8],
    options: &ReadOptions,
    loss: &mut LossReport,
) -> Result<Document, ReadError> {
    let table = Table::parse(tabular::text(bytes, F)?, F)?;
    if !table.has_all(&["type", "name"]) {
        return Err(ReadError::syntax(
            F,
            "header must have type and name columns",
        ));
    }
    let (folder, collections, fav, kind, name, notes, fields, reprompt, uri, user, pass, totp) = (
        table.col("folder"),
        table.col("collections"),
        table.col("favorite"),
        table.col("type"),
        table.col("name"),
        table.col("notes"),
        table.col("fields"),
        table.col("reprompt"),
        table.col("login_uri"),
        table.col("login_username"),
        table.col("login_password"),
        table.col("login_totp"),
    );
    let mut acc = AccountBuilder::new(F, "");
    for row in table.rows.iter().filter(|r| !r.is_blank()) {
        let title = row.get(name);
        let r = ItemRef::new(row.index, title);
        let id = acc.item_id(None, row.index);
        let r = r.with_item(&id);
        let mut item = build::item(id.clone(), title);
        match row.get(kind).trim() {
            "login" => {
                build::add_urls(&mut item, row.get(uri).split(','));
                item.credentials
                    .extend(build::basic_auth(row.get(user), row.get(pass)));
                push_totp(
                    &mut item.credentials,
                    row.get(totp),
                    row.get(user),
                    &r,
                    "login_totp",
                    loss,
                );
            }
            "note" => {}
            _ => loss.add(
                &r,
                "type",
                LossReason::Unsupported,
                "unknown row type; kept name, notes and fields",
            ),
        }
        item.credentials.extend(build::note(row.get(notes)));
        let mut custom = Vec::new();
        for line in row.get(fields).lines().filter(|l| !l.trim().is_empty()) {
            let (k, v) = line
                .split_once(": ")
                .or_else(|| line.split_once(':'))
                .unwrap_or(("", line));
            custom.extend(build::labelled(k, FieldType::String, v));
        }
        item.credentials.extend(build::custom_fields(None, custom));
        if build::truthy(row.get(fav)) {
            item.favorite = Some(true);
        }
        if build::truthy(row.get(reprompt)) {
            loss.add(
                &r,
                "reprompt",
                LossReason::NoEquivalent,
                "CXF has no master-password re-prompt flag",
            );
        }
        let f = row.get(folder);
        acc.add_to_collection(&f.split('/').collect::<Vec<_>>(), &id);
        for c in row.get(collections).split(',') {
            acc.add_to_collection(&c.split('/').collect::<Vec<_>>(), &id);
        }
        acc.push_item(item);
    }
    table.report_unread(F, loss);
    Ok(build::document(F, vec![acc.finish()], options))
}
