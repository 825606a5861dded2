//! PKCE (RFC 7636) for the authorization code grant: a secret verifier kept by the client and
//! its S256 challenge sent in the authorize URL.
//!
//! Discord supports only `S256` and checks that the verifier has 43–128 characters (a shorter
//! one is `invalid_request` "Invalid \"code_verifier\"", docs/contract.md §6). PKCE is what lets a
//! *public client* (no secret; Developer Portal → OAuth2 → "Public Client") exchange a code
//! from the browser: <https://discord.com/developers/docs/topics/oauth2#authorization-code-grant>.

use std::fmt;

use sha2::{Digest, Sha256};

use crate::discord::b64;
use crate::discord::error::{Error, InputError};
use crate::discord::state::random_bytes;

/// The shortest verifier RFC 7636 §4.1 allows (and the length [`PkceCodeVerifier::generate`]
/// produces: 32 random bytes as base64url).
pub const MIN_VERIFIER_LEN: usize = 43;
/// The longest verifier RFC 7636 §4.1 allows.
pub const MAX_VERIFIER_LEN: usize = 128;

/// A PKCE `code_verifier`. It is a secret until the code is exchanged, so it is not `Clone`,
/// its `Debug` is redacted and it is read only through [`PkceCodeVerifier::secret`].
pub struct PkceCodeVerifier(String);

impl PkceCodeVerifier {
    /// A fresh 43-character verifier: 32 bytes (256 bits) from the platform CSPRNG,
    /// base64url without padding (RFC 7636 §4.1 recommends exactly this).
    pub fn generate() -> Result<Self, Error> {
        let mut bytes = [0u8; 32];
        random_bytes(&mut bytes)?;
        Ok(PkceCodeVerifier(b64::encode(&bytes, true)))
    }

    /// A fresh verifier of `len` characters (43..=128), each carrying 6 random bits.
    /// Any other length is [`InputError::Invalid`].
    pub fn generate_with_len(len: usize) -> Result<Self, Error> {
        if !(MIN_VERIFIER_LEN..=MAX_VERIFIER_LEN).contains(&len) {
            return Err(invalid("must be 43 to 128 characters long").into());
        }
        // Enough bytes for `len` base64 characters; truncation keeps each character uniform.
        let mut bytes = vec![0u8; len * 3 / 4 + 3];
        random_bytes(&mut bytes)?;
        let mut s = b64::encode(&bytes, true);
        s.truncate(len);
        Ok(PkceCodeVerifier(s))
    }

    /// Restores a verifier kept across the redirect. It must have 43–128 characters from the
    /// unreserved set `A-Z a-z 0-9 - . _ ~` (RFC 7636 §4.1).
    pub fn from_string(value: impl Into<String>) -> Result<Self, InputError> {
        let value = value.into();
        if !(MIN_VERIFIER_LEN..=MAX_VERIFIER_LEN).contains(&value.len()) {
            return Err(invalid("must be 43 to 128 characters long"));
        }
        let unreserved =
            |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
        if !value.bytes().all(unreserved) {
            return Err(invalid(
                "may contain only A-Z, a-z, 0-9, '-', '.', '_' and '~'",
            ));
        }
        Ok(PkceCodeVerifier(value))
    }

    /// The verifier itself, for the token request's `code_verifier` and for storage.
    pub fn secret(&self) -> &str {
        &self.0
    }

    /// `BASE64URL(SHA256(ASCII(code_verifier)))` (RFC 7636 §4.2), the only method Discord
    /// accepts.
    pub fn challenge_s256(&self) -> PkceCodeChallenge {
        let digest = Sha256::digest(self.0.as_bytes());
        PkceCodeChallenge(b64::encode(&digest, true))
    }
}

fn invalid(reason: &str) -> InputError {
    InputError::Invalid {
        field: "code_verifier",
        reason: reason.to_owned(),
    }
}

impl fmt::Debug for PkceCodeVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PkceCodeVerifier([redacted])")
    }
}

/// A PKCE `code_challenge` (public: it goes in the authorize URL).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PkceCodeChallenge(String);

impl PkceCodeChallenge {
    /// The challenge, 43 base64url characters.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The S256 challenge from `SHA256(ASCII(code_verifier))` computed elsewhere: the browser
    /// build hashes with the platform's `crypto.subtle.digest`, which keeps a SHA-256
    /// implementation out of the shipped wasm. `None` unless `digest` has 32 bytes.
    pub fn from_sha256_digest(digest: &[u8]) -> Option<PkceCodeChallenge> {
        (digest.len() == 32).then(|| PkceCodeChallenge(b64::encode(digest, true)))
    }

    /// The `code_challenge_method`: always `S256` (Discord does not accept `plain`).
    pub const fn method(&self) -> &'static str {
        "S256"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b_vector() {
        let verifier =
            PkceCodeVerifier::from_string("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
        let challenge = verifier.challenge_s256();
        assert_eq!(
            challenge.as_str(),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert_eq!(challenge.method(), "S256");
    }

    #[test]
    fn challenge_from_a_digest_computed_elsewhere() {
        let verifier =
            PkceCodeVerifier::from_string("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
        let digest = Sha256::digest(verifier.secret().as_bytes());
        assert_eq!(
            PkceCodeChallenge::from_sha256_digest(&digest),
            Some(verifier.challenge_s256())
        );
        assert_eq!(PkceCodeChallenge::from_sha256_digest(&digest[..31]), None);
        assert_eq!(PkceCodeChallenge::from_sha256_digest(&[0; 33]), None);
    }

    #[test]
    fn generated_verifiers_are_valid_and_distinct() {
        let a = PkceCodeVerifier::generate().unwrap();
        let b = PkceCodeVerifier::generate().unwrap();
        assert_eq!(a.secret().len(), 43);
        assert_ne!(a.secret(), b.secret());
        assert!(PkceCodeVerifier::from_string(a.secret()).is_ok());
        for len in [43, 44, 64, 100, 127, 128] {
            let v = PkceCodeVerifier::generate_with_len(len).unwrap();
            assert_eq!(v.secret().len(), len);
            assert!(PkceCodeVerifier::from_string(v.secret()).is_ok());
        }
        assert!(PkceCodeVerifier::generate_with_len(42).is_err());
        assert!(PkceCodeVerifier::generate_with_len(129).is_err());
    }

    #[test]
    fn from_string_checks_length_and_charset() {
        assert!(PkceCodeVerifier::from_string("a".repeat(42)).is_err());
        assert!(PkceCodeVerifier::from_string("a".repeat(43)).is_ok());
        assert!(PkceCodeVerifier::from_string("a".repeat(128)).is_ok());
        assert!(PkceCodeVerifier::from_string("a".repeat(129)).is_err());
        assert!(PkceCodeVerifier::from_string(format!("{}~._-", "a".repeat(40))).is_ok());
        assert!(PkceCodeVerifier::from_string(format!("{}+", "a".repeat(43))).is_err());
        assert!(PkceCodeVerifier::from_string(format!("{}é", "a".repeat(42))).is_err());
    }

    #[test]
    fn debug_is_redacted() {
        let v =
            PkceCodeVerifier::from_string("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
        assert_eq!(format!("{v:?}"), "PkceCodeVerifier([redacted])");
    }
}
