//! What the provider says about a user: the claims of the id_token and of userinfo, built from
//! the Discord user the session holds (and the guild and member reads), the id_token's JWT
//! form, the discovery document and the JWKS. Pure, natively tested.
//! <https://openid.net/specs/openid-connect-core-1_0.html#StandardClaims>

use super::settings::{Oidc, PublicJwk};
use crate::discord::cdn::{self, CdnOptions};
use crate::discord::snowflake::Snowflake;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The longest id_token life: 10 minutes (it cannot be recalled once issued).
pub const ID_TOKEN_TTL_SECS: u64 = 600;

/// The claims about the user (everything but `sub` and the token's own claims), in the order
/// they are written.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Profile {
    /// The Discord username.
    pub preferred_username: String,
    /// `global_name`, else the username.
    pub name: String,
    /// The avatar's URL (the default avatar when the user has none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub picture: Option<String>,
    /// With `email`: Discord's `email` (absent when the account has none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// With `email`: Discord's `verified`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
    /// With `guilds`, for a client allowed them: the ids of the user's guilds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guilds: Option<Vec<String>>,
    /// With `roles`: `roles:{guild_id}` → role ids, for each configured guild the user is a
    /// member of.
    #[serde(flatten)]
    pub roles: BTreeMap<String, Vec<String>>,
}

/// The user claims of a Discord user object (`GET /users/@me`); `None` without an `id`.
/// <https://discord.com/developers/docs/resources/user#user-object>
pub fn profile(user: &Value, with_email: bool) -> Option<(String, Profile)> {
    let id = user.get("id")?.as_str()?.to_owned();
    let username = user
        .get("username")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    // `global_name` is the display name; null when the user set none.
    let name = user
        .get("global_name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .map_or_else(|| username.clone(), str::to_owned);
    let picture = id.parse::<Snowflake>().ok().and_then(|sid| {
        match user.get("avatar").and_then(Value::as_str) {
            Some(hash) => cdn::user_avatar_url(sid, hash, &CdnOptions::default()).ok(),
            None => Some(cdn::default_avatar_url(
                sid,
                user.get("discriminator")
                    .and_then(Value::as_str)
                    .unwrap_or("0"),
            )),
        }
    });
    let (email, email_verified) = if with_email {
        (
            user.get("email").and_then(Value::as_str).map(str::to_owned),
            // Discord's `verified` is whether the email is verified.
            user.get("verified").and_then(Value::as_bool),
        )
    } else {
        (None, None)
    };
    Some((
        id,
        Profile {
            preferred_username: username,
            name,
            picture,
            email,
            email_verified,
            guilds: None,
            roles: BTreeMap::new(),
        },
    ))
}

/// The guild ids of a `GET /users/@me/guilds` answer (partial guild objects).
pub fn guild_ids(guilds: &Value) -> Vec<String> {
    guilds
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|g| g.get("id")?.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The role ids of a guild member object (`GET /users/@me/guilds/{id}/member`).
pub fn role_ids(member: &Value) -> Vec<String> {
    member
        .get("roles")
        .and_then(Value::as_array)
        .map(|roles| {
            roles
                .iter()
                .filter_map(|r| r.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The claim name of a guild's roles.
pub fn roles_claim(guild: Snowflake) -> String {
    format!("roles:{guild}")
}

/// The userinfo body: `sub` first, then the profile.
#[derive(Serialize)]
pub struct UserInfo<'a> {
    /// The Discord user id.
    pub sub: &'a str,
    /// The rest.
    #[serde(flatten)]
    pub profile: &'a Profile,
}

/// The id_token's claims.
#[derive(Serialize)]
pub struct IdClaims<'a> {
    /// This Worker's origin.
    pub iss: &'a str,
    /// The Discord user id.
    pub sub: &'a str,
    /// The client id.
    pub aud: &'a str,
    /// Expiry, seconds since the epoch (≤ iat + [`ID_TOKEN_TTL_SECS`]).
    pub exp: u64,
    /// Issued at, seconds.
    pub iat: u64,
    /// When the user signed in with Discord (the session's start), seconds.
    pub auth_time: u64,
    /// The authorization request's nonce.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nonce: Option<&'a str>,
    /// The user claims.
    #[serde(flatten)]
    pub profile: &'a Profile,
}

/// The JWS signing input of an RS256 id_token: `base64url(header).base64url(claims)`.
pub fn signing_input(kid: &str, claims: &IdClaims<'_>) -> String {
    let header = json!({"alg": "RS256", "typ": "JWT", "kid": kid});
    let payload = serde_json::to_vec(claims).unwrap_or_default();
    format!(
        "{}.{}",
        B64.encode(header.to_string().as_bytes()),
        B64.encode(payload)
    )
}

/// The compact JWS: the signing input and the base64url signature.
pub fn compact(input: &str, signature: &[u8]) -> String {
    format!("{input}.{}", B64.encode(signature))
}

/// The scopes the provider knows.
pub const SCOPES: [&str; 5] = ["openid", "profile", "email", "guilds", "roles"];

/// The discovery document (OpenID Connect Discovery 1.0 §3) for the issuer `issuer` (this
/// Worker's origin, no trailing slash).
pub fn discovery(issuer: &str) -> Value {
    json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/oidc/authorize"),
        "token_endpoint": format!("{issuer}/oidc/token"),
        "userinfo_endpoint": format!("{issuer}/oidc/userinfo"),
        "jwks_uri": format!("{issuer}/oidc/jwks.json"),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "authorization_response_iss_parameter_supported": true,
        "claims_parameter_supported": false,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        "prompt_values_supported": ["none", "login", "consent"],
        "scopes_supported": SCOPES,
        "claims_supported": [
            "iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "preferred_username",
            "name", "picture", "email", "email_verified", "guilds", "roles:{guild_id}"
        ],
    })
}

fn jwk(key: &PublicJwk) -> Value {
    json!({"kty": "RSA", "use": "sig", "alg": "RS256", "kid": key.kid, "n": key.n, "e": key.e})
}

/// The JWKS: the signing key, then `OIDC_SIGNING_KEY_NEXT` when set.
pub fn jwks(oidc: &Oidc) -> Value {
    let mut keys = vec![jwk(&oidc.key.public)];
    if let Some(next) = &oidc.next {
        keys.push(jwk(next));
    }
    json!({ "keys": keys })
}
