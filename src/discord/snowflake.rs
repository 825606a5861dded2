//! Discord ids ("snowflakes"): 64-bit integers that travel as decimal strings.
//!
//! <https://discord.com/developers/docs/reference#snowflakes>
//!
//! Discord sends every id as a JSON string because JavaScript numbers lose precision above
//! 2^53. [`Snowflake`] keeps the `u64`, writes a string, and reads a string or (tolerantly)
//! a JSON number, as older payloads and hand-written fixtures sometimes carry.

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::error::InputError;

/// The Discord epoch: the first millisecond of 2015, in Unix milliseconds.
/// <https://discord.com/developers/docs/reference#snowflakes>
pub const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;

/// A Discord id. Serialized as a decimal string, deserialized from a string or a number.
/// <https://discord.com/developers/docs/reference#snowflakes>
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Snowflake(pub u64);

/// Why a string is not a snowflake.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SnowflakeParseError {
    /// The string is empty.
    #[error("a snowflake cannot be empty")]
    Empty,
    /// The string holds something other than ASCII digits.
    #[error("a snowflake holds only the digits 0-9")]
    InvalidDigit,
    /// The number does not fit in 64 bits.
    #[error("a snowflake must fit in 64 bits")]
    Overflow,
}

impl SnowflakeParseError {
    /// This error as an [`InputError::Invalid`] on `field` (e.g. `"guild_id"`), for ids
    /// that come from a caller rather than from Discord.
    pub fn into_input(self, field: &'static str) -> InputError {
        InputError::Invalid {
            field,
            reason: self.to_string(),
        }
    }
}

impl Snowflake {
    /// Wraps a raw id.
    pub const fn new(id: u64) -> Self {
        Snowflake(id)
    }

    /// The raw 64-bit id.
    pub const fn get(self) -> u64 {
        self.0
    }

    /// Creation time in Unix milliseconds: `(id >> 22) + 1420070400000`.
    /// <https://discord.com/developers/docs/reference#snowflakes>
    pub const fn timestamp_ms(self) -> u64 {
        // (u64::MAX >> 22) + epoch fits in u64, so this cannot overflow.
        (self.0 >> 22) + DISCORD_EPOCH_MS
    }

    /// The smallest snowflake created at `unix_ms`, for `before`/`after` pagination
    /// (`(timestamp_ms - DISCORD_EPOCH) << 22`). Times before 2015 give `0`; times past the
    /// 42-bit range saturate.
    pub const fn from_timestamp_ms(unix_ms: u64) -> Self {
        let since = unix_ms.saturating_sub(DISCORD_EPOCH_MS);
        if since > (u64::MAX >> 22) {
            Snowflake(!((1 << 22) - 1))
        } else {
            Snowflake(since << 22)
        }
    }

    /// The internal worker id (bits 17 to 21).
    pub const fn worker_id(self) -> u8 {
        ((self.0 & 0x3E_0000) >> 17) as u8
    }

    /// The internal process id (bits 12 to 16).
    pub const fn process_id(self) -> u8 {
        ((self.0 & 0x1_F000) >> 12) as u8
    }

    /// The per-process increment (bits 0 to 11).
    pub const fn increment(self) -> u16 {
        (self.0 & 0xFFF) as u16
    }
}

impl From<u64> for Snowflake {
    fn from(id: u64) -> Self {
        Snowflake(id)
    }
}

impl From<Snowflake> for u64 {
    fn from(id: Snowflake) -> Self {
        id.0
    }
}

impl fmt::Display for Snowflake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// Appends the decimal form of `n` (what `Display` writes, without the formatting machinery,
/// which the browser wasm does not carry).
pub(crate) fn push_decimal(out: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &b in &buf[i..] {
        out.push(char::from(b));
    }
}

/// Parses a run of ASCII digits into a `u64` (no sign, no spaces, no exponent).
pub(crate) fn parse_decimal_u64(s: &str) -> Result<u64, SnowflakeParseError> {
    if s.is_empty() {
        return Err(SnowflakeParseError::Empty);
    }
    let mut value: u64 = 0;
    for b in s.bytes() {
        if !b.is_ascii_digit() {
            return Err(SnowflakeParseError::InvalidDigit);
        }
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(b - b'0')))
            .ok_or(SnowflakeParseError::Overflow)?;
    }
    Ok(value)
}

impl FromStr for Snowflake {
    type Err = SnowflakeParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_decimal_u64(s).map(Snowflake)
    }
}

impl Serialize for Snowflake {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Snowflake {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(U64Visitor {
                expecting: "a snowflake as a decimal string",
            })
            .map(Snowflake)
    }
}

/// Reads a `u64` written as a decimal string (Discord's way for ids and permissions) or as a
/// JSON number (tolerated). Floats are accepted only when integral and below 2^53, where
/// they are still exact; anything else is an error, never a rounded value.
pub(crate) struct U64Visitor {
    /// What the error message says was expected.
    pub(crate) expecting: &'static str,
}

/// 2^53: above it a JSON number parsed as a float may already have been rounded.
const MAX_SAFE_FLOAT: f64 = 9_007_199_254_740_992.0;

impl Visitor<'_> for U64Visitor {
    type Value = u64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.expecting)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
        parse_decimal_u64(v).map_err(|e| E::custom(format_args!("{}: {e}", self.expecting)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
        Ok(v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
        u64::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<u64, E> {
        u64::try_from(v).map_err(|_| E::custom(format_args!("{}: too large", self.expecting)))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<u64, E> {
        u64::try_from(v).map_err(|_| E::custom(format_args!("{}: out of range", self.expecting)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<u64, E> {
        if v.fract() == 0.0 && (0.0..MAX_SAFE_FLOAT).contains(&v) {
            // Integral and below 2^53: the conversion is exact.
            Ok(v as u64)
        } else {
            Err(E::invalid_value(de::Unexpected::Float(v), &self))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_example_timestamp() {
        // https://discord.com/developers/docs/reference#snowflakes
        let id: Snowflake = "175928847299117063".parse().unwrap();
        assert_eq!(id.timestamp_ms(), 1_462_015_105_796);
        assert_eq!(id.worker_id(), 1);
        assert_eq!(id.process_id(), 0);
        assert_eq!(id.increment(), 7);
        assert_eq!(
            Snowflake::from_timestamp_ms(1_462_015_105_796).0 >> 22,
            id.0 >> 22
        );
    }

    #[test]
    fn from_timestamp_edges() {
        assert_eq!(Snowflake::from_timestamp_ms(0), Snowflake(0));
        assert_eq!(Snowflake::from_timestamp_ms(u64::MAX).0 & 0x3F_FFFF, 0);
        assert_eq!(
            Snowflake(u64::MAX).timestamp_ms(),
            (u64::MAX >> 22) + DISCORD_EPOCH_MS
        );
    }

    #[test]
    fn parse_errors_are_typed() {
        assert_eq!("".parse::<Snowflake>(), Err(SnowflakeParseError::Empty));
        assert_eq!(
            "12a".parse::<Snowflake>(),
            Err(SnowflakeParseError::InvalidDigit)
        );
        assert_eq!(
            "-1".parse::<Snowflake>(),
            Err(SnowflakeParseError::InvalidDigit)
        );
        assert_eq!(
            "+1".parse::<Snowflake>(),
            Err(SnowflakeParseError::InvalidDigit)
        );
        assert_eq!(
            " 1".parse::<Snowflake>(),
            Err(SnowflakeParseError::InvalidDigit)
        );
        assert_eq!(
            "18446744073709551616".parse::<Snowflake>(),
            Err(SnowflakeParseError::Overflow)
        );
        assert_eq!(
            "x".parse::<Snowflake>().unwrap_err().into_input("guild_id"),
            InputError::Invalid {
                field: "guild_id",
                reason: "a snowflake holds only the digits 0-9".into()
            }
        );
        assert_eq!(
            "18446744073709551615".parse::<Snowflake>(),
            Ok(Snowflake(u64::MAX))
        );
    }

    #[test]
    fn serde_string_and_number() {
        let id: Snowflake = serde_json::from_str("\"80351110224678912\"").unwrap();
        assert_eq!(id, Snowflake(80_351_110_224_678_912));
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"80351110224678912\"");
        let id: Snowflake = serde_json::from_str("80351110224678912").unwrap();
        assert_eq!(id.0, 80_351_110_224_678_912);
        assert_eq!(
            serde_json::from_str::<Snowflake>("12.0").unwrap(),
            Snowflake(12)
        );
        for bad in [
            "-1",
            "1.5",
            "1e300",
            "\"\"",
            "\"x\"",
            "null",
            "true",
            "[]",
            "{}",
            "\"99999999999999999999\"",
            "99999999999999999999",
        ] {
            assert!(serde_json::from_str::<Snowflake>(bad).is_err(), "{bad}");
        }
    }

    proptest::proptest! {
        #[test]
        fn roundtrip(id: u64) {
            let s = Snowflake(id);
            proptest::prop_assert_eq!(s.to_string().parse::<Snowflake>(), Ok(s));
            let json = serde_json::to_string(&s).unwrap();
            proptest::prop_assert_eq!(serde_json::from_str::<Snowflake>(&json).unwrap(), s);
        }

        #[test]
        fn never_panics(s in "\\PC*") {
            let _ = s.parse::<Snowflake>();
        }
    }
}
