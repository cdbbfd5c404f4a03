//! Reading inputs, writing outputs atomically, printing untrusted text safely, and mapping
//! errors to exit codes.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result, bail};
use zeroize::Zeroizing;

/// Prints a line on stdout like `println!`, returning `io::Result<()>` instead of panicking.
/// A reader that went away (`cxf inspect FILE | head`) is a normal end, not an error.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::output::print_out(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// Prints on stderr like `eprintln!`, without panicking when stderr is closed: there is
/// nowhere left to report that.
macro_rules! errln {
    () => {
        $crate::output::print_err(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::output::print_err(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// Set once stdout's reader has gone away: later output is dropped, work still finishes so
/// the exit code still tells the verdict.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Treats a closed pipe on stdout as the end of output (see [`STDOUT_CLOSED`]).
pub(crate) fn stdout_result(result: std::io::Result<()>) -> std::io::Result<()> {
    match result {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            STDOUT_CLOSED.store(true, Ordering::Relaxed);
            Ok(())
        }
        other => other,
    }
}

/// Writes and flushes `bytes` on stdout; a closed pipe ends output quietly.
pub(crate) fn write_stdout(bytes: &[u8]) -> std::io::Result<()> {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return Ok(());
    }
    let mut out = std::io::stdout().lock();
    stdout_result(out.write_all(bytes).and_then(|()| out.flush()))
}

/// The body of [`outln!`].
pub(crate) fn print_out(args: std::fmt::Arguments<'_>) -> std::io::Result<()> {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return Ok(());
    }
    stdout_result(std::io::stdout().lock().write_fmt(args))
}

/// The body of [`errln!`].
pub(crate) fn print_err(args: std::fmt::Arguments<'_>) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_fmt(args).and_then(|()| err.flush());
}

/// Exit code for invalid input or a refused operation.
pub(crate) const EXIT_INVALID: u8 = 1;
/// Exit code for usage and I/O errors.
pub(crate) const EXIT_USAGE: u8 = 2;

/// An error caused by the input's content (or a refusal), as opposed to I/O or usage: exit 1.
#[derive(Debug)]
pub(crate) struct Invalid(pub(crate) String);

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Invalid {}

/// Prints an error chain on stderr and returns its exit code.
pub(crate) fn report_error(err: &anyhow::Error) -> ExitCode {
    let mut msg = format!("error: {err}");
    for cause in err.chain().skip(1) {
        let _ = write!(msg, "\n  caused by: {cause}");
    }
    // Messages quote file names and the files' own text: escape each line for the terminal.
    for line in msg.lines() {
        errln!("{}", safe(line));
    }
    if err.chain().any(|c| c.is::<Invalid>()) {
        ExitCode::from(EXIT_INVALID)
    } else {
        ExitCode::from(EXIT_USAGE)
    }
}

/// Parses the CXF document read from `path`; a failure is [`Invalid`], with what to do about it.
pub(crate) fn parse_cxf(path: &Path, bytes: &[u8], limits: &cxf::Limits) -> Result<cxf::Parsed> {
    cxf::Document::parse(bytes, limits).map_err(|e| not_readable_cxf(path, &e))
}

/// The error of a file that should be CXF and does not parse: [`Invalid`], with the hint.
pub(crate) fn not_readable_cxf(path: &Path, e: &cxf::ParseError) -> anyhow::Error {
    // The parser's message of a non-CXF value already says "not a CXF document".
    let what = if matches!(e.kind(), cxf::ParseErrorKind::NotCxf(_)) {
        ""
    } else {
        "not a readable CXF document: "
    };
    Invalid(format!(
        "{} is {what}{e}\n  hint: {}",
        path.display(),
        parse_hint(e)
    ))
    .into()
}

/// The library's hint for a parse error, with the command where the library names its API.
pub(crate) fn parse_hint(e: &cxf::ParseError) -> String {
    if matches!(e.kind(), cxf::ParseErrorKind::NotCxf(_)) {
        "if this is another password manager's export, convert it to CXF first (`cxf convert FILE --to cxf`)".to_owned()
    } else {
        e.kind().hint().to_owned()
    }
}

/// Reads a whole input file (`-` for stdin) into a buffer wiped on drop, refusing inputs larger
/// than `limit` bytes without reading them whole.
pub(crate) fn read_input(path: &Path, limit: usize) -> Result<Zeroizing<Vec<u8>>> {
    let (reader, hint): (Box<dyn Read>, usize) = if path == Path::new("-") {
        (Box::new(std::io::stdin().lock()), 1 << 16)
    } else {
        let file = File::open(path).with_context(|| {
            format!(
                "cannot open {}: check the path and permissions",
                path.display()
            )
        })?;
        let len = file.metadata().map(|m| m.len() as usize).unwrap_or(0);
        (Box::new(file), len)
    };
    // Allocate once (plus one byte to detect an over-long input) so the buffer never
    // reallocates and leaves an unwiped copy behind; stdin grows by hand for the same reason.
    let mut buf = Zeroizing::new(Vec::with_capacity(hint.min(limit).saturating_add(1)));
    let mut reader = reader.take(limit as u64 + 1);
    let mut chunk = Zeroizing::new(vec![0u8; 1 << 16]);
    loop {
        let n = reader
            .read(&mut chunk)
            .with_context(|| format!("cannot read {}", path.display()))?;
        if n == 0 {
            break;
        }
        if buf.capacity() - buf.len() < n {
            let mut bigger =
                Zeroizing::new(Vec::with_capacity((buf.len() + n).max(buf.capacity() * 2)));
            bigger.extend_from_slice(&buf);
            buf = bigger;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    if buf.len() > limit {
        return Err(Invalid(format!(
            "{} is larger than the limit of {limit} bytes",
            path.display()
        ))
        .into());
    }
    Ok(buf)
}

/// Where an output goes.
#[derive(Debug, Clone)]
pub(crate) enum Output {
    Stdout,
    File(PathBuf),
}

impl Output {
    pub(crate) fn from_arg(arg: Option<&Path>) -> Self {
        match arg {
            None => Output::Stdout,
            Some(p) if p == Path::new("-") => Output::Stdout,
            Some(p) => Output::File(p.to_path_buf()),
        }
    }

    /// Refuses, before any work is done, outputs that would fail at the end: credentials to a
    /// terminal, or an existing file without `overwrite`.
    pub(crate) fn check(&self, plaintext: bool, overwrite: bool) -> Result<()> {
        match self {
            Output::Stdout if plaintext && std::io::stdout().is_terminal() => Err(Invalid(
                "refusing to print credentials to a terminal: use -o FILE, or redirect stdout"
                    .into(),
            )
            .into()),
            Output::File(path) if !overwrite && path.exists() => bail!(
                "{} already exists: choose another name or pass --overwrite",
                path.display()
            ),
            _ => Ok(()),
        }
    }

    /// Writes `bytes` atomically: a temporary file (mode 0600) in the target's directory,
    /// flushed to disk, then renamed over the target. Nothing is left behind on failure.
    pub(crate) fn write(&self, bytes: &[u8], overwrite: bool) -> Result<()> {
        match self {
            Output::Stdout => write_stdout(bytes).context("cannot write to stdout"),
            Output::File(path) => write_atomic(path, bytes, overwrite),
        }
    }
}

/// Temporary files being written: removed by the SIGINT/SIGTERM handler, which would otherwise
/// kill the process before `tempfile`'s destructor runs and leave plaintext on disk.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Installs the handler that removes pending temporary files on SIGINT/SIGTERM/SIGHUP, then
/// exits with 130.
pub(crate) fn install_interrupt_cleanup() {
    let _ = ctrlc::set_handler(|| {
        if let Ok(pending) = PENDING.lock() {
            for path in pending.iter() {
                let _ = std::fs::remove_file(path);
            }
        }
        errln!("\ninterrupted: no output was written");
        std::process::exit(130);
    });
}

/// An output written to a temporary file next to its target, not yet renamed into place.
pub(crate) struct Staged {
    tmp: Option<tempfile::NamedTempFile>,
    path: PathBuf,
}

impl Staged {
    /// Writes `bytes` to a temporary file (mode 0600) in `path`'s directory and flushes it to
    /// disk. Dropping the result without [`Staged::commit`] removes it.
    pub(crate) fn new(path: &Path, bytes: &[u8]) -> Result<Staged> {
        let staged = Staged::create(path)?;
        let mut file = staged.file();
        if let Err(e) = file.write_all(bytes).and_then(|()| file.sync_all()) {
            return Err(e).with_context(|| format!("cannot write {}", path.display()));
        }
        Ok(staged)
    }

    /// An empty temporary file (mode 0600) in `path`'s directory, to be written through
    /// [`Staged::file`] (a streamed output); flush it with `sync_all` before committing.
    pub(crate) fn create(path: &Path) -> Result<Staged> {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let tmp = tempfile::Builder::new()
            .prefix(".cxf-")
            .suffix(".tmp")
            .tempfile_in(dir)
            .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
        if let Ok(mut pending) = PENDING.lock() {
            pending.push(tmp.path().to_path_buf());
        }
        Ok(Staged {
            tmp: Some(tmp),
            path: path.to_path_buf(),
        })
    }

    /// The temporary file.
    pub(crate) fn file(&self) -> &std::fs::File {
        self.tmp
            .as_ref()
            .expect("staged file present until commit")
            .as_file()
    }

    /// Renames the temporary file over the target (refusing an existing target unless
    /// `overwrite`).
    pub(crate) fn commit(mut self, overwrite: bool) -> Result<()> {
        let tmp = self.tmp.take().expect("staged file present until commit");
        let path = std::mem::take(&mut self.path);
        let tmp_path = tmp.path().to_path_buf();
        let result = if overwrite {
            tmp.persist(&path)
        } else {
            tmp.persist_noclobber(&path)
        };
        unregister(&tmp_path);
        result.map_err(|e| e.error).with_context(|| {
            if !overwrite && path.exists() {
                format!(
                    "{} already exists: choose another name or pass --overwrite",
                    path.display()
                )
            } else {
                format!("cannot write {}", path.display())
            }
        })?;
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if let Some(tmp) = &self.tmp {
            unregister(tmp.path());
        }
    }
}

fn unregister(path: &Path) {
    if let Ok(mut pending) = PENDING.lock() {
        pending.retain(|p| p != path);
    }
}

/// A streamed output: the staged file, or stdout when there is none (a closed pipe ends output
/// quietly, as [`stdout_result`]); `failed` tells its failures from the input's.
pub(crate) struct StreamedOutput<'a> {
    inner: Box<dyn Write + 'a>,
    stdout: bool,
    failed: &'a mut bool,
}

impl<'a> StreamedOutput<'a> {
    pub(crate) fn new(staged: Option<&'a Staged>, failed: &'a mut bool) -> Self {
        let inner: Box<dyn Write + 'a> = match staged {
            Some(staged) => Box::new(std::io::BufWriter::with_capacity(1 << 16, staged.file())),
            None => Box::new(std::io::BufWriter::with_capacity(
                1 << 16,
                std::io::stdout().lock(),
            )),
        };
        StreamedOutput {
            inner,
            stdout: staged.is_none(),
            failed,
        }
    }

    fn check(&mut self, result: std::io::Result<()>) -> std::io::Result<()> {
        let result = if self.stdout {
            stdout_result(result)
        } else {
            result
        };
        *self.failed |= result.is_err();
        result
    }
}

impl Write for StreamedOutput<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let result = self.inner.write_all(buf);
        self.check(result).map(|()| buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let result = self.inner.flush();
        self.check(result)
    }
}

/// Writes `bytes` to `path` atomically: temporary file (mode 0600), flushed, renamed. Nothing
/// is left behind on failure or interruption.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8], overwrite: bool) -> Result<()> {
    Staged::new(path, bytes)?.commit(overwrite)
}

/// Makes text from an imported file safe to print: control characters (terminal escape
/// sequences among them) are shown escaped.
pub(crate) fn safe(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control()
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

/// Formats UNIX seconds as an RFC 3339 UTC timestamp.
pub(crate) fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_timestamps() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_767_225_600), "2026-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn escapes_control_characters() {
        assert_eq!(safe("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        assert_eq!(safe("plain é"), "plain é");
    }
}
