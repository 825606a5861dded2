//! Discord's OpenID Connect, as a relying party: the `nonce`, the id_token's checks, the
//! signing keys (JWKS) as plain data, and userinfo (docs/oidc.md).
//!
//! With the `openid` scope Discord's token response carries an `id_token`, a JWT signed with
//! RS256 whose keys Discord publishes at `{api}/oauth2/keys`; `{api}/oauth2/userinfo` answers
//! with `sub` and the profile claims.
//! <https://discord.com/developers/docs/topics/oauth2#authorization-code-grant>
//!
//! Sans-IO: [`IdToken::parse`] reads the compact JWS and refuses every algorithm but RS256
//! (never `none`) before anything else; [`IdToken::check_claims`] checks `iss`, `aud`
//! (`azp` with several audiences), `exp` and `iat` with [`LEEWAY_SECS`], `nonce` and `at_hash`;
//! [`Jwks::select`] picks the key by `kid` and the key's own `kty` / `alg` / `use`, or asks the
//! face to fetch the keys again ([`KeyChoice::Refetch`], once). The RSA signature check itself
//! is the face's (WebCrypto RSASSA-PKCS1-v1_5 with SHA-256 over
//! [`IdToken::signing_input`], [`IdToken::signature`] and the chosen [`Jwk`]), which reports a
//! bad signature as [`IdTokenError::Signature`]. Every refusal is `invalid_grant`.

use std::fmt;

use sha2::{Digest, Sha256};

use crate::discord::api::{Authorization, parse_json, parse_with, request};
use crate::discord::config::ApiConfig;
use crate::discord::error::{Error, Result};
use crate::discord::http::{HttpRequest, HttpResponse, Method};
use crate::discord::json::{JsonCodec, JsonValue};
use crate::discord::secret::AccessToken;
use crate::discord::state::{constant_time_eq, random_bytes};

/// Clock skew allowed on `exp` and `iat`, in seconds.
pub const LEEWAY_SECS: u64 = 60;
/// The only signature algorithm accepted: Discord signs with RS256.
pub const ALGORITHM: &str = "RS256";
/// How long fetched keys are used before they are fetched again (an unknown `kid` refetches
/// sooner), in milliseconds.
pub const JWKS_MAX_AGE_MS: u64 = 24 * 3600 * 1000;
/// The longest id_token accepted, in bytes (Discord's are about 1 KB).
pub const MAX_ID_TOKEN_LEN: usize = 16 * 1024;

/// Why an id_token is refused. Every variant is [`ErrorCode::InvalidGrant`](crate::discord::ErrorCode).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdTokenError {
    /// Not a compact JWS of three base64url parts with JSON header and claims.
    #[error("the id_token is malformed: {0}")]
    Malformed(&'static str),
    /// An algorithm other than RS256 (`none`, `HS256`, …).
    #[error("the id_token's algorithm is not RS256")]
    Algorithm,
    /// No published key has the token's `kid`, even after fetching the keys again.
    #[error("no published key matches the id_token's kid")]
    UnknownKey,
    /// The key named by `kid` does not allow RS256 signatures (its `kty`, `alg` or `use`).
    #[error("the id_token's key does not allow RS256 signatures")]
    KeyNotAllowed,
    /// The signature does not verify (reported by the face).
    #[error("the id_token's signature does not verify")]
    Signature,
    /// A required claim is missing or has the wrong type.
    #[error("the id_token lacks a valid `{0}` claim")]
    MissingClaim(&'static str),
    /// `iss` is not the expected issuer.
    #[error("the id_token's issuer is not the expected one")]
    Issuer,
    /// `aud` does not hold the client id, or `azp` is not the client id.
    #[error("the id_token is not for this client")]
    Audience,
    /// `exp` is past (beyond the leeway).
    #[error("the id_token has expired")]
    Expired,
    /// `iat` is in the future (beyond the leeway).
    #[error("the id_token was issued in the future")]
    IssuedInFuture,
    /// `nonce` is missing or not the one sent.
    #[error("the id_token's nonce is missing or does not match")]
    Nonce,
    /// `at_hash` does not match the access token.
    #[error("the id_token's at_hash does not match the access token")]
    AtHash,
    /// `openid` was asked for (a nonce sent) but the token response has no id_token.
    #[error("the token response lacks the id_token")]
    Absent,
}

impl IdTokenError {
    /// Why, in a few words without formatting (the browser build links no `fmt` machinery).
    pub fn reason(&self) -> &'static str {
        match self {
            IdTokenError::Malformed(why) => why,
            IdTokenError::Algorithm => "its algorithm is not RS256",
            IdTokenError::UnknownKey => "no published key matches its kid",
            IdTokenError::KeyNotAllowed => "its key does not allow RS256",
            IdTokenError::Signature => "its signature does not verify",
            IdTokenError::MissingClaim(_) => "a required claim is missing",
            IdTokenError::Issuer => "its issuer is not the expected one",
            IdTokenError::Audience => "it is not for this client",
            IdTokenError::Expired => "it has expired",
            IdTokenError::IssuedInFuture => "it was issued in the future",
            IdTokenError::Nonce => "its nonce is missing or does not match",
            IdTokenError::AtHash => "its at_hash does not match the access token",
            IdTokenError::Absent => "the token response lacks it",
        }
    }
}

impl From<IdTokenError> for Error {
    fn from(e: IdTokenError) -> Self {
        Error::IdToken(e)
    }
}

/// The expected issuer: `configured` when set (the `DISCORD_ISSUER` setting), else the origin
/// of the API base (`https://discord.com` for `https://discord.com/api/v10`, the emulator's
/// origin in tests). `None` when the API base has no origin.
pub fn expected_issuer(api_base: &str, configured: Option<&str>) -> Option<String> {
    if let Some(c) = configured.map(str::trim).filter(|c| !c.is_empty()) {
        return Some(c.trim_end_matches('/').to_owned());
    }
    let (scheme, rest) = api_base.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if scheme.is_empty() || host.is_empty() {
        return None;
    }
    Some([scheme, "://", host].concat())
}

/// An OpenID Connect `nonce`: 32 CSPRNG bytes as base64url, sent in the authorize URL, kept
/// with the PKCE verifier until the redirect, and compared in constant time to the id_token's.
#[derive(Clone, PartialEq, Eq)]
pub struct Nonce(String);

impl Nonce {
    /// A fresh nonce (fails only without a secure random source).
    pub fn generate() -> Result<Nonce> {
        let mut bytes = [0u8; 32];
        random_bytes(&mut bytes)?;
        Ok(Nonce(crate::discord::b64::encode(&bytes, true)))
    }

    /// Restores a nonce kept across the redirect.
    pub fn from_string(value: impl Into<String>) -> Nonce {
        Nonce(value.into())
    }

    /// The value, to send and to keep.
    pub fn secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Nonce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Nonce([redacted])")
    }
}

/// One public key of the JWKS (RFC 7517): only what RS256 needs.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Jwk {
    /// Key type: must be `RSA`.
    pub kty: String,
    /// Key id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// The algorithm the key is for; when present it must be `RS256`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    /// The key's use; when present it must be `sig`.
    #[serde(default, rename = "use", skip_serializing_if = "Option::is_none")]
    pub use_: Option<String>,
    /// Modulus (base64url).
    #[serde(default)]
    pub n: String,
    /// Exponent (base64url).
    #[serde(default)]
    pub e: String,
}

impl Jwk {
    /// Whether this key may verify an RS256 signature (its own type, algorithm and use).
    pub fn allows_rs256(&self) -> bool {
        self.kty == "RSA"
            && self.alg.as_deref().is_none_or(|a| a == ALGORITHM)
            && self.use_.as_deref().is_none_or(|u| u == "sig")
            && !self.n.is_empty()
            && !self.e.is_empty()
    }
}

/// The signing keys as fetched, and when: the cache each face keeps (per isolate, per page).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Jwks {
    /// The keys.
    pub keys: Vec<Jwk>,
    /// When they were fetched (ms since the epoch); 0 when never.
    pub fetched_at_ms: u64,
}

/// Which key verifies a token, or what to do first.
#[derive(Debug, PartialEq, Eq)]
pub enum KeyChoice<'a> {
    /// Verify the signature with this key.
    Use(&'a Jwk),
    /// Fetch the keys ([`jwks_request`]) and ask again with `refetched = true`.
    Refetch,
}

impl Jwks {
    /// Whether these keys should be fetched before use: never fetched, or older than
    /// [`JWKS_MAX_AGE_MS`].
    pub fn is_stale(&self, now_ms: u64) -> bool {
        self.fetched_at_ms == 0 || now_ms.saturating_sub(self.fetched_at_ms) > JWKS_MAX_AGE_MS
    }

    /// The key for `token`: by `kid` (the only key when the token names none and there is
    /// exactly one). A `kid` not in the set asks for one refetch ([`KeyChoice::Refetch`]) when
    /// `refetched` is false, else [`IdTokenError::UnknownKey`]; a key whose own `kty`, `alg` or
    /// `use` does not allow RS256 is [`IdTokenError::KeyNotAllowed`].
    pub fn select(&self, token: &IdToken, refetched: bool) -> Result<KeyChoice<'_>, IdTokenError> {
        let found = match &token.kid {
            Some(kid) => self.keys.iter().find(|k| k.kid.as_deref() == Some(kid)),
            None if self.keys.len() == 1 => self.keys.first(),
            None => None,
        };
        match found {
            Some(k) if k.allows_rs256() => Ok(KeyChoice::Use(k)),
            Some(_) => Err(IdTokenError::KeyNotAllowed),
            None if refetched => Err(IdTokenError::UnknownKey),
            None => Ok(KeyChoice::Refetch),
        }
    }
}

/// `GET {api}/oauth2/keys`: Discord's signing keys (no authentication).
pub fn jwks_request(config: &ApiConfig) -> HttpRequest {
    let path = "/oauth2/keys";
    HttpRequest {
        method: Method::Get,
        url: config.url(path),
        headers: vec![
            ("User-Agent", config.user_agent.clone()),
            ("Accept", "application/json".to_owned()),
        ],
        body: None,
        route: crate::discord::api::route_key(Method::Get, path),
    }
}

/// The members of a JWKS key that [`Jwk`] keeps, read with [`JsonCodec::decode_list_members`]
/// (the browser looks each one up by name instead of copying every key into wasm).
const JWK_NAMES: &[&str] = &["kty", "kid", "alg", "use", "n", "e"];

/// Parses the answer to [`jwks_request`]; `now_ms` is when it arrived. Keys that are not
/// objects with a `kty` are left out (a JWKS may hold keys of other types).
pub fn process_jwks_response<J: JsonCodec>(response: &HttpResponse, now_ms: u64) -> Result<Jwks> {
    let keys = parse_with::<J, _>(response, |body| {
        J::decode_list_members(body, "keys", JWK_NAMES)
    })?;
    // A member that is not a string counts as absent.
    let text = |v: Option<JsonValue>| match v {
        Some(JsonValue::String(s)) => Some(s),
        _ => None,
    };
    let keys = keys
        .into_iter()
        .filter_map(|members| {
            let [kty, kid, alg, use_, n, e] = <[Option<JsonValue>; 6]>::try_from(members).ok()?;
            Some(Jwk {
                kty: text(kty)?,
                kid: text(kid),
                alg: text(alg),
                use_: text(use_),
                n: text(n).unwrap_or_default(),
                e: text(e).unwrap_or_default(),
            })
        })
        .collect();
    Ok(Jwks {
        keys,
        fetched_at_ms: now_ms.max(1),
    })
}

/// `GET {api}/oauth2/userinfo` with the user's token (`openid` scope).
pub fn userinfo_request(config: &ApiConfig, token: &AccessToken) -> HttpRequest {
    request(
        config,
        Method::Get,
        "/oauth2/userinfo",
        Authorization::Bearer(token),
        None,
    )
}

/// Parses the answer to [`userinfo_request`]: the claims object, which must hold a `sub`.
pub fn process_userinfo_response<J: JsonCodec>(response: &HttpResponse) -> Result<JsonValue> {
    let v: JsonValue = parse_json::<J, JsonValue>(response)?;
    if v.get("sub").and_then(JsonValue::as_str).is_none() {
        return Err(Error::Parse {
            status: response.status,
            reason: "the userinfo answer lacks `sub`".to_owned(),
            body: crate::discord::error::RawBody::new(String::new()),
        });
    }
    Ok(v)
}

/// What the id_token must say.
#[derive(Clone, Copy, Debug)]
pub struct Expected<'a> {
    /// The issuer ([`expected_issuer`]).
    pub issuer: &'a str,
    /// This application's client id (`aud`).
    pub client_id: &'a str,
    /// The nonce sent in the authorize URL, if one was.
    pub nonce: Option<&'a Nonce>,
    /// Now, in ms since the epoch.
    pub now_ms: u64,
}

/// A parsed id_token whose algorithm is RS256; not yet trusted.
#[derive(Clone)]
pub struct IdToken {
    kid: Option<String>,
    signing_input: String,
    signature: Vec<u8>,
    claims: IdClaims,
    /// The claims as the token carries them (decoded JSON text), handed to a face that
    /// parses JSON faster itself (the browser's `JSON.parse`) once the token is trusted.
    claims_json: String,
}

/// The members of the id_token's claims that [`IdToken::check_claims`] and
/// [`IdToken::check_at_hash`] read, each as the token carries it (`None` when absent, `null`
/// kept as [`JsonValue::Null`]). Every other claim is in [`IdToken::claims_json`]. Read with
/// [`JsonCodec::decode_members`], so that the browser looks up these members by name instead
/// of copying the whole document from JS into wasm (bench/id-token.mjs).
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct IdClaims {
    /// Issuer.
    pub iss: Option<JsonValue>,
    /// Subject: the Discord user id.
    pub sub: Option<JsonValue>,
    /// Audience: the client id, or an array holding it.
    pub aud: Option<JsonValue>,
    /// Authorized party.
    pub azp: Option<JsonValue>,
    /// Expiry (seconds since the epoch).
    pub exp: Option<JsonValue>,
    /// Issued at (seconds since the epoch).
    pub iat: Option<JsonValue>,
    /// The nonce of the authorization request.
    pub nonce: Option<JsonValue>,
    /// Left half of SHA-256 of the access token (base64url).
    pub at_hash: Option<JsonValue>,
}

/// The members [`IdClaims`] holds, in its order.
const CLAIM_NAMES: &[&str] = &["iss", "sub", "aud", "azp", "exp", "iat", "nonce", "at_hash"];
/// The JOSE header members the check reads (RFC 7515 §4.1), in the order of [`IdToken::parse`].
const HEADER_NAMES: &[&str] = &["alg", "kid", "crit"];

fn b64url_decode(part: &str, what: &'static str) -> Result<Vec<u8>, IdTokenError> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| IdTokenError::Malformed(what))
}

fn number(v: Option<&JsonValue>) -> Option<u64> {
    match v? {
        JsonValue::UInt(n) => Some(*n),
        JsonValue::Float(f) if f.is_finite() && *f >= 0.0 => Some(*f as u64),
        _ => None,
    }
}

impl IdToken {
    /// Parses the compact JWS `header.claims.signature`. The header's `alg` must be RS256:
    /// `none`, `HS256` or anything else is [`IdTokenError::Algorithm`], before any key is
    /// looked at (an attacker chooses the header).
    pub fn parse<J: JsonCodec>(raw: &str) -> Result<IdToken, IdTokenError> {
        if raw.len() > MAX_ID_TOKEN_LEN {
            return Err(IdTokenError::Malformed("too long"));
        }
        let mut parts = raw.split('.');
        let (Some(h), Some(c), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(IdTokenError::Malformed("not three parts"));
        };
        let header_bytes = b64url_decode(h, "header is not base64url")?;
        let header_text =
            std::str::from_utf8(&header_bytes).map_err(|_| IdTokenError::Malformed("header"))?;
        let mut header = J::decode_members(header_text, HEADER_NAMES)
            .map_err(|_| IdTokenError::Malformed("header is not a JSON object"))?
            .into_iter();
        let (alg, kid, crit) = (
            header.next().flatten(),
            header.next().flatten(),
            header.next().flatten(),
        );
        if alg.as_ref().and_then(JsonValue::as_str) != Some(ALGORITHM) {
            return Err(IdTokenError::Algorithm);
        }
        // RFC 7515 §4.1.11: a `crit` extension we do not understand makes the JWS invalid.
        if crit.is_some() {
            return Err(IdTokenError::Malformed("unsupported crit header"));
        }
        let kid = match kid {
            None => None,
            Some(JsonValue::String(k)) => Some(k),
            Some(_) => return Err(IdTokenError::Malformed("kid is not a string")),
        };
        let claims_bytes = b64url_decode(c, "claims are not base64url")?;
        let claims_text =
            std::str::from_utf8(&claims_bytes).map_err(|_| IdTokenError::Malformed("claims"))?;
        let mut m = J::decode_members(claims_text, CLAIM_NAMES)
            .map_err(|_| IdTokenError::Malformed("claims are not a JSON object"))?
            .into_iter();
        let mut next = || m.next().flatten();
        let claims = IdClaims {
            iss: next(),
            sub: next(),
            aud: next(),
            azp: next(),
            exp: next(),
            iat: next(),
            nonce: next(),
            at_hash: next(),
        };
        let claims_json = claims_text.to_owned();
        let signature = b64url_decode(s, "signature is not base64url")?;
        if signature.is_empty() {
            return Err(IdTokenError::Malformed("empty signature"));
        }
        Ok(IdToken {
            kid,
            signing_input: [h, ".", c].concat(),
            signature,
            claims,
            claims_json,
        })
    }

    /// The header's `kid`.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The bytes the signature covers: `base64url(header) "." base64url(claims)`.
    pub fn signing_input(&self) -> &str {
        &self.signing_input
    }

    /// The signature bytes.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// The claims the checks read (trust them only after [`check_claims`](Self::check_claims)
    /// and the signature check); all of them are [`claims_json`](Self::claims_json).
    pub fn claims(&self) -> &IdClaims {
        &self.claims
    }

    /// The claims as JSON text, exactly as the token carries them (the whole document of which
    /// [`claims`](Self::claims) are the checked members; the same trust rules).
    pub fn claims_json(&self) -> &str {
        &self.claims_json
    }

    /// Checks the claims (OIDC Core §3.1.3.7): `iss` equals the expected issuer; `aud` is the
    /// client id or an array holding it, and with several audiences `azp` is the client id
    /// (`azp`, when present, always is); `sub` is a string; `exp` is not past and `iat` not
    /// ahead, each with [`LEEWAY_SECS`]; `nonce` equals the one sent (when one was), compared
    /// in constant time. `at_hash` is [`check_at_hash`](Self::check_at_hash).
    pub fn check_claims(&self, expected: &Expected<'_>) -> Result<(), IdTokenError> {
        let c = &self.claims;
        fn text<'c>(
            value: &'c Option<JsonValue>,
            name: &'static str,
        ) -> Result<&'c str, IdTokenError> {
            value
                .as_ref()
                .and_then(JsonValue::as_str)
                .ok_or(IdTokenError::MissingClaim(name))
        }
        if !constant_time_eq(text(&c.iss, "iss")?.as_bytes(), expected.issuer.as_bytes()) {
            return Err(IdTokenError::Issuer);
        }
        let audiences: Vec<&str> = match &c.aud {
            Some(JsonValue::String(a)) => vec![a.as_str()],
            Some(JsonValue::Array(items)) => items.iter().filter_map(JsonValue::as_str).collect(),
            _ => return Err(IdTokenError::MissingClaim("aud")),
        };
        if !audiences.contains(&expected.client_id) {
            return Err(IdTokenError::Audience);
        }
        match &c.azp {
            Some(JsonValue::String(azp)) if azp == expected.client_id => {}
            Some(_) => return Err(IdTokenError::Audience),
            None if audiences.len() > 1 => return Err(IdTokenError::Audience),
            None => {}
        }
        if text(&c.sub, "sub")?.is_empty() {
            return Err(IdTokenError::MissingClaim("sub"));
        }
        let now = expected.now_ms / 1000;
        let exp = number(c.exp.as_ref()).ok_or(IdTokenError::MissingClaim("exp"))?;
        let iat = number(c.iat.as_ref()).ok_or(IdTokenError::MissingClaim("iat"))?;
        if exp.saturating_add(LEEWAY_SECS) < now {
            return Err(IdTokenError::Expired);
        }
        if iat > now.saturating_add(LEEWAY_SECS) {
            return Err(IdTokenError::IssuedInFuture);
        }
        if let Some(nonce) = expected.nonce {
            let got = c
                .nonce
                .as_ref()
                .and_then(JsonValue::as_str)
                .ok_or(IdTokenError::Nonce)?;
            if !constant_time_eq(got.as_bytes(), nonce.secret().as_bytes()) {
                return Err(IdTokenError::Nonce);
            }
        }
        Ok(())
    }

    /// `at_hash`, when present, is the left half of SHA-256 of `access_token` (OIDC Core
    /// §3.1.3.6; optional for the code flow, §3.1.3.8). Separate from
    /// [`check_claims`](Self::check_claims) so that the browser build, which hashes with
    /// `crypto.subtle` and links no SHA-256 of its own, can leave it out; the Worker checks it.
    pub fn check_at_hash(&self, access_token: &AccessToken) -> Result<(), IdTokenError> {
        let Some(at_hash) = &self.claims.at_hash else {
            return Ok(());
        };
        let digest = Sha256::digest(access_token.secret().as_bytes());
        let want = crate::discord::b64::encode(&digest[..16], true);
        if at_hash
            .as_str()
            .is_some_and(|h| constant_time_eq(h.as_bytes(), want.as_bytes()))
        {
            Ok(())
        } else {
            Err(IdTokenError::AtHash)
        }
    }
}

impl fmt::Debug for IdToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdToken")
            .field("kid", &self.kid)
            .field("claims", &self.claims)
            .finish()
    }
}

#[cfg(test)]
#[path = "oidc_tests.rs"]
mod tests;
