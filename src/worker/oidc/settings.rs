//! The OpenID provider's settings (docs/oidc-provider.md): `OIDC_CLIENTS`,
//! `OIDC_SIGNING_KEY`, `OIDC_SIGNING_KEY_NEXT` and `OIDC_CODE_TTL_SECONDS`. Pure (read through a
//! lookup function), natively tested. A bad setting is kept as its [`ConfigError`], which only
//! the OIDC routes answer: the rest of the Worker works on.

use crate::discord::secret::ClientSecret;
use crate::discord::snowflake::Snowflake;
use crate::worker::config::ConfigError;
use crate::worker::validate;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::fmt;

/// The secret listing the relying parties; the provider is on when it is set.
pub const CLIENTS_VAR: &str = "OIDC_CLIENTS";
/// The secret holding the RSA private JWK that signs id_tokens.
pub const KEY_VAR: &str = "OIDC_SIGNING_KEY";
/// The next signing key (private or public JWK), published beside the current one.
pub const NEXT_KEY_VAR: &str = "OIDC_SIGNING_KEY_NEXT";
/// How long an authorization code lives, in seconds (1 to 60, default 60).
pub const CODE_TTL_VAR: &str = "OIDC_CODE_TTL_SECONDS";
/// The longest (and default) code life: 60 s.
pub const MAX_CODE_TTL: u64 = 60;
/// The most `role_guilds` a client may list: each is one call to Discord per token.
pub const MAX_ROLE_GUILDS: usize = 10;
/// The shortest client secret accepted, in bytes.
pub const MIN_CLIENT_SECRET: usize = 16;

/// One relying party. `Debug` redacts the secret (the core's newtype).
#[derive(Clone, Debug)]
pub struct OidcClient {
    /// `client_id`.
    pub client_id: String,
    /// `client_secret`, compared in constant time.
    pub client_secret: ClientSecret,
    /// The exact redirect URIs the client may use.
    pub redirect_uris: Vec<String>,
    /// Whether the client may receive the `guilds` claim.
    pub guilds: bool,
    /// The guilds whose role ids go into `roles:{guild_id}` claims.
    pub role_guilds: Vec<Snowflake>,
}

/// The public half of an RSA key, as the JWKS publishes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicJwk {
    /// The RFC 7638 thumbprint (base64url SHA-256 of `{"e","kty","n"}`).
    pub kid: String,
    /// The modulus, base64url.
    pub n: String,
    /// The exponent, base64url.
    pub e: String,
}

/// The signing key: the private JWK (only its RSA members, as WebCrypto imports them) and its
/// public half. `Debug` shows the `kid` only.
#[derive(Clone)]
pub struct SigningKey {
    /// The private JWK as JSON text, for `crypto.subtle.importKey("jwk", …)`.
    pub private_jwk: String,
    /// Its public half.
    pub public: PublicJwk,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.public.kid)
            .finish_non_exhaustive()
    }
}

/// The provider's validated settings.
#[derive(Clone, Debug)]
pub struct Oidc {
    /// The relying parties.
    pub clients: Vec<OidcClient>,
    /// `OIDC_SIGNING_KEY`.
    pub key: SigningKey,
    /// `OIDC_SIGNING_KEY_NEXT`, published only.
    pub next: Option<PublicJwk>,
    /// `OIDC_CODE_TTL_SECONDS`.
    pub code_ttl_secs: u64,
}

impl Oidc {
    /// The client registered under `client_id`.
    pub fn client(&self, client_id: &str) -> Option<&OidcClient> {
        self.clients.iter().find(|c| c.client_id == client_id)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClient {
    client_id: String,
    client_secret: String,
    redirect_uris: Vec<String>,
    #[serde(default)]
    guilds: bool,
    #[serde(default)]
    role_guilds: Vec<String>,
}

fn clients_error(rule: impl Into<String>) -> ConfigError {
    ConfigError::invalid(CLIENTS_VAR, format!("{CLIENTS_VAR}: {}", rule.into()))
}

/// Whether `uri` may be registered as a redirect URI: `https://`, or `http://` on a loopback
/// host (a developer's machine); no fragment, no whitespace or control characters
/// (RFC 6749 §3.1.2, OAuth 2.0 Security BCP §4.1).
pub fn valid_redirect_uri(uri: &str) -> bool {
    let clean = !uri.is_empty()
        && uri.len() <= 2000
        && !uri.contains('#')
        && !uri.chars().any(|c| c.is_control() || c.is_whitespace());
    let host_of = |rest: &str| {
        let authority = rest.split(['/', '?']).next().unwrap_or("");
        let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        host.to_owned()
    };
    clean
        && if let Some(rest) = uri.strip_prefix("https://") {
            !host_of(rest).is_empty()
        } else if let Some(rest) = uri.strip_prefix("http://") {
            let host = host_of(rest);
            let name = match host.strip_prefix('[') {
                Some(v6) => v6.split(']').next().unwrap_or("").to_owned(),
                None => host.split(':').next().unwrap_or("").to_owned(),
            };
            matches!(name.as_str(), "localhost" | "127.0.0.1" | "::1")
        } else {
            false
        }
}

/// Parses `OIDC_CLIENTS`.
pub fn parse_clients(text: &str) -> Result<Vec<OidcClient>, ConfigError> {
    let raw: Vec<RawClient> = serde_json::from_str(text).map_err(|_| {
        clients_error(
            "must be a JSON list of {client_id, client_secret, redirect_uris, guilds?, role_guilds?}",
        )
    })?;
    if raw.is_empty() {
        return Err(clients_error("must list at least one client"));
    }
    let mut clients: Vec<OidcClient> = Vec::with_capacity(raw.len());
    for c in raw {
        let id_ok = !c.client_id.is_empty()
            && c.client_id.len() <= 200
            && c.client_id.bytes().all(|b| b.is_ascii_graphic());
        if !id_ok {
            return Err(clients_error(
                "client_id must be 1 to 200 visible ASCII characters",
            ));
        }
        if clients.iter().any(|k| k.client_id == c.client_id) {
            return Err(clients_error(format!(
                "client_id {:?} is listed twice",
                c.client_id
            )));
        }
        if c.client_secret.len() < MIN_CLIENT_SECRET {
            return Err(clients_error(format!(
                "the client_secret of {:?} must be at least {MIN_CLIENT_SECRET} bytes",
                c.client_id
            )));
        }
        if c.redirect_uris.is_empty() || !c.redirect_uris.iter().all(|u| valid_redirect_uri(u)) {
            return Err(clients_error(format!(
                "the redirect_uris of {:?} must be absolute https URLs (http only on localhost), without fragment",
                c.client_id
            )));
        }
        if c.role_guilds.len() > MAX_ROLE_GUILDS {
            return Err(clients_error(format!(
                "role_guilds may list at most {MAX_ROLE_GUILDS} guilds"
            )));
        }
        let role_guilds = c
            .role_guilds
            .iter()
            .map(|g| validate::snowflake(g))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| clients_error("role_guilds must be guild ids"))?;
        clients.push(OidcClient {
            client_id: c.client_id,
            client_secret: ClientSecret::new(c.client_secret),
            redirect_uris: c.redirect_uris,
            guilds: c.guilds,
            role_guilds,
        });
    }
    Ok(clients)
}

/// A base64url member of a JWK, in canonical form (no padding); `None` when it is missing or
/// not base64url.
fn member(jwk: &serde_json::Value, name: &str) -> Option<(String, Vec<u8>)> {
    let text = jwk.get(name)?.as_str()?.trim_end_matches('=');
    let bytes = B64.decode(text).ok().filter(|b| !b.is_empty())?;
    Some((B64.encode(&bytes), bytes))
}

/// The RFC 7638 thumbprint of an RSA public key: base64url SHA-256 of the required members in
/// lexicographic order, without whitespace.
pub fn thumbprint(n: &str, e: &str) -> String {
    let canonical = format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#);
    B64.encode(Sha256::digest(canonical.as_bytes()))
}

/// Parses an RSA JWK; `private` requires the private members (all of them: WebCrypto imports
/// no key without the CRT parameters). `Err` carries the rule broken, without any value.
pub fn parse_jwk(text: &str, private: bool) -> Result<(PublicJwk, Option<String>), &'static str> {
    let jwk: serde_json::Value =
        serde_json::from_str(text.trim()).map_err(|_| "must be a JSON Web Key (JSON)")?;
    if jwk.get("kty").and_then(|k| k.as_str()) != Some("RSA") {
        return Err("must be an RSA key (kty RSA)");
    }
    if let Some(alg) = jwk.get("alg")
        && alg.as_str() != Some("RS256")
    {
        return Err("must be for RS256 (alg RS256, or no alg)");
    }
    let (n, n_bytes) = member(&jwk, "n").ok_or("has no valid n")?;
    let (e, _) = member(&jwk, "e").ok_or("has no valid e")?;
    // Leading zero octets do not count (RFC 7518 §6.3.1.1 forbids them; be lenient).
    let bits = n_bytes.iter().skip_while(|b| **b == 0).count() * 8;
    if !(2048..=8192).contains(&bits) {
        return Err("must have a modulus of 2048 to 8192 bits");
    }
    let public = PublicJwk {
        kid: thumbprint(&n, &e),
        n: n.clone(),
        e: e.clone(),
    };
    if !private {
        return Ok((public, None));
    }
    let mut out = serde_json::Map::new();
    out.insert("kty".into(), "RSA".into());
    out.insert("n".into(), n.into());
    out.insert("e".into(), e.into());
    for name in ["d", "p", "q", "dp", "dq", "qi"] {
        let (v, _) = member(&jwk, name).ok_or("is not a private key (d, p, q, dp, dq, qi)")?;
        out.insert(name.into(), v.into());
    }
    out.insert("alg".into(), "RS256".into());
    out.insert("ext".into(), false.into());
    let private_jwk = serde_json::Value::Object(out).to_string();
    Ok((public, Some(private_jwk)))
}

/// Reads the provider's settings through `get`: `None` when `OIDC_CLIENTS` is not set (the
/// provider is off), else the settings or the error naming the setting at fault.
pub fn parse(get: impl Fn(&str) -> Option<String>) -> Option<Result<Oidc, ConfigError>> {
    let opt = |name: &str| {
        get(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let clients = opt(CLIENTS_VAR)?;
    Some((|| {
        let clients = parse_clients(&clients)?;
        let key_text = opt(KEY_VAR).ok_or(ConfigError::Missing(KEY_VAR))?;
        let (public, private) = parse_jwk(&key_text, true)
            .map_err(|rule| ConfigError::invalid(KEY_VAR, format!("{KEY_VAR} {rule}")))?;
        let key = SigningKey {
            private_jwk: private.unwrap_or_default(),
            public,
        };
        let next = match opt(NEXT_KEY_VAR) {
            Some(text) => Some(
                parse_jwk(&text, false)
                    .map_err(|rule| {
                        ConfigError::invalid(NEXT_KEY_VAR, format!("{NEXT_KEY_VAR} {rule}"))
                    })?
                    .0,
            )
            .filter(|next| next.kid != key.public.kid),
            None => None,
        };
        let code_ttl_secs = match opt(CODE_TTL_VAR) {
            Some(v) => v
                .parse::<u64>()
                .ok()
                .filter(|t| (1..=MAX_CODE_TTL).contains(t))
                .ok_or_else(|| {
                    ConfigError::invalid(CODE_TTL_VAR, format!("{CODE_TTL_VAR} must be 1 to 60"))
                })?,
            None => MAX_CODE_TTL,
        };
        Ok(Oidc {
            clients,
            key,
            next,
            code_ttl_secs,
        })
    })())
}
