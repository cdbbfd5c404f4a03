//! Throughput of the local secure channel against an in-process baseline.
//!
//! Sends one 50 MB message over a paired channel (Unix socket, then loopback TCP) and compares
//! it with doing the same cryptographic and copy work in one process: copy each chunk into a
//! frame buffer, seal it with ChaCha20-Poly1305, open it, and copy it out. The ratio is the
//! cost of the sockets, threads and framing on top of the unavoidable AEAD work.
//!
//! Run: `cargo run -p fido-cxp --release --example bench_channel`

use std::hint::black_box;
use std::thread;
use std::time::{Duration, Instant};

use chacha20poly1305::aead::{AeadInOut, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce, Tag};
use cxp::channel::{ChannelError, ConnectOptions, Listener, ListenerOptions, Transport, connect};

const MESSAGE_LEN: usize = 50_000_000;
const ROUNDS: usize = 3;

fn payload(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// Copy + seal + open + copy, chunked like the channel, all in one thread.
fn baseline(message: &[u8], chunk: usize) -> Duration {
    let key = &Key::from([7u8; 32]);
    let (tx, rx) = (ChaCha20Poly1305::new(key), ChaCha20Poly1305::new(key));
    let mut out = Vec::with_capacity(message.len());
    let mut buf = Vec::with_capacity(chunk + 16);
    let started = Instant::now();
    for (counter, piece) in message.chunks(chunk).enumerate() {
        let mut nonce = [0u8; 12];
        nonce[4..].copy_from_slice(&(counter as u64).to_be_bytes());
        let nonce = &Nonce::from(nonce);
        buf.clear();
        buf.extend_from_slice(piece);
        let tag: Tag = tx
            .encrypt_inout_detached(nonce, b"aad!", buf.as_mut_slice().into())
            .unwrap();
        rx.decrypt_inout_detached(nonce, b"aad!", buf.as_mut_slice().into(), &tag)
            .unwrap();
        out.extend_from_slice(&buf);
    }
    let elapsed = started.elapsed();
    assert!(black_box(&out)[..] == message[..]);
    elapsed
}

/// One message over a freshly paired channel; returns (handshake, transfer) durations.
fn over_channel(
    message: &[u8],
    transport: Transport,
) -> Result<(Duration, Duration), ChannelError> {
    let runtime = tempfile::tempdir().expect("temporary directory");
    let mut listen = ListenerOptions::default();
    listen.transport = transport;
    listen.runtime_dir = Some(runtime.path().join("cxf"));
    let mut options = ConnectOptions::default();
    options.runtime_dir = listen.runtime_dir.clone();

    let listener = Listener::bind(listen)?;
    let code = listener.pairing_code().clone();
    let address = listener.address().clone();
    let receiver = thread::spawn(move || -> Result<usize, ChannelError> {
        let mut channel = listener.accept()?;
        let got = channel.recv()?;
        channel.send(b"done")?;
        Ok(got.len())
    });
    let started = Instant::now();
    let mut channel = connect(Some(&address), &code, &options)?;
    let paired = started.elapsed();
    let started = Instant::now();
    channel.send(message)?;
    let ack = channel.recv()?;
    let transfer = started.elapsed();
    assert_eq!(&ack[..], b"done");
    let received = receiver.join().expect("receiver thread")?;
    assert_eq!(received, message.len());
    Ok((paired, transfer))
}

fn mb_per_s(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / 1e6 / d.as_secs_f64()
}

fn main() -> Result<(), ChannelError> {
    let message = payload(MESSAGE_LEN);
    let chunk = cxp::channel::DEFAULT_MAX_FRAME_LEN as usize - 9 - cxp::channel::TAG_LEN;
    if cfg!(debug_assertions) {
        println!("note: debug build; run with --release for meaningful numbers");
    }

    let best =
        |mut f: Box<dyn FnMut() -> Duration>| (0..ROUNDS).map(|_| f()).min().unwrap_or_default();
    let base = best(Box::new(|| baseline(&message, chunk)));
    println!(
        "baseline (copy + seal + open + copy, 1 thread): {:8.1} ms  {:7.1} MB/s",
        base.as_secs_f64() * 1e3,
        mb_per_s(MESSAGE_LEN, base)
    );
    for transport in [Transport::Unix, Transport::LoopbackTcp] {
        let mut runs = Vec::new();
        for _ in 0..ROUNDS {
            runs.push(over_channel(&message, transport)?);
        }
        let transfer = runs.iter().map(|r| r.1).min().unwrap_or_default();
        let paired = runs.iter().map(|r| r.0).min().unwrap_or_default();
        println!(
            "channel {:<12} transfer:                 {:8.1} ms  {:7.1} MB/s  ratio {:.2}x baseline  (pairing {:.1} ms)",
            format!("{transport:?}"),
            transfer.as_secs_f64() * 1e3,
            mb_per_s(MESSAGE_LEN, transfer),
            transfer.as_secs_f64() / base.as_secs_f64(),
            paired.as_secs_f64() * 1e3,
        );
    }
    Ok(())
}
