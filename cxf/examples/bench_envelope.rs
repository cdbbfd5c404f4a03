//! Envelope throughput on a 100 MB synthetic vault, against OpenSSL's AES-256-GCM measured in
//! the same run (`openssl speed -evp aes-256-gcm`).
//!
//! ```sh
//! cargo run --release -p cxf --example bench_envelope [-- MEGABYTES]
//! ```
//!
//! Prints MB/s for: raw HPKE (X25519, HKDF-SHA256, AES-256-GCM, single shot, via the `hpke`
//! crate), and `cxf::envelope` seal/open with each packaging profile, each as a ratio of the
//! OpenSSL baseline. The ratio is what to compare across machines.
//!
//! A run on the shared 2-core development machine (noisy; 2026-11-25):
//!
//! ```text
//! baseline  openssl speed -evp aes-256-gcm (16 KiB blocks): 2949 MB/s
//! raw HPKE  seal    397.2 MB/s  ratio 0.135
//! raw HPKE  open    415.4 MB/s  ratio 0.141
//! cxf-toolkit-v1 seal    131.0 MB/s  ratio 0.044  payload 27432808 chars (3.65x smaller)
//! cxf-toolkit-v1 open    144.4 MB/s  ratio 0.049
//! raw-deflate    seal     91.5 MB/s  ratio 0.031  payload 27432808 chars (3.65x smaller)
//! raw-deflate    open    149.1 MB/s  ratio 0.051
//! bitwarden-2024 seal     56.9 MB/s  ratio 0.019  payload 133354891 chars (0.75x)
//! bitwarden-2024 open    109.8 MB/s  ratio 0.037
//! ```
#![allow(missing_docs)]

use std::hint::black_box;
use std::io::{Read as _, Write as _};
use std::process::Command;
use std::time::Instant;

use cxf::envelope::{self, Binding, Kem, Limits, PrivateKey, Profile, Recipient, Suite};
use hpke::Kem as _;

/// Synthetic CXF-like JSON: repeated item structure with random ids, names and passwords,
/// compressing roughly like a real vault export.
fn synthetic_vault(bytes: usize) -> Vec<u8> {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut rand_str = |n: usize, out: &mut Vec<u8>| {
        for _ in 0..n {
            out.push(ALPHABET[(next() % 64) as usize]);
        }
    };
    let mut out = Vec::with_capacity(bytes + 1024);
    out.extend_from_slice(br#"{"version":{"major":1,"minor":0},"exporterRpId":"bench.example","exporterDisplayName":"Bench","timestamp":1760000000,"accounts":[{"id":"YmVuY2g","username":"","email":"bench@example.com","collections":[],"items":["#);
    let mut first = true;
    while out.len() < bytes {
        if !first {
            out.push(b',');
        }
        first = false;
        out.extend_from_slice(br#"{"id":""#);
        rand_str(22, &mut out);
        out.extend_from_slice(
            br#"","creationAt":1700000000,"modifiedAt":1750000000,"title":"Login "#,
        );
        rand_str(8, &mut out);
        out.extend_from_slice(br#"","scope":{"urls":["https://"#);
        rand_str(10, &mut out);
        out.extend_from_slice(br#".example.com/login"]},"credentials":[{"type":"basic-auth","username":{"fieldType":"string","value":"user"#);
        rand_str(6, &mut out);
        out.extend_from_slice(br#""},"password":{"fieldType":"concealed-string","value":""#);
        rand_str(20, &mut out);
        out.extend_from_slice(br#""}}]}"#);
    }
    out.extend_from_slice(b"]}]}");
    out
}

/// OpenSSL's AES-256-GCM throughput on 16 KiB blocks, bytes per second.
fn openssl_aes256gcm() -> Option<f64> {
    let out = Command::new("openssl")
        .args([
            "speed",
            "-evp",
            "aes-256-gcm",
            "-bytes",
            "16384",
            "-seconds",
            "3",
        ])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .rev()
        .find(|l| l.to_ascii_uppercase().starts_with("AES-256-GCM"))?;
    let k = line
        .split_whitespace()
        .last()?
        .trim_end_matches('k')
        .parse::<f64>()
        .ok()?;
    Some(k * 1000.0)
}

fn mbps(bytes: usize, secs: f64) -> f64 {
    bytes as f64 / secs / 1e6
}

fn time<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let start = Instant::now();
    let v = f();
    (v, start.elapsed().as_secs_f64())
}

fn main() {
    let mb: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(100);
    let size = mb * 1_000_000;
    let plaintext = synthetic_vault(size);
    println!("plaintext: {} bytes of synthetic CXF JSON", plaintext.len());

    let baseline = openssl_aes256gcm();
    match baseline {
        Some(b) => println!(
            "baseline  openssl speed -evp aes-256-gcm (16 KiB blocks): {:.0} MB/s",
            b / 1e6
        ),
        None => println!("baseline  openssl not available: ratios omitted"),
    }
    let ratio =
        |mbs: f64| baseline.map_or_else(String::new, |b| format!("  ratio {:.3}", mbs * 1e6 / b));

    // Raw HPKE, single shot, no packaging: the `hpke` crate (RustCrypto AEAD), the reference.
    type K = hpke::kem::X25519HkdfSha256;
    type A = hpke::aead::AesGcm256;
    type F = hpke::kdf::HkdfSha256;
    let (sk, pk) = K::gen_keypair();
    let ((enc, ct), secs) = time(|| {
        hpke::single_shot_seal::<A, F, K>(&hpke::OpModeS::Base, &pk, b"", &plaintext, b"").unwrap()
    });
    let m = mbps(plaintext.len(), secs);
    println!("hpke crate     seal {m:>8.1} MB/s{}", ratio(m));
    let (pt, secs) = time(|| {
        hpke::single_shot_open::<A, F, K>(&hpke::OpModeR::Base, &sk, &enc, b"", &ct, b"").unwrap()
    });
    assert_eq!(pt.len(), plaintext.len());
    let m = mbps(plaintext.len(), secs);
    println!("hpke crate     open {m:>8.1} MB/s{}", ratio(m));
    drop((ct, pt));

    let key = PrivateKey::generate(Kem::X25519HkdfSha256);
    let to = Recipient::new(Suite::X25519_AES256GCM, key.public_key().clone()).unwrap();

    // Raw HPKE, single shot, no packaging: ours (hpke KEM, own key schedule, ring AEAD).
    let ((enc, ct), secs) = time(|| envelope::seal_base(&to, b"", b"", &plaintext).unwrap());
    let hpke_seal = mbps(plaintext.len(), secs);
    println!(
        "raw HPKE       seal {hpke_seal:>8.1} MB/s{}",
        ratio(hpke_seal)
    );
    let (pt, secs) =
        time(|| envelope::open_base(Suite::X25519_AES256GCM, &key, &enc, b"", b"", &ct).unwrap());
    assert_eq!(pt.len(), plaintext.len());
    let hpke_open = mbps(plaintext.len(), secs);
    println!(
        "raw HPKE       open {hpke_open:>8.1} MB/s{}",
        ratio(hpke_open)
    );
    drop((ct, pt));

    // The same in place: no copy of the 100 MB into fresh memory (the buffer is already
    // written, as a caller's own payload buffer would be).
    let mut buf = zeroize::Zeroizing::new(Vec::with_capacity(plaintext.len() + 16));
    buf.extend_from_slice(&plaintext);
    let (enc, secs) = time(|| envelope::seal_base_in_place(&to, b"", b"", &mut buf).unwrap());
    let m = mbps(plaintext.len(), secs);
    println!("raw HPKE inpl. seal {m:>8.1} MB/s{}", ratio(m));
    let (pt, secs) = time(|| {
        envelope::open_base_in_place(Suite::X25519_AES256GCM, &key, &enc, b"", b"", buf).unwrap()
    });
    assert_eq!(&pt[..], &plaintext[..]);
    let m = mbps(plaintext.len(), secs);
    println!("raw HPKE inpl. open {m:>8.1} MB/s{}", ratio(m));
    drop(pt);

    // The DEFLATE stage alone (same settings as the compressing profiles), for comparison.
    let (packed, secs) = time(|| {
        let mut enc = flate2::write::DeflateEncoder::new(
            Vec::with_capacity(plaintext.len() / 2),
            flate2::Compression::fast(),
        );
        enc.write_all(&plaintext).unwrap();
        enc.finish().unwrap()
    });
    let m = mbps(plaintext.len(), secs);
    println!(
        "DEFLATE alone  seal {m:>8.1} MB/s  ({:.1}x slower than raw HPKE seal)",
        hpke_seal / m
    );
    let (inflated, secs) = time(|| {
        let mut out = Vec::with_capacity(plaintext.len());
        flate2::read::DeflateDecoder::new(&packed[..])
            .read_to_end(&mut out)
            .unwrap();
        out
    });
    assert_eq!(inflated.len(), plaintext.len());
    let m = mbps(plaintext.len(), secs);
    println!(
        "INFLATE alone  open {m:>8.1} MB/s  ({:.1}x slower than raw HPKE open)",
        hpke_open / m
    );
    drop((packed, inflated));

    let request = br#"{"version":0,"importer":"bench.example"}"#;
    let binding = Binding {
        importer: "bench.example",
        request,
    };
    let limits = Limits::for_plaintext(plaintext.len() + (1 << 20));
    for profile in Profile::ALL {
        let (sealed, secs) =
            time(|| envelope::seal(&plaintext, &to, profile, &binding, &limits).unwrap());
        let m = mbps(plaintext.len(), secs);
        println!(
            "{:<14} seal {m:>8.1} MB/s{}  payload {} chars ({:.2}x smaller than the plaintext)",
            profile.name(),
            ratio(m),
            sealed.payload.len(),
            plaintext.len() as f64 / sealed.payload.len() as f64
        );
        let (opened, secs) =
            time(|| envelope::open(&sealed, &key, profile, &binding, &limits).unwrap());
        assert_eq!(opened.len(), plaintext.len());
        black_box(&opened);
        let m = mbps(plaintext.len(), secs);
        println!("{:<14} open {m:>8.1} MB/s{}", profile.name(), ratio(m));
    }
}
