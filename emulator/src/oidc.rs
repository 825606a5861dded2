//! Discord's OpenID Connect: the RS256 `id_token` of the token response (with the `openid`
//! scope), the signing keys (`GET /api/oauth2/keys`), userinfo (`GET /api/oauth2/userinfo`),
//! the discovery document (`GET /.well-known/openid-configuration`) and the `iss` parameter of
//! the authorization response (RFC 9207).
//!
//! The issuer is the emulator's own origin (`http://<Host>`), as `https://discord.com` is
//! Discord's. The signing keys are three fixed **test-only** RSA keys committed in
//! `src/oidc_keys/` (generated with `openssl genpkey -algorithm RSA`; never use them for
//! anything else): the first is published and signs, `POST /_emulator/oidc/rotate` publishes
//! the second and signs with it (to test a relying party's refetch on an unknown `kid`), and the
//! third is never published (forgeries). `POST /_emulator/oidc/tamper` makes the next issued
//! id_token a bad one (expired, wrong audience, `alg: none`, …) so that relying parties can be
//! tested end to end.
//!
//! <https://discord.com/developers/docs/topics/oauth2#authorization-code-grant>

use std::sync::OnceLock;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use axum::routing::post;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rsa::RsaPrivateKey;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{SignatureEncoding, Signer};
use rsa::traits::PublicKeyParts;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::authorize::control_error;
use crate::errors::{self, json_response};
use crate::state::{Grant, Shared};
use crate::util::{now_secs, read_body};

/// Lifetime of an issued id_token (seconds).
pub const ID_TOKEN_LIFETIME_SECS: u64 = 3600;

/// The committed test keys (PKCS#8 PEM). Test-only: see the module documentation.
const PEMS: [&str; 3] = [
    include_str!("oidc_keys/key1.pem"),
    include_str!("oidc_keys/key2.pem"),
    include_str!("oidc_keys/key3.pem"),
];

/// Index of the key that is never published (forged and unknown-`kid` tokens).
const UNPUBLISHED: usize = 2;

/// One signing key and its public JWK.
pub struct OidcKey {
    /// RFC 7638 thumbprint of the public key.
    pub kid: String,
    key: RsaPrivateKey,
    /// The public JWK (`kty`, `use`, `alg`, `kid`, `n`, `e`).
    pub jwk: Value,
}

/// The parsed test keys (parsed once; a key that fails to parse is left out).
pub fn keys() -> &'static [OidcKey] {
    static KEYS: OnceLock<Vec<OidcKey>> = OnceLock::new();
    KEYS.get_or_init(|| {
        PEMS.iter()
            .filter_map(|pem| RsaPrivateKey::from_pkcs8_pem(pem).ok())
            .map(|key| {
                let n = URL_SAFE_NO_PAD.encode(key.n().to_bytes_be());
                let e = URL_SAFE_NO_PAD.encode(key.e().to_bytes_be());
                // RFC 7638 §3.2: the required members in lexicographic order, no whitespace.
                let canonical = format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#);
                let kid = URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()));
                let jwk =
                    json!({"kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid, "n": n, "e": e});
                OidcKey { kid, key, jwk }
            })
            .collect()
    })
}

/// Which keys are published and which one signs.
#[derive(Debug, Clone)]
pub struct OidcState {
    /// Indexes into [`keys`] served at the JWKS endpoint.
    pub published: Vec<usize>,
    /// Index of the signing key.
    pub signing: usize,
    /// Tampering to apply to the next id_tokens, in order.
    pub tamper: Vec<Tamper>,
}

impl Default for OidcState {
    fn default() -> Self {
        OidcState {
            published: vec![0],
            signing: 0,
            tamper: Vec::new(),
        }
    }
}

/// A bad id_token for testing relying parties (`POST /_emulator/oidc/tamper`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tamper {
    /// Signed by the unpublished key but naming the signing key's `kid`.
    Forged,
    /// Signed by the unpublished key, with its own `kid`.
    UnknownKid,
    /// `exp` an hour ago.
    Expired,
    /// `iat` an hour ahead.
    IatFuture,
    /// `aud` another client id.
    WrongAud,
    /// `iss` another issuer.
    WrongIss,
    /// `alg: none` and an empty signature.
    AlgNone,
    /// `alg: HS256`, MACed with the public modulus (the algorithm-confusion attack).
    Hs256,
    /// A `nonce` other than the one sent.
    WrongNonce,
    /// No `nonce` claim.
    NoNonce,
    /// An `at_hash` that does not match the access token.
    BadAtHash,
}

impl Tamper {
    const NAMES: [(&'static str, Tamper); 11] = [
        ("forged", Tamper::Forged),
        ("unknown_kid", Tamper::UnknownKid),
        ("expired", Tamper::Expired),
        ("iat_future", Tamper::IatFuture),
        ("wrong_aud", Tamper::WrongAud),
        ("wrong_iss", Tamper::WrongIss),
        ("alg_none", Tamper::AlgNone),
        ("hs256", Tamper::Hs256),
        ("wrong_nonce", Tamper::WrongNonce),
        ("no_nonce", Tamper::NoNonce),
        ("bad_at_hash", Tamper::BadAtHash),
    ];

    fn parse(s: &str) -> Option<Tamper> {
        Self::NAMES.iter().find(|(n, _)| *n == s).map(|(_, t)| *t)
    }
}

/// The emulator's issuer: the origin the request was sent to.
pub fn issuer(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}

/// What an id_token says about one authorization.
pub struct IdTokenInput<'a> {
    /// The issuer (the emulator's origin).
    pub issuer: &'a str,
    /// The grant made from the code.
    pub grant: &'a Grant,
    /// The user object (for `email`).
    pub user: Option<&'a Value>,
    /// The `nonce` of the authorization request.
    pub nonce: Option<&'a str>,
    /// When the user authorized (Unix seconds).
    pub auth_time: f64,
}

fn b64(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(v.to_string().as_bytes())
}

/// HMAC-SHA-256 (RFC 2104), for the HS256 tamper only.
fn hmac_sha256(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let inner: Vec<u8> = k.iter().map(|b| b ^ 0x36).collect();
    let outer: Vec<u8> = k.iter().map(|b| b ^ 0x5c).collect();
    let ih = Sha256::new()
        .chain_update(&inner)
        .chain_update(msg)
        .finalize();
    Sha256::new()
        .chain_update(&outer)
        .chain_update(ih)
        .finalize()
        .to_vec()
}

/// Signs an id_token for `input` with the current key, applying `tamper`. `None` when the
/// keys could not be loaded.
pub fn id_token(
    st: &OidcState,
    input: &IdTokenInput<'_>,
    tamper: Option<Tamper>,
) -> Option<String> {
    let keys = keys();
    let signing = keys.get(st.signing)?;
    let now = now_secs().floor() as u64;
    let g = input.grant;
    // at_hash: the left half of SHA-256 of the access token (OIDC Core §3.1.3.6).
    let digest = Sha256::digest(g.access_token.as_bytes());
    let mut at_hash = URL_SAFE_NO_PAD.encode(&digest[..16]);
    let mut claims = Map::new();
    claims.insert("iss".into(), json!(input.issuer));
    claims.insert("sub".into(), json!(g.user_id));
    claims.insert("aud".into(), json!(g.app_id));
    let (mut iat, mut exp) = (now, now + ID_TOKEN_LIFETIME_SECS);
    match tamper {
        Some(Tamper::Expired) => (iat, exp) = (now - 7200, now - 3600),
        Some(Tamper::IatFuture) => (iat, exp) = (now + 3600, now + 7200),
        Some(Tamper::WrongAud) => {
            claims.insert("aud".into(), json!("1100000000000000999"));
        }
        Some(Tamper::WrongIss) => {
            claims.insert("iss".into(), json!("https://issuer.invalid"));
        }
        Some(Tamper::BadAtHash) => at_hash = URL_SAFE_NO_PAD.encode([0u8; 16]),
        _ => {}
    }
    claims.insert("iat".into(), json!(iat));
    claims.insert("exp".into(), json!(exp));
    claims.insert("auth_time".into(), json!(input.auth_time.floor() as u64));
    claims.insert("at_hash".into(), json!(at_hash));
    match (tamper, input.nonce) {
        (Some(Tamper::NoNonce), _) => {}
        (Some(Tamper::WrongNonce), _) => {
            claims.insert("nonce".into(), json!("not-the-nonce-that-was-sent"));
        }
        (_, Some(n)) => {
            claims.insert("nonce".into(), json!(n));
        }
        (_, None) => {}
    }
    if g.has("email")
        && let Some(u) = input.user
    {
        claims.insert("email".into(), u["email"].clone());
        claims.insert(
            "email_verified".into(),
            json!(u["verified"].as_bool().unwrap_or(false)),
        );
    }
    let payload = b64(&Value::Object(claims));
    let (alg, kid, key) = match tamper {
        Some(Tamper::AlgNone) => ("none", signing.kid.as_str(), None),
        Some(Tamper::Hs256) => ("HS256", signing.kid.as_str(), None),
        Some(Tamper::Forged) => (
            "RS256",
            signing.kid.as_str(),
            Some(&keys.get(UNPUBLISHED)?.key),
        ),
        Some(Tamper::UnknownKid) => {
            let k = keys.get(UNPUBLISHED)?;
            ("RS256", k.kid.as_str(), Some(&k.key))
        }
        _ => ("RS256", signing.kid.as_str(), Some(&signing.key)),
    };
    let header = b64(&json!({"alg": alg, "typ": "JWT", "kid": kid}));
    let input = format!("{header}.{payload}");
    let signature = match (alg, key) {
        ("none", _) => Vec::new(),
        ("HS256", _) => hmac_sha256(&signing.key.n().to_bytes_be(), input.as_bytes()),
        (_, Some(k)) => SigningKey::<Sha256>::new(k.clone())
            .sign(input.as_bytes())
            .to_vec(),
        _ => return None,
    };
    Some(format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature)))
}

/// `GET /api/v10/oauth2/keys`: the published public keys (JWKS, RFC 7517).
pub async fn jwks(State(emu): State<Shared>) -> Response {
    let published = emu.lock().oidc.published.clone();
    let keys: Vec<Value> = published
        .iter()
        .filter_map(|i| keys().get(*i).map(|k| k.jwk.clone()))
        .collect();
    json_response(StatusCode::OK, &json!({ "keys": keys }))
}

/// `GET /api/v10/oauth2/userinfo` (Bearer, `openid` scope): `sub` and the profile claims;
/// `email` and `email_verified` with the `email` scope.
pub async fn userinfo(State(emu): State<Shared>, headers: HeaderMap) -> Response {
    let st = emu.lock();
    let g = match crate::api::bearer(&st, &headers) {
        Ok(g) => g,
        Err(resp) => return resp,
    };
    if !g.has("openid") {
        return errors::missing_access();
    }
    let Some(u) = st.user(&g.user_id) else {
        return errors::unknown_user();
    };
    let picture = u["avatar"]
        .as_str()
        .map(|h| format!("{}/cdn/avatars/{}/{h}.png", issuer(&headers), g.user_id));
    let mut body = Map::new();
    body.insert("sub".into(), json!(g.user_id));
    body.insert("preferred_username".into(), u["username"].clone());
    body.insert(
        "nickname".into(),
        u.get("global_name").cloned().unwrap_or(Value::Null),
    );
    body.insert("picture".into(), json!(picture));
    body.insert(
        "locale".into(),
        u.get("locale").cloned().unwrap_or(Value::Null),
    );
    if g.has("email") {
        body.insert("email".into(), u["email"].clone());
        body.insert(
            "email_verified".into(),
            json!(u["verified"].as_bool().unwrap_or(false)),
        );
    }
    json_response(StatusCode::OK, &Value::Object(body))
}

/// `GET /.well-known/openid-configuration`: the discovery document; its issuer is the
/// emulator's origin.
pub async fn discovery(headers: HeaderMap) -> Response {
    let iss = issuer(&headers);
    json_response(
        StatusCode::OK,
        &json!({
            "issuer": iss,
            "authorization_endpoint": format!("{iss}/oauth2/authorize"),
            "token_endpoint": format!("{iss}/api/oauth2/token"),
            "revocation_endpoint": format!("{iss}/api/oauth2/token/revoke"),
            "userinfo_endpoint": format!("{iss}/api/oauth2/userinfo"),
            "jwks_uri": format!("{iss}/api/oauth2/keys"),
            "response_types_supported": ["code", "token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "identify", "email", "guilds"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["iss", "sub", "aud", "exp", "iat", "auth_time", "at_hash", "nonce", "email", "email_verified"],
            "authorization_response_iss_parameter_supported": true
        }),
    )
}

/// The control routes: `POST /_emulator/oidc/rotate` and `POST /_emulator/oidc/tamper`.
pub fn control_routes() -> Router<Shared> {
    Router::new()
        .route("/_emulator/oidc/rotate", post(rotate))
        .route("/_emulator/oidc/tamper", post(tamper))
}

/// `POST /_emulator/oidc/rotate`: publishes the second key beside the first and signs with it
/// from now on → `{"kid": <signing kid>, "published": [kids]}`.
async fn rotate(State(emu): State<Shared>) -> Response {
    let mut st = emu.lock();
    if !st.oidc.published.contains(&1) {
        st.oidc.published.push(1);
    }
    st.oidc.signing = 1;
    let kid = keys().get(1).map(|k| k.kid.clone());
    let published: Vec<String> = st
        .oidc
        .published
        .iter()
        .filter_map(|i| keys().get(*i).map(|k| k.kid.clone()))
        .collect();
    json_response(
        StatusCode::OK,
        &json!({ "kid": kid, "published": published }),
    )
}

/// `POST /_emulator/oidc/tamper` `{"kind": K, "count"?: n}`: the next `n` (default 1)
/// id_tokens are bad in the way `K` names (`forged`, `unknown_kid`, `expired`, `iat_future`,
/// `wrong_aud`, `wrong_iss`, `alg_none`, `hs256`, `wrong_nonce`, `no_nonce`, `bad_at_hash`).
async fn tamper(State(emu): State<Shared>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let bytes = match read_body(&parts.headers, body).await {
        Ok(b) => b,
        Err(resp) => return resp,
    };
    let v: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    let Some(kind) = v["kind"].as_str().and_then(Tamper::parse) else {
        let names: Vec<&str> = Tamper::NAMES.iter().map(|(n, _)| *n).collect();
        return control_error(
            "invalid_request",
            &format!("\"kind\" must be one of {}", names.join(", ")),
        );
    };
    let count = v["count"].as_u64().unwrap_or(1).clamp(1, 100);
    let mut st = emu.lock();
    for _ in 0..count {
        st.oidc.tamper.push(kind);
    }
    json_response(StatusCode::OK, &json!({ "queued": st.oidc.tamper.len() }))
}
