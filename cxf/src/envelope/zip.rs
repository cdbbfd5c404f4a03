//! A strict, minimal ZIP (APPNOTE 6.3) reader and single-entry writer for the packaging
//! profiles that wrap ciphertext in an archive.
//!
//! Only what CXP payloads need: stored or DEFLATE entries, no ZIP64, no encryption, no
//! multi-disk archives. The reader refuses zip-slip names (`..`, absolute paths, backslashes,
//! drive letters), duplicate names, overlapping entries, nested archives, and declared sizes or
//! compression ratios past [`Limits`]. It never allocates more than the declared (and bounded)
//! size of the one entry it extracts.

use std::io::{Read as _, Write as _};

use flate2::Crc;
use flate2::bufread::DeflateDecoder;
use flate2::write::DeflateEncoder;

use super::{Error, Limits};

const LOCAL_SIG: u32 = 0x0403_4b50;
const CENTRAL_SIG: u32 = 0x0201_4b50;
const EOCD_SIG: u32 = 0x0605_4b50;
const LOCAL_LEN: usize = 30;
const CENTRAL_LEN: usize = 46;
const EOCD_LEN: usize = 22;
const METHOD_STORED: u16 = 0;
const METHOD_DEFLATE: u16 = 8;
/// MS-DOS date for 1980-01-01 (the epoch of the format), used for reproducible archives.
const DOS_DATE_1980_01_01: u16 = (1 << 5) | 1;

fn malformed(what: &'static str) -> Error {
    Error::MalformedPayload(what)
}

fn u16_at(b: &[u8], at: usize) -> Result<u16, Error> {
    b.get(at..at + 2)
        .map(|s| u16::from_le_bytes([s[0], s[1]]))
        .ok_or(malformed("truncated zip archive"))
}

fn u32_at(b: &[u8], at: usize) -> Result<u32, Error> {
    b.get(at..at + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
        .ok_or(malformed("truncated zip archive"))
}

/// True when `bytes` starts like a ZIP local file header.
pub(crate) fn looks_like_zip(bytes: &[u8]) -> bool {
    bytes.len() >= 4 && u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) == LOCAL_SIG
}

struct Entry {
    name: String,
    method: u16,
    crc: u32,
    compressed: usize,
    uncompressed: usize,
    data_start: usize,
}

fn check_name(name: &str) -> Result<(), Error> {
    let bad = name.is_empty()
        || name.len() > 255
        || name.starts_with('/')
        || name.contains('\\')
        || name.contains('\0')
        || name.as_bytes().get(1) == Some(&b':')
        || name.split('/').any(|c| c == ".." || c == ".");
    if bad {
        return Err(malformed("unsafe zip entry name"));
    }
    let lower = name.to_ascii_lowercase();
    if [".zip", ".jar", ".gz", ".7z", ".tar"]
        .iter()
        .any(|ext| lower.ends_with(ext))
    {
        return Err(malformed("nested archive in zip"));
    }
    Ok(())
}

fn find_eocd(zip: &[u8]) -> Result<usize, Error> {
    if zip.len() < EOCD_LEN {
        return Err(malformed("not a zip archive"));
    }
    let lowest = zip.len().saturating_sub(EOCD_LEN + usize::from(u16::MAX));
    let mut at = zip.len() - EOCD_LEN;
    loop {
        if u32_at(zip, at)? == EOCD_SIG {
            let comment = usize::from(u16_at(zip, at + 20)?);
            if at + EOCD_LEN + comment == zip.len() {
                return Ok(at);
            }
        }
        if at == lowest {
            return Err(malformed("zip end of central directory not found"));
        }
        at -= 1;
    }
}

fn parse(zip: &[u8], limits: &Limits) -> Result<Vec<Entry>, Error> {
    let eocd = find_eocd(zip)?;
    let disk = u16_at(zip, eocd + 4)?;
    let cd_disk = u16_at(zip, eocd + 6)?;
    let on_disk = u16_at(zip, eocd + 8)?;
    let total = u16_at(zip, eocd + 10)?;
    let cd_size = u32_at(zip, eocd + 12)? as usize;
    let cd_offset = u32_at(zip, eocd + 16)? as usize;
    if disk != 0 || cd_disk != 0 || on_disk != total || total == u16::MAX {
        return Err(malformed("multi-disk or ZIP64 archive"));
    }
    let count = usize::from(total);
    if count == 0 || count > limits.max_zip_entries {
        return Err(malformed("zip entry count out of bounds"));
    }
    if cd_offset.checked_add(cd_size).is_none_or(|end| end > eocd) {
        return Err(malformed("zip central directory out of bounds"));
    }
    let mut entries: Vec<Entry> = Vec::with_capacity(count);
    let mut at = cd_offset;
    let mut declared_total: usize = 0;
    for _ in 0..count {
        if u32_at(zip, at)? != CENTRAL_SIG {
            return Err(malformed("bad zip central directory entry"));
        }
        let flags = u16_at(zip, at + 8)?;
        let method = u16_at(zip, at + 10)?;
        let crc = u32_at(zip, at + 16)?;
        let compressed = u32_at(zip, at + 20)?;
        let uncompressed = u32_at(zip, at + 24)?;
        let name_len = usize::from(u16_at(zip, at + 28)?);
        let extra_len = usize::from(u16_at(zip, at + 30)?);
        let comment_len = usize::from(u16_at(zip, at + 32)?);
        let local = u32_at(zip, at + 42)? as usize;
        if flags & 0x0001 != 0 || flags & 0x0040 != 0 {
            return Err(malformed("encrypted zip entry"));
        }
        if method != METHOD_STORED && method != METHOD_DEFLATE {
            return Err(malformed("unsupported zip compression method"));
        }
        if compressed == u32::MAX || uncompressed == u32::MAX || local == u32::MAX as usize {
            return Err(malformed("ZIP64 entry"));
        }
        let (compressed, uncompressed) = (compressed as usize, uncompressed as usize);
        let name_bytes = zip
            .get(at + CENTRAL_LEN..at + CENTRAL_LEN + name_len)
            .ok_or(malformed("truncated zip archive"))?;
        let name = std::str::from_utf8(name_bytes)
            .map_err(|_| malformed("zip entry name is not UTF-8"))?
            .to_owned();
        check_name(&name)?;
        if entries.iter().any(|e| e.name.eq_ignore_ascii_case(&name)) {
            return Err(malformed("duplicate zip entry name"));
        }
        // Declared sizes: bounded absolutely and by ratio before anything is inflated.
        declared_total = declared_total.saturating_add(uncompressed);
        let max_entry = limits.max_plaintext_bytes.saturating_add(4096);
        if uncompressed > max_entry
            || declared_total > max_entry
            || uncompressed > limits.max_inflated(compressed)
            || (method == METHOD_STORED && compressed != uncompressed)
        {
            return Err(malformed("zip entry size out of bounds"));
        }
        let needed = u16_at(zip, at + 6)?;
        let disk_start = u16_at(zip, at + 34)?;
        if needed > 20 || disk_start != 0 {
            return Err(malformed("zip entry needs unsupported features"));
        }
        // Local header must agree with the central directory (sizes and CRC may be deferred
        // to a data descriptor when flag bit 3 is set).
        let deferred = flags & 0x0008 != 0;
        if u32_at(zip, local)? != LOCAL_SIG
            || u16_at(zip, local + 6)? != flags
            || u16_at(zip, local + 8)? != method
            || u16_at(zip, local + 4)? > 20
            || usize::from(u16_at(zip, local + 26)?) != name_len
            || (!deferred
                && (u32_at(zip, local + 14)? != crc
                    || u32_at(zip, local + 18)? as usize != compressed
                    || u32_at(zip, local + 22)? as usize != uncompressed))
            || zip.get(local + LOCAL_LEN..local + LOCAL_LEN + name_len) != Some(name_bytes)
        {
            return Err(malformed(
                "zip local header disagrees with central directory",
            ));
        }
        let local_extra = usize::from(u16_at(zip, local + 28)?);
        let data_start = local + LOCAL_LEN + name_len + local_extra;
        if data_start
            .checked_add(compressed)
            .is_none_or(|end| end > cd_offset)
        {
            return Err(malformed("zip entry data out of bounds"));
        }
        entries.push(Entry {
            name,
            method,
            crc,
            compressed,
            uncompressed,
            data_start,
        });
        at += CENTRAL_LEN + name_len + extra_len + comment_len;
        if at > cd_offset + cd_size {
            return Err(malformed("zip central directory out of bounds"));
        }
    }
    if at != cd_offset + cd_size {
        return Err(malformed("zip central directory size mismatch"));
    }
    // Overlapping entries are a zip-bomb technique: refuse them.
    let mut spans: Vec<(usize, usize)> = entries
        .iter()
        .map(|e| (e.data_start, e.data_start + e.compressed))
        .collect();
    spans.sort_unstable();
    if spans.windows(2).any(|w| w[1].0 < w[0].1) {
        return Err(malformed("overlapping zip entries"));
    }
    Ok(entries)
}

/// Extracts entry `name` from `zip` after validating the whole archive.
pub(crate) fn read_entry(zip: &[u8], name: &str, limits: &Limits) -> Result<Vec<u8>, Error> {
    let entries = parse(zip, limits)?;
    let entry = entries
        .iter()
        .find(|e| e.name == name)
        .ok_or(malformed("zip archive lacks the expected entry"))?;
    let data = &zip[entry.data_start..entry.data_start + entry.compressed];
    let out = match entry.method {
        METHOD_STORED => data.to_vec(),
        _ => {
            let mut out = Vec::with_capacity(entry.uncompressed);
            let mut decoder = DeflateDecoder::new(data);
            (&mut decoder)
                .take(entry.uncompressed as u64 + 1)
                .read_to_end(&mut out)
                .map_err(|_| malformed("corrupt deflate data in zip"))?;
            if out.len() != entry.uncompressed || decoder.total_in() != data.len() as u64 {
                return Err(malformed("zip entry size mismatch"));
            }
            out
        }
    };
    let mut crc = Crc::new();
    crc.update(&out);
    if crc.sum() != entry.crc {
        return Err(malformed("zip entry CRC mismatch"));
    }
    Ok(out)
}

/// A ZIP archive with one DEFLATE entry `name`, timestamp 1980-01-01 00:00.
pub(crate) fn write_single(name: &str, data: &[u8]) -> Vec<u8> {
    write_single_with(name, data, flate2::Compression::none())
}

/// [`write_single`] with a chosen compression level.
pub(crate) fn write_single_with(name: &str, data: &[u8], level: flate2::Compression) -> Vec<u8> {
    // The entry is ciphertext, which does not compress: by default DEFLATE with stored blocks
    // keeps the prototype's method 8 at copy speed.
    let mut enc = DeflateEncoder::new(
        Vec::with_capacity(data.len() + data.len() / 8192 * 5 + 64),
        level,
    );
    // Writing to a Vec cannot fail.
    let compressed = enc
        .write_all(data)
        .and_then(|()| enc.finish())
        .unwrap_or_default();
    let mut crc = Crc::new();
    crc.update(data);
    let (crc, csize, usize_) = (crc.sum(), compressed.len() as u32, data.len() as u32);
    let name_len = name.len() as u16;
    let mut out = Vec::with_capacity(compressed.len() + 2 * name.len() + 128);
    let header = |out: &mut Vec<u8>| {
        out.extend_from_slice(&20u16.to_le_bytes()); // version needed: 2.0
        out.extend_from_slice(&0u16.to_le_bytes()); // flags
        out.extend_from_slice(&METHOD_DEFLATE.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes()); // time 00:00
        out.extend_from_slice(&DOS_DATE_1980_01_01.to_le_bytes());
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&csize.to_le_bytes());
        out.extend_from_slice(&usize_.to_le_bytes());
        out.extend_from_slice(&name_len.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes()); // extra length
    };
    out.extend_from_slice(&LOCAL_SIG.to_le_bytes());
    header(&mut out);
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(&compressed);
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&CENTRAL_SIG.to_le_bytes());
    out.extend_from_slice(&20u16.to_le_bytes()); // version made by
    header(&mut out);
    out.extend_from_slice(&0u16.to_le_bytes()); // comment length
    out.extend_from_slice(&0u16.to_le_bytes()); // disk number start
    out.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
    out.extend_from_slice(&0u32.to_le_bytes()); // external attributes
    out.extend_from_slice(&0u32.to_le_bytes()); // local header offset
    out.extend_from_slice(name.as_bytes());
    let cd_size = out.len() as u32 - cd_offset;
    out.extend_from_slice(&EOCD_SIG.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&cd_size.to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_entry_round_trip() {
        let z = write_single("index.jwe", b"hello hello hello");
        assert!(looks_like_zip(&z));
        assert_eq!(
            read_entry(&z, "index.jwe", &Limits::default()).unwrap(),
            b"hello hello hello"
        );
        assert!(read_entry(&z, "other", &Limits::default()).is_err());
    }

    /// Builds an archive with arbitrary names by patching the single-entry writer output.
    fn with_name(name: &str) -> Vec<u8> {
        write_single(name, b"data")
    }

    #[test]
    fn refuses_zip_slip_names() {
        for name in [
            "../x",
            "/abs",
            "a/../../b",
            "C:x",
            "a\\b",
            "./a",
            "inner.zip",
        ] {
            let z = with_name(name);
            assert!(
                matches!(
                    read_entry(&z, name, &Limits::default()),
                    Err(Error::MalformedPayload(_))
                ),
                "{name}"
            );
        }
    }

    #[test]
    fn refuses_duplicates_and_too_many_entries() {
        // Duplicate the central directory entry (two entries, same name, same data).
        let z = write_single("index.jwe", b"abc");
        let eocd = z.len() - EOCD_LEN;
        let cd_offset = u32_at(&z, eocd + 16).unwrap() as usize;
        let cd = z[cd_offset..eocd].to_vec();
        let mut dup = z[..eocd].to_vec();
        dup.extend_from_slice(&cd);
        let mut tail = z[eocd..].to_vec();
        tail[8..10].copy_from_slice(&2u16.to_le_bytes());
        tail[10..12].copy_from_slice(&2u16.to_le_bytes());
        tail[12..16].copy_from_slice(&((cd.len() * 2) as u32).to_le_bytes());
        dup.extend_from_slice(&tail);
        assert!(read_entry(&dup, "index.jwe", &Limits::default()).is_err());

        let limits = Limits {
            max_zip_entries: 0,
            ..Limits::default()
        };
        assert!(read_entry(&z, "index.jwe", &limits).is_err());
    }

    #[test]
    fn refuses_bombs_by_declared_ratio_without_inflating() {
        // 8 MiB of zeros deflates to ~8 KiB: ratio ~1000.
        let big = vec![0u8; 8 << 20];
        let z = write_single_with("index.jwe", &big, flate2::Compression::best());
        assert!(z.len() < 64 << 10);
        assert!(matches!(
            read_entry(&z, "index.jwe", &Limits::default()),
            Err(Error::MalformedPayload("zip entry size out of bounds"))
        ));
        // A lying declared size (smaller than the real stream) is caught by the take() bound.
        let mut lying = z.clone();
        let eocd = lying.len() - EOCD_LEN;
        let cd_offset = u32_at(&lying, eocd + 16).unwrap() as usize;
        lying[cd_offset + 24..cd_offset + 28].copy_from_slice(&1000u32.to_le_bytes());
        assert!(read_entry(&lying, "index.jwe", &Limits::default()).is_err());
    }

    #[test]
    fn arbitrary_damage_never_panics() {
        let z = write_single_with("index.jwe", &[7u8; 300], flate2::Compression::best());
        let limits = Limits::default();
        for len in 0..z.len() {
            let _ = read_entry(&z[..len], "index.jwe", &limits);
        }
        for i in 0..z.len() {
            for v in [0x00, 0x01, 0x7f, 0x80, 0xff] {
                let mut d = z.clone();
                d[i] = v;
                let _ = read_entry(&d, "index.jwe", &limits);
            }
        }
        let huge = Limits {
            max_plaintext_bytes: usize::MAX,
            max_compression_ratio: usize::MAX,
            ..limits
        };
        assert!(read_entry(&z, "index.jwe", &huge).is_ok());
    }

    #[test]
    fn refuses_corruption_and_encrypted_flag() {
        let z = write_single("index.jwe", b"payload bytes");
        let mut crc_bad = z.clone();
        let eocd = crc_bad.len() - EOCD_LEN;
        let cd_offset = u32_at(&crc_bad, eocd + 16).unwrap() as usize;
        crc_bad[cd_offset + 16] ^= 1;
        assert!(read_entry(&crc_bad, "index.jwe", &Limits::default()).is_err());
        let mut enc = z.clone();
        enc[cd_offset + 8] |= 1;
        assert!(read_entry(&enc, "index.jwe", &Limits::default()).is_err());
        assert!(read_entry(&z[..z.len() - 1], "index.jwe", &Limits::default()).is_err());
    }
}
