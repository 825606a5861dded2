//! Keys, sealing and signing for the Worker, all derived from `SESSION_SECRET`.
//!
//! - Three independent 256-bit keys are derived with HMAC-SHA256 under distinct labels
//!   (a single-block HKDF-Expand): one for the login-state cookie, one for sealing the tokens of a
//!   session, one for deriving KV keys from session ids. A fourth signs the state cookie.
//! - Sealing is AES-256-GCM with a fresh random 96-bit nonce on every write
//!   (<https://csrc.nist.gov/pubs/sp/800/38/d/final>); the associated data binds a sealed value
//!   to where it is stored, so a ciphertext cannot be moved to another session.
//! - Signatures are HMAC-SHA256, verified in constant time.
//!
//! Pure Rust, no Worker types: unit-tested natively.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;

type HmacSha256 = Hmac<Sha256>;

/// The shortest `SESSION_SECRET` accepted, in bytes.
pub const MIN_SECRET_LEN: usize = 32;
/// Length of a session id in bytes (256 bits of randomness).
pub const SESSION_ID_BYTES: usize = 32;
/// Length of a session id once base64url-encoded without padding.
pub const SESSION_ID_CHARS: usize = 43;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
const MAC_LEN: usize = 32;

/// Why a sealed or signed value was refused. Deliberately carries no detail: a caller only
/// learns that the value is not one this Worker wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tampered;

impl fmt::Display for Tampered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the value was not written by this Worker, or was altered")
    }
}

/// Randomness failed (the platform's CSPRNG is unavailable).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NoRandom;

/// Fills a buffer from the platform CSPRNG (`crypto.getRandomValues` in a Worker).
pub fn random_bytes<const N: usize>() -> Result<[u8; N], NoRandom> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).map_err(|_| NoRandom)?;
    Ok(buf)
}

/// A fresh session id: 256 random bits, base64url without padding (43 characters).
pub fn new_session_id() -> Result<String, NoRandom> {
    Ok(B64.encode(random_bytes::<SESSION_ID_BYTES>()?))
}

/// Whether `id` has the exact shape of a session id this Worker issues. Checked before any
/// KV read, so forged or truncated cookies cost nothing.
pub fn is_session_id(id: &str) -> bool {
    id.len() == SESSION_ID_CHARS
        && B64
            .decode(id)
            .is_ok_and(|bytes| bytes.len() == SESSION_ID_BYTES)
}

/// The keys derived from `SESSION_SECRET`, with their AES key schedules and HMAC pads
/// computed once (per isolate, with the settings) instead of on every seal, open and KV-key
/// derivation. `Debug` prints nothing secret.
#[derive(Clone)]
pub struct Keys {
    state_enc: Aes256Gcm,
    state_mac: HmacSha256,
    session_seal: Aes256Gcm,
    kv_key: HmacSha256,
}

impl fmt::Debug for Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Keys([redacted])")
    }
}

/// An HMAC-SHA256 instance keyed with `key`; `None` only if the key were refused, which HMAC
/// never does (it accepts keys of any length).
fn mac_for(key: &[u8]) -> Option<HmacSha256> {
    <HmacSha256 as Mac>::new_from_slice(key).ok()
}

/// HMAC-SHA256 of `parts` under an already keyed instance (cloned: its pads are computed).
fn hmac_with(mac: &HmacSha256, parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = mac.clone();
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

/// HMAC-SHA256 of `parts` under `key`.
fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    match mac_for(key) {
        Some(mac) => hmac_with(&mac, parts),
        None => [0u8; 32],
    }
}

impl Keys {
    /// Derives the keys; `None` when the secret is shorter than [`MIN_SECRET_LEN`] bytes.
    pub fn derive(secret: &[u8]) -> Option<Keys> {
        if secret.len() < MIN_SECRET_LEN {
            return None;
        }
        // HKDF (RFC 5869) with the secret as PRK and one output block per label.
        let prk = hmac(b"discord-oauth-wasm/v1/extract", &[secret]);
        let expand = |label: &str| hmac(&prk, &[b"discord-oauth-wasm/v1/", label.as_bytes(), &[1]]);
        let cipher = |label: &str| Aes256Gcm::new_from_slice(&expand(label)).ok();
        Some(Keys {
            state_enc: cipher("state-cookie/encrypt")?,
            state_mac: mac_for(&expand("state-cookie/sign"))?,
            session_seal: cipher("session/seal")?,
            kv_key: mac_for(&expand("session/kv-key"))?,
        })
    }

    /// The KV key of a session id: `session:` and the hex HMAC-SHA256 of the id, so the key is
    /// never the cookie value and cannot be turned back into it.
    pub fn kv_key(&self, session_id: &str) -> String {
        hex_key(
            "session:",
            &hmac_with(&self.kv_key, &[session_id.as_bytes()]),
        )
    }

    /// The KV key of a user's session index: `user:` and the hex HMAC-SHA256 of
    /// `user-index/<user id>`, so the key names no user to anyone without `SESSION_SECRET`.
    /// (Session ids are base64url, which has no `/`: the two kinds of input never meet.)
    pub fn user_index_key(&self, user_id: &str) -> String {
        hex_key(
            "user:",
            &hmac_with(&self.kv_key, &[b"user-index/", user_id.as_bytes()]),
        )
    }

    /// Seals session data (the tokens) with AES-256-GCM, bound to `aad` (the KV key).
    pub fn seal_session(&self, plaintext: &[u8], aad: &[u8]) -> Result<String, NoRandom> {
        Ok(B64.encode(seal(&self.session_seal, plaintext, aad)?))
    }

    /// Opens what [`Keys::seal_session`] wrote for the same `aad`.
    pub fn open_session(&self, sealed: &str, aad: &[u8]) -> Result<Vec<u8>, Tampered> {
        let raw = B64.decode(sealed).map_err(|_| Tampered)?;
        open(&self.session_seal, &raw, aad)
    }

    /// The login-state cookie value: AES-256-GCM sealed, then signed with HMAC-SHA256
    /// (`<base64url ciphertext>.<base64url mac>`).
    pub fn seal_state(&self, plaintext: &[u8]) -> Result<String, NoRandom> {
        let sealed = seal(&self.state_enc, plaintext, b"state-cookie")?;
        let body = B64.encode(&sealed);
        let mac = hmac_with(&self.state_mac, &[b"state-cookie.", body.as_bytes()]);
        Ok(format!("{body}.{}", B64.encode(mac)))
    }

    /// Verifies (constant time) and opens a login-state cookie value.
    pub fn open_state(&self, value: &str) -> Result<Vec<u8>, Tampered> {
        let (body, mac) = value.split_once('.').ok_or(Tampered)?;
        let mac = B64.decode(mac).map_err(|_| Tampered)?;
        if mac.len() != MAC_LEN {
            return Err(Tampered);
        }
        let mut check = self.state_mac.clone();
        check.update(b"state-cookie.");
        check.update(body.as_bytes());
        // `verify_slice` compares in constant time.
        check.verify_slice(&mac).map_err(|_| Tampered)?;
        let raw = B64.decode(body).map_err(|_| Tampered)?;
        open(&self.state_enc, &raw, b"state-cookie")
    }
}

/// `prefix` followed by `digest` in lowercase hex.
fn hex_key(prefix: &str, digest: &[u8; 32]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(prefix.len() + 64);
    out.push_str(prefix);
    for b in digest {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    out
}

fn seal(cipher: &Aes256Gcm, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>, NoRandom> {
    let nonce = random_bytes::<NONCE_LEN>()?;
    let ct = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .map_err(|_| NoRandom)?;
    let mut out = Vec::with_capacity(NONCE_LEN + ct.len());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ct);
    Ok(out)
}

fn open(cipher: &Aes256Gcm, raw: &[u8], aad: &[u8]) -> Result<Vec<u8>, Tampered> {
    if raw.len() < NONCE_LEN + TAG_LEN {
        return Err(Tampered);
    }
    let (nonce, ct) = raw.split_at(NONCE_LEN);
    cipher
        .decrypt(Nonce::from_slice(nonce), Payload { msg: ct, aad })
        .map_err(|_| Tampered)
}
