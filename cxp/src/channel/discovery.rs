//! The per-user runtime directory: private socket directories and address discovery.
//!
//! Base directory: `$XDG_RUNTIME_DIR/cxf/` when `XDG_RUNTIME_DIR` names an absolute directory,
//! otherwise `<temp dir>/cxf-<uid>/`. It is created with mode 0700 and, before every use,
//! checked to be a real directory (not a symlink) owned by the current user with no group or
//! other permissions; anything else is refused ([`ChannelError::UnsafeDirectory`]), because
//! another user could have created it first in a shared `/tmp`.
//!
//! A waiting receiver writes its address to `receiver-<pid>-<random>.addr` in that directory
//! (mode 0600, written to a temporary name and renamed) and removes it when it closes. A sender
//! that is given no address reads the directory and uses the single live receiver it finds.
//!
//! A discovery file is live only if the kernel's socket table (`/proc/net/unix`,
//! `/proc/net/tcp`) shows a listening socket at its address: looking, unlike connecting, does
//! not use up the receiver's one connection. A stale file (a receiver killed before it could
//! clean up leaves its socket file behind) is ignored, and when its process is gone too it is
//! removed together with the socket directory it names. Without those tables, the socket file
//! and the pid in the file name decide, and nothing is removed.

use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, FileTypeExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::address::Address;
use super::error::{ChannelError, Result};

/// Largest address file read during discovery.
const MAX_ADDRESS_FILE_BYTES: u64 = 4096;

/// The effective user id of this process.
pub(crate) fn current_uid() -> u32 {
    rustix::process::geteuid().as_raw()
}

/// The default per-user runtime directory (not created).
pub fn default_runtime_dir() -> PathBuf {
    match std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from) {
        Some(dir) if dir.is_absolute() && dir.is_dir() => dir.join("cxf"),
        _ => std::env::temp_dir().join(format!("cxf-{}", current_uid())),
    }
}

/// Creates `dir` (mode 0700) if missing and checks that it is private to the current user.
pub(crate) fn ensure_private_dir(dir: &Path) -> Result<()> {
    match fs::DirBuilder::new().mode(0o700).create(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(ChannelError::io("creating the runtime directory", e)),
    }
    check_private_dir(dir)
}

/// Checks that `dir` is a directory (not a symlink), owned by us, without group/other access.
pub(crate) fn check_private_dir(dir: &Path) -> Result<()> {
    let meta = fs::symlink_metadata(dir)
        .map_err(|e| ChannelError::io("inspecting the runtime directory", e))?;
    let refuse = |reason| ChannelError::UnsafeDirectory {
        path: dir.to_path_buf(),
        reason,
    };
    if !meta.file_type().is_dir() {
        return Err(refuse("it is not a directory (or is a symlink)"));
    }
    if meta.uid() != current_uid() {
        return Err(refuse("it is owned by another user"));
    }
    if meta.mode() & 0o077 != 0 {
        return Err(refuse("other users have access to it (mode is not 0700)"));
    }
    Ok(())
}

/// A short random lowercase hex string for file names.
pub(crate) fn random_name() -> String {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("the operating system's random number generator failed");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A fresh private directory holding the listener's socket; removed on drop.
#[derive(Debug)]
pub(crate) struct PrivateSocketDir {
    dir: PathBuf,
}

impl PrivateSocketDir {
    /// Creates `<base>/r-<random>/` with mode 0700.
    pub(crate) fn create(base: &Path) -> Result<Self> {
        let dir = base.join(format!("r-{}", random_name()));
        fs::DirBuilder::new()
            .mode(0o700)
            .create(&dir)
            .map_err(|e| ChannelError::io("creating the private socket directory", e))?;
        let this = PrivateSocketDir { dir };
        check_private_dir(&this.dir)?;
        Ok(this)
    }

    /// The socket path inside the directory.
    pub(crate) fn socket_path(&self) -> PathBuf {
        self.dir.join("sock")
    }

    /// The directory.
    #[cfg(test)]
    pub(crate) fn path(&self) -> &Path {
        &self.dir
    }
}

impl Drop for PrivateSocketDir {
    fn drop(&mut self) {
        let _ = fs::remove_file(self.socket_path());
        let _ = fs::remove_dir(&self.dir);
    }
}

/// The discovery file announcing a waiting receiver; removed on drop.
#[derive(Debug)]
pub(crate) struct Advertisement {
    path: PathBuf,
}

impl Advertisement {
    /// Writes `address` into a new discovery file in `base` (mode 0600, atomically).
    pub(crate) fn publish(base: &Path, address: &Address) -> Result<Self> {
        let name = format!("receiver-{}-{}", std::process::id(), random_name());
        let tmp = base.join(format!(".{name}.tmp"));
        let path = base.join(format!("{name}.addr"));
        let write = || -> io::Result<()> {
            let mut file = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&tmp)?;
            writeln!(file, "{address}")?;
            file.sync_all()?;
            fs::rename(&tmp, &path)
        };
        if let Err(e) = write() {
            let _ = fs::remove_file(&tmp);
            return Err(ChannelError::io("writing the receiver's discovery file", e));
        }
        Ok(Advertisement { path })
    }

    /// Path of the discovery file.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Advertisement {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// Finds the single live receiver advertised in `base`.
pub(crate) fn find_single_receiver(base: &Path) -> Result<Address> {
    let not_found = || ChannelError::NoReceiver {
        dir: base.to_path_buf(),
    };
    match fs::symlink_metadata(base) {
        Ok(_) => check_private_dir(base)?,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(not_found()),
        Err(e) => return Err(ChannelError::io("inspecting the runtime directory", e)),
    }
    let entries =
        fs::read_dir(base).map_err(|e| ChannelError::io("listing the runtime directory", e))?;
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if !(name.starts_with("receiver-") && name.ends_with(".addr")) {
            continue;
        }
        if let Some(address) = read_live_advertisement(&entry.path(), name, base) {
            found.push(address);
        }
    }
    match found.len() {
        0 => Err(not_found()),
        1 => Ok(found.remove(0)),
        count => Err(ChannelError::SeveralReceivers {
            count,
            dir: base.to_path_buf(),
        }),
    }
}

/// Reads one discovery file; `None` if it is malformed or its receiver is gone.
fn read_live_advertisement(path: &Path, name: &str, base: &Path) -> Option<Address> {
    let meta = fs::symlink_metadata(path).ok()?;
    if !meta.file_type().is_file() || meta.len() > MAX_ADDRESS_FILE_BYTES {
        return None;
    }
    if meta.uid() != current_uid() || meta.permissions().mode() & 0o077 != 0 {
        return None;
    }
    let text = fs::read_to_string(path).ok()?;
    let address: Address = text.trim().parse().ok()?;
    match listening(&address) {
        Some(true) => Some(address),
        // The kernel's socket table says nobody listens there: stale. Clean it up only if its
        // process is gone too (a sender in another network namespace sees another table).
        Some(false) => {
            if !process_alive(name) {
                remove_stale(path, &address, base);
            }
            None
        }
        // No socket table (not Linux): fall back to the socket file and the pid, and leave
        // the files alone.
        None => {
            let socket_present = match &address {
                Address::Unix(socket) => fs::symlink_metadata(socket)
                    .map(|m| m.file_type().is_socket())
                    .unwrap_or(false),
                Address::Tcp(_) => true,
            };
            (socket_present && process_alive(name)).then_some(address)
        }
    }
}

/// Whether a socket is listening at `address`, from the kernel's socket tables
/// (`/proc/net/unix`, `/proc/net/tcp`); `None` when they cannot be read. Unlike connecting,
/// looking does not use up the receiver's one connection.
fn listening(address: &Address) -> Option<bool> {
    match address {
        Address::Unix(socket) => {
            let table = fs::read_to_string("/proc/net/unix").ok()?;
            Some(unix_table_has_listener(&table, socket.to_str()?))
        }
        Address::Tcp(std::net::SocketAddr::V4(addr)) => {
            let table = fs::read_to_string("/proc/net/tcp").ok()?;
            let want = format!(
                "{:08X}:{:04X}",
                u32::from_ne_bytes(addr.ip().octets()),
                addr.port()
            );
            Some(tcp_table_has_listener(&table, &want))
        }
        Address::Tcp(_) => None,
    }
}

/// `/proc/net/unix`: a row whose path is `path` with the listening flag (`__SO_ACCEPTCON`).
fn unix_table_has_listener(table: &str, path: &str) -> bool {
    const ACCEPTCON: u32 = 0x0001_0000;
    table.lines().skip(1).any(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let flags = fields
            .get(3)
            .and_then(|f| u32::from_str_radix(f, 16).ok())
            .unwrap_or(0);
        fields.len() == 8 && fields[7] == path && flags & ACCEPTCON != 0
    })
}

/// `/proc/net/tcp`: a row in state LISTEN (`0A`) with local address `want`.
fn tcp_table_has_listener(table: &str, want: &str) -> bool {
    table.lines().skip(1).any(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        fields.get(1).is_some_and(|l| l.eq_ignore_ascii_case(want))
            && fields.get(3).is_some_and(|st| *st == "0A")
    })
}

/// Removes what a receiver that died without cleaning up (killed, Ctrl-C) left behind: its
/// discovery file and, when it is one of ours (`<base>/r-*/sock`), its socket directory.
fn remove_stale(advert: &Path, address: &Address, base: &Path) {
    let _ = fs::remove_file(advert);
    if let Address::Unix(socket) = address {
        let Some(dir) = socket.parent() else { return };
        let ours = dir.parent() == Some(base)
            && socket.file_name().is_some_and(|n| n == "sock")
            && dir
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("r-"));
        if ours {
            let _ = fs::remove_file(socket);
            let _ = fs::remove_dir(dir);
        }
    }
}

/// Whether the pid in `receiver-<pid>-<random>.addr` still runs (true when it cannot be told:
/// no `/proc`).
fn process_alive(name: &str) -> bool {
    let pid = name
        .strip_prefix("receiver-")
        .and_then(|rest| rest.split('-').next())
        .and_then(|pid| pid.parse::<u32>().ok());
    match pid {
        Some(pid) if Path::new("/proc/self").exists() => {
            Path::new("/proc").join(pid.to_string()).exists()
        }
        Some(_) => true,
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn private_base() -> (tempfile::TempDir, PathBuf) {
        let tmp = tempfile::tempdir().unwrap();
        let base = tmp.path().join("cxf");
        ensure_private_dir(&base).unwrap();
        (tmp, base)
    }

    #[test]
    fn runtime_dir_is_created_private() {
        let (_tmp, base) = private_base();
        let mode = fs::metadata(&base).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
    }

    #[test]
    fn a_shared_or_symlinked_runtime_dir_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let open = tmp.path().join("open");
        fs::create_dir(&open).unwrap();
        fs::set_permissions(&open, fs::Permissions::from_mode(0o777)).unwrap();
        assert!(matches!(
            ensure_private_dir(&open),
            Err(ChannelError::UnsafeDirectory { .. })
        ));
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(&open, &link).unwrap();
        assert!(matches!(
            ensure_private_dir(&link),
            Err(ChannelError::UnsafeDirectory { .. })
        ));
    }

    #[test]
    fn discovery_finds_exactly_one_live_receiver() {
        let (_tmp, base) = private_base();
        assert!(matches!(
            find_single_receiver(&base),
            Err(ChannelError::NoReceiver { .. })
        ));

        // A stale advertisement (socket gone) is ignored.
        let stale = Address::Unix(base.join("gone/sock"));
        let _stale = Advertisement::publish(&base, &stale).unwrap();
        assert!(matches!(
            find_single_receiver(&base),
            Err(ChannelError::NoReceiver { .. })
        ));

        let dir_a = PrivateSocketDir::create(&base).unwrap();
        let _sock_a = std::os::unix::net::UnixListener::bind(dir_a.socket_path()).unwrap();
        let addr_a = Address::Unix(dir_a.socket_path());
        let advert_a = Advertisement::publish(&base, &addr_a).unwrap();
        let file_mode = fs::metadata(advert_a.path()).unwrap().permissions().mode();
        assert_eq!(file_mode & 0o777, 0o600);
        assert_eq!(find_single_receiver(&base).unwrap(), addr_a);

        let dir_b = PrivateSocketDir::create(&base).unwrap();
        let _sock_b = std::os::unix::net::UnixListener::bind(dir_b.socket_path()).unwrap();
        let advert_b = Advertisement::publish(&base, &Address::Unix(dir_b.socket_path())).unwrap();
        assert!(matches!(
            find_single_receiver(&base),
            Err(ChannelError::SeveralReceivers { count: 2, .. })
        ));

        drop(advert_b);
        assert_eq!(find_single_receiver(&base).unwrap(), addr_a);

        // A receiver that was killed: its socket still exists, its process does not.
        let dead_pid = {
            let mut child = std::process::Command::new("true").spawn().unwrap();
            let pid = child.id();
            child.wait().unwrap();
            pid
        };
        let dir_c = PrivateSocketDir::create(&base).unwrap();
        let dir_c_path = dir_c.socket_path().parent().unwrap().to_path_buf();
        let sock_c = std::os::unix::net::UnixListener::bind(dir_c.socket_path()).unwrap();
        let advert_c = base.join(format!("receiver-{dead_pid}-0123456789abcdef.addr"));
        fs::write(
            &advert_c,
            format!("unix:{}\n", dir_c.socket_path().display()),
        )
        .unwrap();
        fs::set_permissions(&advert_c, fs::Permissions::from_mode(0o600)).unwrap();
        drop(sock_c);
        std::mem::forget(dir_c); // as if its process had died without cleaning up
        assert_eq!(find_single_receiver(&base).unwrap(), addr_a);
        assert!(!advert_c.exists(), "the stale discovery file is removed");
        assert!(
            !dir_c_path.exists(),
            "the stale socket directory is removed"
        );
        drop(advert_a);
        assert!(matches!(
            find_single_receiver(&base),
            Err(ChannelError::NoReceiver { .. })
        ));
    }

    #[test]
    fn socket_tables_are_read_for_listeners_only() {
        let unix = "Num       RefCount Protocol Flags    Type St Inode Path\n\
            0000000000000000: 00000002 00000000 00010000 0001 01 11 /run/user/1/cxf/r-a/sock\n\
            0000000000000000: 00000002 00000000 00000000 0001 03 12 /run/user/1/cxf/r-b/sock\n\
            0000000000000000: 00000002 00000000 00000000 0001 03 13\n";
        assert!(unix_table_has_listener(unix, "/run/user/1/cxf/r-a/sock"));
        assert!(!unix_table_has_listener(unix, "/run/user/1/cxf/r-b/sock"));
        assert!(!unix_table_has_listener(unix, "/run/user/1/cxf/r-c/sock"));
        let tcp = "  sl  local_address rem_address   st\n\
            0: 0100007F:9C40 00000000:0000 0A 0 0 0 1000\n\
            1: 0100007F:9C41 0100007F:1F90 01 0 0 0 1000\n";
        assert!(tcp_table_has_listener(tcp, "0100007F:9C40"));
        assert!(!tcp_table_has_listener(tcp, "0100007F:9C41"));
    }

    #[test]
    fn private_socket_dir_is_0700_and_removed_on_drop() {
        let (_tmp, base) = private_base();
        let dir = PrivateSocketDir::create(&base).unwrap();
        let path = dir.path().to_path_buf();
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o700
        );
        let _sock = std::os::unix::net::UnixListener::bind(dir.socket_path()).unwrap();
        drop(dir);
        assert!(!path.exists());
    }
}
