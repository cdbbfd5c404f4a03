//! Extension checks (§3.5): known names, placement and the `shared` extension.

use super::ctx::{Ptr, Sink};
use super::formats::quote;
use super::rules;

/// Where an `extensions` array sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Host {
    /// `Account.extensions`.
    Account,
    /// `Collection.extensions`.
    Collection,
    /// `Item.extensions`.
    Item,
    /// `EditableField.extensions` or `custom-fields.extensions`.
    Field,
}

/// Permissions defined for `shared` accessors.
pub(crate) const PERMISSIONS: [&str; 7] = [
    "read",
    "readSecret",
    "update",
    "create",
    "delete",
    "share",
    "manage",
];

/// Check an extension's `name` (extension at `ext`) on `host`. Returns `true` for `shared`
/// placed where it may be (so its accessors should be checked).
pub(crate) fn check_name(sink: &mut Sink, ext: &Ptr<'_>, name: &str, host: Host) -> bool {
    if name != "shared" {
        sink.push(
            rules::EXTENSION_UNKNOWN,
            &ext.key("name"),
            format!("unknown extension {} (importers ignore it)", quote(name)),
            "no action needed: an importer that does not implement the extension ignores it",
        );
        return false;
    }
    if matches!(host, Host::Account | Host::Field) {
        sink.push(
            rules::EXTENSION_SHARED_PLACEMENT,
            ext,
            "the shared extension is only allowed on Collections and Items",
            "move the sharing information to the shared Collection or Item",
        );
    }
    true
}

/// Check one sharing accessor (at `acc`).
pub(crate) fn check_accessor(sink: &mut Sink, acc: &Ptr<'_>, kind: &str, permissions: &[&str]) {
    if kind != "user" && kind != "group" {
        sink.push(
            rules::SHARED_ACCESSOR_TYPE,
            &acc.key("type"),
            format!(
                "accessor type {} is not \"user\" or \"group\"; importers ignore it",
                quote(kind)
            ),
            "use \"user\" or \"group\"",
        );
    }
    let perms = acc.key("permissions");
    let mut known = 0;
    for (i, p) in permissions.iter().enumerate() {
        if PERMISSIONS.contains(p) {
            known += 1;
        } else {
            sink.push(
                rules::SHARED_PERMISSION,
                &perms.idx(i),
                format!("unknown permission {}; importers drop it", quote(p)), "use the permissions CXF 1.0 defines: read, readSecret, update, create, delete, share, manage",
);
        }
    }
    if known == 0 {
        sink.push(
            rules::SHARED_NO_PERMISSIONS,
            &perms,
            "accessor has no known permission; importers ignore it",
            "give the accessor at least one CXF 1.0 permission, or remove it",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn got(f: impl FnOnce(&mut Sink)) -> Vec<(&'static str, String)> {
        let mut sink = Sink::default();
        f(&mut sink);
        sink.diagnostics
            .into_iter()
            .map(|d| (d.rule, d.pointer))
            .collect()
    }

    #[test]
    fn names_and_placement() {
        let e = Ptr::root().key("e");
        assert!(got(|s| assert!(check_name(s, &e, "shared", Host::Item))).is_empty());
        assert_eq!(
            got(|s| assert!(!check_name(s, &e, "x-vendor", Host::Item))),
            [("extension.unknown", "/e/name".into())]
        );
        assert_eq!(
            got(|s| assert!(check_name(s, &e, "shared", Host::Account))),
            [("extension.shared-placement", "/e".into())]
        );
    }

    #[test]
    fn accessors() {
        let a = Ptr::root();
        assert!(got(|s| check_accessor(s, a, "user", &["read", "readSecret"])).is_empty());
        assert_eq!(
            got(|s| check_accessor(s, a, "robot", &["read"])),
            [("shared.accessor-type", "/type".into())]
        );
        assert_eq!(
            got(|s| check_accessor(s, a, "group", &["read", "fly"])),
            [("shared.permission", "/permissions/1".into())]
        );
        assert_eq!(
            got(|s| check_accessor(s, a, "group", &["fly"])),
            [
                ("shared.permission", "/permissions/0".into()),
                ("shared.no-permissions", "/permissions".into())
            ]
        );
        assert_eq!(
            got(|s| check_accessor(s, a, "group", &[])),
            [("shared.no-permissions", "/permissions".into())]
        );
    }
}
