//! The OAuth2 `state` parameter: a random value binding the redirect to the browser that
//! started the login, checked in constant time.
//!
//! Discord echoes `state` on the redirect (also on an error redirect) and recommends it
//! against CSRF: <https://discord.com/developers/docs/topics/oauth2#state-and-security>.
//! [`State::generate`] draws 32 bytes (256 bits) from the operating system's CSPRNG
//! (`crypto.getRandomValues` in the browser and in Workers), above the ≥ 128 bits docs/contract.md §3
//! asks for.

use std::fmt;

use crate::discord::error::{Error, InputError};

/// Random bytes in a generated state: 32 bytes, 256 bits, 43 base64url characters.
pub const STATE_BYTES: usize = 32;
/// The longest state [`State::from_string`] accepts. A state travels in a URL and a cookie,
/// so it is kept well below URL and cookie limits.
pub const MAX_STATE_LEN: usize = 512;

/// Compares two byte strings in time that depends only on their lengths, not on where they
/// differ, so that an attacker timing the callback cannot learn the expected state (or any
/// other secret) byte by byte. Written here instead of pulling in `subtle`: XOR every pair of
/// bytes and OR the results together; a length mismatch is answered at once (lengths are
/// not secret: a generated state always has 43 characters).
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut diff: u8 = 0;
    for (x, y) in a.iter().zip(b.iter()) {
        diff |= x ^ y;
    }
    // `black_box` keeps the optimiser from turning the loop into an early-exit compare.
    std::hint::black_box(diff) == 0
}

/// Fills `buf` from the platform CSPRNG, as a typed error when there is none.
pub(crate) fn random_bytes(buf: &mut [u8]) -> Result<(), Error> {
    getrandom::fill(buf)
        .map_err(|_| Error::Config("no secure random number generator available".to_owned()))
}

/// An OAuth2 `state` value. Its `Debug` is redacted and its equality is constant-time.
#[derive(Clone)]
pub struct State(String);

impl State {
    /// A fresh state: 32 CSPRNG bytes as 43 base64url characters without padding.
    /// Fails only when the platform has no secure random source.
    pub fn generate() -> Result<State, Error> {
        let mut bytes = [0u8; STATE_BYTES];
        random_bytes(&mut bytes)?;
        Ok(State(crate::discord::b64::encode(&bytes, true)))
    }

    /// Restores a state kept across the redirect (session storage, a signed cookie), or
    /// takes one the integrator chose. It must be 1 to [`MAX_STATE_LEN`] visible ASCII
    /// characters (no spaces or controls), so it survives the URL round trip unchanged.
    /// A chosen state should carry ≥ 128 bits of randomness; prefer [`State::generate`].
    pub fn from_string(value: impl Into<String>) -> Result<State, InputError> {
        let value = value.into();
        if value.is_empty() {
            return Err(invalid("must not be empty"));
        }
        if value.len() > MAX_STATE_LEN {
            return Err(invalid("is longer than 512 characters"));
        }
        if !value.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(invalid("must be visible ASCII characters without spaces"));
        }
        Ok(State(value))
    }

    /// The value, to put in the authorize URL and to store until the redirect comes back.
    pub fn secret(&self) -> &str {
        &self.0
    }

    /// Whether `received` (the redirect's `state`) is this state, compared in constant time.
    pub fn matches(&self, received: &str) -> bool {
        constant_time_eq(self.0.as_bytes(), received.as_bytes())
    }
}

fn invalid(reason: &str) -> InputError {
    InputError::Invalid {
        field: "state",
        reason: reason.to_owned(),
    }
}

impl PartialEq for State {
    /// Constant-time, like [`State::matches`].
    fn eq(&self, other: &Self) -> bool {
        self.matches(&other.0)
    }
}

impl Eq for State {}

impl fmt::Debug for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("State([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_states_are_long_random_and_url_safe() {
        let a = State::generate().unwrap();
        let b = State::generate().unwrap();
        assert_eq!(a.secret().len(), 43);
        assert_ne!(a, b);
        assert!(
            a.secret()
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
        // Round trip through storage.
        assert_eq!(State::from_string(a.secret()).unwrap(), a);
    }

    #[test]
    fn matches_is_exact() {
        let s = State::from_string("15773059ghq9183habn").unwrap();
        assert!(s.matches("15773059ghq9183habn"));
        assert!(!s.matches("15773059ghq9183habm"));
        assert!(!s.matches("15773059ghq9183hab"));
        assert!(!s.matches(""));
    }

    #[test]
    fn constant_time_eq_basics() {
        assert!(constant_time_eq(b"", b""));
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }

    #[test]
    fn from_string_rejects_bad_values() {
        assert!(State::from_string("").is_err());
        assert!(State::from_string("has space").is_err());
        assert!(State::from_string("tab\there").is_err());
        assert!(State::from_string("é").is_err());
        assert!(State::from_string("x".repeat(513)).is_err());
        assert!(State::from_string("x".repeat(512)).is_ok());
    }

    #[test]
    fn debug_is_redacted() {
        let s = State::from_string("supersecretstate").unwrap();
        assert!(!format!("{s:?}").contains("supersecret"));
    }
}
