//! The one-time pairing code: 8 random Crockford base32 symbols plus one check symbol.
//!
//! # Format and entropy
//!
//! A code looks like `7KD-4QX-9MZ`: nine symbols from Crockford's base32 alphabet
//! (`0-9`, `A-Z` without `I`, `L`, `O`, `U`), shown in three groups of three. The first eight
//! symbols are random (8 × 5 = **40 bits** from the operating system's CSPRNG, see
//! [`PAIRING_CODE_ENTROPY_BITS`]); the ninth is a Luhn mod 32 check symbol, so a single mistyped
//! symbol and most swaps of two neighbours are caught on the sender's side *before* the one
//! attempt the listener allows is spent.
//!
//! Why 40 bits is enough: the code is only ever used as a SPAKE2 password, so an attacker who
//! observes or runs a pairing learns nothing that allows an offline search; each guess needs an
//! online pairing, and the listener closes after the first failed one. An attacker therefore
//! gets one guess per receive the user starts: a success probability of 2^-40 per attempt.
//!
//! Parsing is forgiving the way Crockford intends: case-insensitive, `-` and spaces ignored,
//! `O` read as `0`, `I` and `L` read as `1`.

use std::fmt;
use std::str::FromStr;

use zeroize::{Zeroize, Zeroizing};

/// Crockford's base32 alphabet (value → symbol).
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Number of random symbols in a pairing code.
pub const PAIRING_CODE_RANDOM_SYMBOLS: usize = 8;

/// Entropy of a pairing code in bits (the check symbol adds none).
pub const PAIRING_CODE_ENTROPY_BITS: u32 = 5 * PAIRING_CODE_RANDOM_SYMBOLS as u32;

/// Total symbols including the check symbol.
const TOTAL_SYMBOLS: usize = PAIRING_CODE_RANDOM_SYMBOLS + 1;

/// A one-time pairing code. `Debug` prints `<redacted>`; memory is zeroized on drop.
///
/// Create one with [`PairingCode::generate`] (the listener does this) or parse what the user
/// typed with [`str::parse`]. Show it with [`PairingCode::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct PairingCode {
    /// Symbol values 0..32, check symbol last.
    symbols: Zeroizing<[u8; TOTAL_SYMBOLS]>,
}

impl PairingCode {
    /// Generates a fresh random code from the operating system's CSPRNG.
    ///
    /// # Panics
    ///
    /// If the operating system's random number generator fails (as `spake2` itself would).
    pub fn generate() -> Self {
        let mut random = Zeroizing::new([0u8; 5]);
        getrandom::fill(random.as_mut())
            .expect("the operating system's random number generator failed");
        let mut bits = Zeroizing::new(0u64);
        for byte in random.iter() {
            *bits = (*bits << 8) | u64::from(*byte);
        }
        let mut symbols = Zeroizing::new([0u8; TOTAL_SYMBOLS]);
        for (i, slot) in symbols[..PAIRING_CODE_RANDOM_SYMBOLS]
            .iter_mut()
            .enumerate()
        {
            let shift = 5 * (PAIRING_CODE_RANDOM_SYMBOLS - 1 - i);
            *slot = ((*bits >> shift) & 0x1f) as u8;
        }
        symbols[PAIRING_CODE_RANDOM_SYMBOLS] =
            luhn_check_symbol(&symbols[..PAIRING_CODE_RANDOM_SYMBOLS]);
        PairingCode { symbols }
    }

    /// The code as the user should type it, e.g. `7KD-4QX-9MZ`. This is a secret: show it to
    /// the user on the receiving side only, never log it.
    pub fn expose(&self) -> Zeroizing<String> {
        let mut out = Zeroizing::new(String::with_capacity(TOTAL_SYMBOLS + 2));
        for (i, value) in self.symbols.iter().enumerate() {
            if i > 0 && i % 3 == 0 {
                out.push('-');
            }
            out.push(char::from(ALPHABET[usize::from(*value)]));
        }
        out
    }

    /// The bytes used as the SPAKE2 password: the eight random symbols in canonical form.
    pub(crate) fn password_bytes(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(
            self.symbols[..PAIRING_CODE_RANDOM_SYMBOLS]
                .iter()
                .map(|v| ALPHABET[usize::from(*v)])
                .collect(),
        )
    }
}

impl fmt::Debug for PairingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PairingCode(<redacted>)")
    }
}

/// Why a typed pairing code was rejected. Nothing was sent to the receiver.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PairingCodeError {
    /// A character outside the code alphabet.
    #[error(
        "the pairing code contains a character that cannot appear in a code; \
         check it against the receiver's screen and type it again"
    )]
    InvalidCharacter,
    /// Too few or too many symbols.
    #[error(
        "the pairing code has {0} symbols but a code has 9 (like 7KD-4QX-9MZ); \
         type it again"
    )]
    WrongLength(usize),
    /// The check symbol does not match: almost certainly a typo.
    #[error(
        "the pairing code has a typo (its check symbol does not match); \
         nothing was sent, type it again"
    )]
    Checksum,
}

impl FromStr for PairingCode {
    type Err = PairingCodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut symbols = Zeroizing::new([0u8; TOTAL_SYMBOLS]);
        let mut count = 0usize;
        for c in s.chars() {
            if c == '-' || c == ' ' {
                continue;
            }
            let value = symbol_value(c).ok_or(PairingCodeError::InvalidCharacter)?;
            if count < TOTAL_SYMBOLS {
                symbols[count] = value;
            }
            count += 1;
        }
        if count != TOTAL_SYMBOLS {
            symbols.zeroize();
            return Err(PairingCodeError::WrongLength(count));
        }
        if !luhn_valid(&symbols[..]) {
            return Err(PairingCodeError::Checksum);
        }
        Ok(PairingCode { symbols })
    }
}

/// Decodes one typed character (case-insensitive, with Crockford's confusable mappings).
fn symbol_value(c: char) -> Option<u8> {
    let upper = match c.to_ascii_uppercase() {
        'O' => '0',
        'I' | 'L' => '1',
        other => other,
    };
    let byte = u8::try_from(upper).ok()?;
    ALPHABET
        .iter()
        .position(|&a| a == byte)
        .and_then(|p| u8::try_from(p).ok())
}

/// Luhn mod N step shared by generation and validation: the folded sum over `values`, with the
/// factor 2 applied to the rightmost value when `double_rightmost` holds.
fn luhn_sum(values: &[u8], double_rightmost: bool) -> u32 {
    const N: u32 = 32;
    let mut factor = if double_rightmost { 2 } else { 1 };
    let mut sum = 0u32;
    for value in values.iter().rev() {
        let addend = factor * u32::from(*value);
        factor = if factor == 2 { 1 } else { 2 };
        sum += addend / N + addend % N;
    }
    sum
}

/// The Luhn mod 32 check symbol for `values`.
fn luhn_check_symbol(values: &[u8]) -> u8 {
    let remainder = luhn_sum(values, true) % 32;
    ((32 - remainder) % 32) as u8
}

/// Whether `values` (check symbol last) passes the Luhn mod 32 check.
fn luhn_valid(values: &[u8]) -> bool {
    luhn_sum(values, false).is_multiple_of(32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_code_round_trips_through_its_display_form() {
        for _ in 0..200 {
            let code = PairingCode::generate();
            let shown = code.expose();
            assert_eq!(shown.len(), 11);
            assert_eq!(shown.as_bytes()[3], b'-');
            assert_eq!(shown.as_bytes()[7], b'-');
            let parsed: PairingCode = shown.parse().unwrap();
            assert_eq!(parsed, code);
            let lower: PairingCode = shown.to_lowercase().replace('-', " ").parse().unwrap();
            assert_eq!(lower, code);
        }
    }

    #[test]
    fn confusable_letters_map_to_digits() {
        // Build a valid code containing 0 and 1, then type it with O and L/I.
        let mut symbols = [0u8, 1, 1, 2, 3, 4, 5, 6, 0];
        symbols[8] = luhn_check_symbol(&symbols[..8]);
        let canonical: String = symbols
            .iter()
            .map(|v| char::from(ALPHABET[*v as usize]))
            .collect();
        let typed = canonical
            .replacen('0', "o", 1)
            .replacen('1', "L", 1)
            .replacen('1', "i", 1);
        let a: PairingCode = canonical.parse().unwrap();
        let b: PairingCode = typed.parse().unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn every_single_symbol_typo_is_caught() {
        let code = PairingCode::generate();
        let shown: String = code.expose().replace('-', "");
        for pos in 0..TOTAL_SYMBOLS {
            for &replacement in ALPHABET.iter() {
                let mut typed = shown.clone().into_bytes();
                if typed[pos] == replacement {
                    continue;
                }
                typed[pos] = replacement;
                let typed = String::from_utf8(typed).unwrap();
                assert_eq!(
                    typed.parse::<PairingCode>(),
                    Err(PairingCodeError::Checksum)
                );
            }
        }
    }

    #[test]
    fn most_adjacent_swaps_are_caught() {
        let mut caught = 0;
        let mut total = 0;
        for _ in 0..100 {
            let shown: String = PairingCode::generate().expose().replace('-', "");
            let bytes = shown.as_bytes();
            for pos in 0..TOTAL_SYMBOLS - 1 {
                if bytes[pos] == bytes[pos + 1] {
                    continue;
                }
                let mut typed = bytes.to_vec();
                typed.swap(pos, pos + 1);
                total += 1;
                if String::from_utf8(typed)
                    .unwrap()
                    .parse::<PairingCode>()
                    .is_err()
                {
                    caught += 1;
                }
            }
        }
        // Luhn mod N misses only swaps of two specific symbol pairs.
        assert!(caught * 100 >= total * 95, "caught {caught} of {total}");
    }

    #[test]
    fn malformed_codes_are_rejected_with_a_reason() {
        assert_eq!(
            "7KD-4QX".parse::<PairingCode>(),
            Err(PairingCodeError::WrongLength(6))
        );
        assert_eq!(
            "7KD-4QX-9MZZ".parse::<PairingCode>(),
            Err(PairingCodeError::WrongLength(10))
        );
        assert_eq!(
            "7KD-4QX-9MU".parse::<PairingCode>(),
            Err(PairingCodeError::InvalidCharacter)
        );
        assert_eq!(
            "7KD-4QX-9M!".parse::<PairingCode>(),
            Err(PairingCodeError::InvalidCharacter)
        );
        assert_eq!(
            "".parse::<PairingCode>(),
            Err(PairingCodeError::WrongLength(0))
        );
    }

    #[test]
    fn debug_does_not_reveal_the_code() {
        let code = PairingCode::generate();
        let debug = format!("{code:?}");
        assert!(debug.contains("redacted"));
        assert!(!debug.contains(&code.expose()[..3]));
    }

    #[test]
    fn password_bytes_exclude_separators_and_check_symbol() {
        let code = PairingCode::generate();
        let shown = code.expose().replace('-', "");
        assert_eq!(&code.password_bytes()[..], &shown.as_bytes()[..8]);
    }
}
