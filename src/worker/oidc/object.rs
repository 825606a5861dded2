//! Authorization codes and access tokens in Durable Objects: one object per grant, named
//! `oidc:<grant id>` (a random id that starts both the code and the access token,
//! `<grant id>.<secret>`). The object keeps the grant sealed (its session and what the client
//! asked for), the SHA-256 of the code's secret and, once redeemed, of the access token's:
//! never a code or token itself. Redeeming is one object call, so a code is used once
//! whatever the number of isolates; a second redemption deletes the access token issued from
//! the first (RFC 6749 §4.1.2: "SHOULD revoke … all tokens previously issued based on that
//! authorization code"). The session object's alarm deletes the grant when it expires.

use crate::discord::state::constant_time_eq;
use crate::worker::objects::{Answer, EXPIRES, call};
use crate::worker::respond::ApiError;
use crate::worker::store::storage_error;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use worker::durable::ObjectNamespace;
use worker::{Method, State};

/// The storage key of the grant's record (one record: one read and one write per operation).
const RECORD: &str = "oidc";

/// What a grant's object keeps.
#[derive(Serialize, Deserialize)]
struct Record {
    /// SHA-256 (hex) of the code's secret.
    code: String,
    /// When the code expires, ms.
    code_expires: u64,
    /// The sealed grant.
    grant: String,
    /// Whether the code was redeemed.
    #[serde(default)]
    used: bool,
    /// SHA-256 (hex) of the access token's secret, once redeemed (gone once revoked).
    #[serde(default)]
    token: Option<String>,
    /// When the access token expires, ms.
    #[serde(default)]
    token_expires: u64,
}

/// The object name of a grant id.
pub fn object_name(grant_id: &str) -> String {
    ["oidc:", grant_id].concat()
}

/// Lowercase hex SHA-256 of a secret: what the object keeps instead of it.
pub fn digest(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A code's or an access token's grant id and secret (`<id>.<secret>`).
pub fn split(value: &str) -> Option<(&str, &str)> {
    let (id, secret) = value.split_once('.')?;
    let ok = |s: &str, len: usize| {
        s.len() == len
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    (ok(id, 22) && ok(secret, 43)).then_some((id, secret))
}

#[derive(Serialize, Deserialize)]
struct Put {
    code: String,
    grant: String,
    code_expires: u64,
}

#[derive(Serialize, Deserialize)]
struct Redeem {
    code: String,
    token: String,
    token_expires: u64,
}

#[derive(Serialize, Deserialize)]
struct Lookup {
    token: String,
}

/// What a redemption found.
#[derive(Debug, PartialEq, Eq)]
pub enum Redeemed {
    /// The code was good and is now used: the sealed grant.
    Grant(String),
    /// The code had been used before; the access token issued from it is now revoked.
    Reused,
    /// No such code, or it expired.
    Unknown,
}

fn object(ns: &ObjectNamespace, grant_id: &str) -> (ObjectNamespace, String) {
    (ns.clone(), object_name(grant_id))
}

/// Stores a new grant under its code's digest, until `code_expires` (ms).
pub async fn put(
    ns: &ObjectNamespace,
    grant_id: &str,
    code_digest: String,
    sealed: String,
    code_expires: u64,
) -> Result<(), ApiError> {
    let (ns, name) = object(ns, grant_id);
    let body = serde_json::to_string(&Put {
        code: code_digest,
        grant: sealed,
        code_expires,
    })
    .map_err(|_| storage_error("write"))?;
    match call(&ns, &name, Method::Put, "/oidc/grant", Some(body))
        .await?
        .status
    {
        204 => Ok(()),
        _ => Err(storage_error("write")),
    }
}

/// Uses a code once: binds the access token's digest to the grant.
pub async fn redeem(
    ns: &ObjectNamespace,
    grant_id: &str,
    code_digest: String,
    token_digest: String,
    token_expires: u64,
) -> Result<Redeemed, ApiError> {
    let (ns, name) = object(ns, grant_id);
    let body = serde_json::to_string(&Redeem {
        code: code_digest,
        token: token_digest,
        token_expires,
    })
    .map_err(|_| storage_error("write"))?;
    let answer = call(&ns, &name, Method::Post, "/oidc/redeem", Some(body)).await?;
    match answer.status {
        200 => Ok(Redeemed::Grant(answer.body)),
        409 => Ok(Redeemed::Reused),
        404 => Ok(Redeemed::Unknown),
        _ => Err(storage_error("redeem the code")),
    }
}

/// The sealed grant of a live access token.
pub async fn lookup(
    ns: &ObjectNamespace,
    grant_id: &str,
    token_digest: String,
) -> Result<Option<String>, ApiError> {
    let (ns, name) = object(ns, grant_id);
    let body = serde_json::to_string(&Lookup {
        token: token_digest,
    })
    .map_err(|_| storage_error("read"))?;
    let answer = call(&ns, &name, Method::Post, "/oidc/token", Some(body)).await?;
    match answer.status {
        200 => Ok(Some(answer.body)),
        404 => Ok(None),
        _ => Err(storage_error("read")),
    }
}

/// The object's side: the `/oidc/…` internal paths of
/// [`DiscordSessionStore`](crate::worker::DiscordSessionStore). Every operation is one turn of
/// the object, without any I/O but its own storage, so none interleaves with another.
pub(crate) async fn serve(
    state: &State,
    method: Method,
    path: &str,
    body: String,
    now: u64,
) -> worker::Result<Answer> {
    let storage = state.storage();
    Ok(match (method, path) {
        (Method::Put, "/oidc/grant") => {
            let put: Put = serde_json::from_str(&body)?;
            let record = Record {
                code: put.code,
                code_expires: put.code_expires,
                grant: put.grant,
                used: false,
                token: None,
                token_expires: 0,
            };
            storage.put(RECORD, record).await?;
            storage.put(EXPIRES, put.code_expires).await?;
            storage.set_alarm(put.code_expires as i64).await?;
            Answer::status(204)
        }
        (Method::Post, "/oidc/redeem") => {
            let ask: Redeem = serde_json::from_str(&body)?;
            let Some(mut record) = storage.get::<Record>(RECORD).await? else {
                return Ok(Answer::status(404));
            };
            if !constant_time_eq(record.code.as_bytes(), ask.code.as_bytes()) {
                return Ok(Answer::status(404));
            }
            if record.used {
                // The second use: what the first issued is revoked.
                record.token = None;
                storage.put(RECORD, record).await?;
                return Ok(Answer::status(409));
            }
            if record.code_expires <= now {
                storage.delete_all().await?;
                return Ok(Answer::status(404));
            }
            record.used = true;
            record.token = Some(ask.token);
            record.token_expires = ask.token_expires;
            let grant = record.grant.clone();
            storage.put(RECORD, record).await?;
            // The alarm set for the code's expiry finds this later expiry and waits for it.
            storage.put(EXPIRES, ask.token_expires).await?;
            Answer::new(200, grant)
        }
        (Method::Post, "/oidc/token") => {
            let ask: Lookup = serde_json::from_str(&body)?;
            match storage.get::<Record>(RECORD).await? {
                Some(Record {
                    token: Some(t),
                    token_expires,
                    grant,
                    ..
                }) if token_expires > now
                    && constant_time_eq(t.as_bytes(), ask.token.as_bytes()) =>
                {
                    Answer::new(200, grant)
                }
                _ => Answer::status(404),
            }
        }
        _ => Answer::status(404),
    })
}
