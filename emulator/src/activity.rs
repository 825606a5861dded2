//! `POST /_emulator/activity/authorize`: the code the Discord client hands an Activity.
//!
//! Inside Discord, an Activity (an app built on the Embedded App SDK) calls the SDK's
//! `authorize` command; the Discord client shows its own consent and gives the Activity a
//! `code` that was issued without any `redirect_uri` (there is no redirect: the code comes back
//! over the SDK's message channel). The Activity's server exchanges it at the token endpoint,
//! without a `redirect_uri` (RFC 6749 §4.1.3: the parameter is required at exchange exactly
//! when the authorization request carried one). This route stands in for that client.
//!
//! <https://discord.com/developers/docs/activities/how-activities-work> and
//! <https://discord.com/developers/docs/developer-tools/embedded-app-sdk#authorize>

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use crate::authorize::control_error;
use crate::consent;
use crate::errors::json_response;
use crate::state::{CODE_LIFETIME_SECS, Code, Shared};
use crate::util::{now_secs, random_token, read_body};

/// The request: `{client_id, scope, user_id?, code_challenge?, code_challenge_method?}`;
/// `scope` is a space-separated string or an array of scopes (the SDK takes an array).
struct ActivityAuthz {
    client_id: String,
    scopes: Vec<String>,
    user_id: Option<String>,
    challenge: Option<String>,
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn parse(v: &Value) -> Result<ActivityAuthz, Response> {
    let client_id = text(v, "client_id")
        .ok_or_else(|| control_error("invalid_request", "Missing \"client_id\""))?;
    let mut scopes: Vec<String> = Vec::new();
    let mut add = |s: &str| {
        if !s.is_empty() && !scopes.iter().any(|x| x == s) {
            scopes.push(s.to_owned());
        }
    };
    match v.get("scope") {
        Some(Value::String(s)) => s.split([' ', '+']).for_each(&mut add),
        Some(Value::Array(items)) => {
            for item in items {
                let Some(s) = item.as_str() else {
                    return Err(control_error(
                        "invalid_scope",
                        "\"scope\" holds a non-string",
                    ));
                };
                add(s);
            }
        }
        _ => {}
    }
    if scopes.is_empty() {
        return Err(control_error("invalid_scope", "Missing \"scope\""));
    }
    if let Some(bad) = scopes.iter().find(|s| consent::describe(s).is_none()) {
        return Err(control_error(
            "invalid_scope",
            &format!("Invalid scope: {bad}"),
        ));
    }
    let challenge = text(v, "code_challenge");
    if let Some(ch) = &challenge {
        // Only S256 (RFC 7636 §4.2), as at /oauth2/authorize.
        let valid = ch.len() == 43
            && ch
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if text(v, "code_challenge_method").as_deref() != Some("S256") || !valid {
            return Err(control_error(
                "invalid_request",
                "\"code_challenge\" must be an S256 challenge with code_challenge_method S256",
            ));
        }
    }
    Ok(ActivityAuthz {
        client_id,
        scopes,
        user_id: text(v, "user_id"),
        challenge,
    })
}

/// `POST /_emulator/activity/authorize` → `{"code": "…"}`: a code for the application and
/// user (default: the first fixture user), issued without a `redirect_uri`.
pub async fn activity_authorize(State(emu): State<Shared>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let bytes = match read_body(&parts.headers, body).await {
        Ok(b) => b,
        Err(resp) => return resp,
    };
    let v: Value = match serde_json::from_slice(&bytes) {
        Ok(v @ Value::Object(_)) => v,
        _ => return control_error("invalid_json", "Send a JSON object"),
    };
    let a = match parse(&v) {
        Ok(a) => a,
        Err(resp) => return resp,
    };
    let mut st = emu.lock();
    let Some(app) = st.app(&a.client_id).cloned() else {
        return control_error("unknown_application", "\"client_id\" names no application");
    };
    // Public clients cannot use role_connections.write (Developer Portal note on "Public Client").
    if app.public_client && a.scopes.iter().any(|s| s == "role_connections.write") {
        return control_error(
            "invalid_scope",
            "Public clients cannot request role_connections.write",
        );
    }
    let user = match a.user_id {
        Some(u) => u,
        None => st.users[0]["id"].as_str().unwrap_or_default().to_owned(),
    };
    if st.user(&user).is_none() {
        return control_error("unknown_user", "\"user_id\" names no fixture user");
    }
    // Forget codes long past their lifetime (replays are detected within it).
    let horizon = now_secs() - CODE_LIFETIME_SECS;
    st.codes.retain(|_, c| c.expires_at > horizon);
    let code = random_token(30);
    st.codes.insert(
        code.clone(),
        Code {
            app_id: app.id.clone(),
            user_id: user,
            scopes: a.scopes,
            redirect_uri: None,
            effective_redirect_uri: None,
            challenge: a.challenge,
            expires_at: now_secs() + CODE_LIFETIME_SECS,
            grant_id: None,
            guild_id: None,
            nonce: None,
            auth_time: now_secs(),
        },
    );
    st.counters.codes_issued += 1;
    st.counters.activity_codes_issued += 1;
    json_response(StatusCode::OK, &json!({ "code": code }))
}
