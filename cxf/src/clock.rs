//! The wall clock, in Unix seconds: `SystemTime` natively; `Date.now()` on
//! wasm32-unknown-unknown (the browser build), where `SystemTime::now()` panics.

/// Seconds since the Unix epoch (0 if the clock is before it).
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
pub(crate) fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Seconds since the Unix epoch (0 if the clock is before it).
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
pub(crate) fn unix_now() -> u64 {
    // Milliseconds as an f64; `as` saturates (negative and NaN become 0).
    (js_sys::Date::now() / 1000.0) as u64
}
