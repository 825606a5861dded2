//! `POST /api/v10/oauth2/token` and `POST /api/v10/oauth2/token/revoke`.
//!
//! <https://discord.com/developers/docs/topics/oauth2#authorization-code-grant-access-token-exchange-example>

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::errors::{self, invalid_client, invalid_grant, invalid_request, json_response};
use crate::fixtures::AppFixture;
use crate::state::{Grant, GrantKind, Shared, State as EmuState};
use crate::util::{Params, content_type_is, now_secs, read_body};

/// How the client authenticated.
#[derive(Debug, PartialEq, Eq)]
enum ClientAuth {
    /// HTTP Basic.
    Basic,
    /// `client_secret` in the body.
    Body,
    /// No secret at all (public clients only).
    None,
}

/// Reads the form body. Discord accepts only `application/x-www-form-urlencoded` on the token
/// endpoints ("JSON content is not permitted and will return an error"); what it answers to
/// JSON is `400 {"error": "unsupported_grant_type", ...}`, because it finds no `grant_type`
/// (discord-api-docs issue #5249), so the emulator does the same.
async fn read_form(
    req: Request,
    not_form: fn() -> Response,
) -> Result<(HeaderMap, Params), Response> {
    let (parts, body) = req.into_parts();
    let bytes = read_body(&parts.headers, body).await?;
    if !content_type_is(&parts.headers, "application/x-www-form-urlencoded") {
        return Err(not_form());
    }
    if std::str::from_utf8(&bytes).is_err() {
        return Err(invalid_request("The request body is not valid UTF-8"));
    }
    let params = Params::parse(&bytes);
    if let Some(k) = params.repeated() {
        // RFC 6749 §3.2: "Request and response parameters MUST NOT be included more than once."
        return Err(invalid_request(&format!("Repeated parameter \"{k}\"")));
    }
    Ok((parts.headers, params))
}

/// Decodes `Authorization: Basic base64(client_id:client_secret)` (each part form-encoded,
/// RFC 6749 §2.3.1). `Err` for a malformed header.
fn basic_credentials(headers: &HeaderMap) -> Result<Option<(String, String)>, ()> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| ())?;
    let (scheme, rest) = value.trim().split_once(' ').ok_or(())?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(());
    }
    let decoded = STANDARD.decode(rest.trim()).map_err(|_| ())?;
    let text = String::from_utf8(decoded).map_err(|_| ())?;
    let (id, secret) = text.split_once(':').ok_or(())?;
    let unescape = |s: &str| {
        form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    Ok(Some((unescape(id), unescape(secret))))
}

/// Authenticates the client by Basic or body credentials. Public clients may send only
/// `client_id`. Anything wrong answers `401 {"error": "invalid_client"}`.
fn authenticate(
    st: &EmuState,
    headers: &HeaderMap,
    p: &Params,
) -> Result<(AppFixture, ClientAuth), Response> {
    let basic = basic_credentials(headers).map_err(|_| invalid_client())?;
    let body_id = p.non_empty("client_id");
    let (id, secret, how) = match (&basic, body_id) {
        (Some((id, _)), Some(b)) if id != b => return Err(invalid_client()),
        (Some((id, secret)), _) => (id.as_str(), Some(secret.as_str()), ClientAuth::Basic),
        (None, Some(id)) => match p.non_empty("client_secret") {
            Some(s) => (id, Some(s), ClientAuth::Body),
            None => (id, None, ClientAuth::None),
        },
        (None, None) => return Err(invalid_client()),
    };
    let app = st.app(id).ok_or_else(invalid_client)?;
    match (&app.secret, secret) {
        (Some(expected), Some(given)) if expected == given => Ok((app.clone(), how)),
        (None, None) if app.public_client => Ok((app.clone(), how)),
        (None, Some("")) if app.public_client => Ok((app.clone(), ClientAuth::None)),
        _ => Err(invalid_client()),
    }
}

/// The token response: `{access_token, token_type, expires_in, refresh_token, scope}` plus
/// `guild` for the bot scope and `webhook` for `webhook.incoming`.
fn token_body(g: &Grant) -> Map<String, Value> {
    let mut body = Map::new();
    body.insert("token_type".into(), json!("Bearer"));
    body.insert("access_token".into(), json!(g.access_token));
    body.insert(
        "expires_in".into(),
        json!(((g.expires_at - now_secs()).round().max(0.0)) as u64),
    );
    if let Some(r) = &g.refresh_token {
        body.insert("refresh_token".into(), json!(r));
    }
    body.insert("scope".into(), json!(g.scope_string()));
    body
}

/// `POST /api/v10/oauth2/token`.
pub async fn token(State(emu): State<Shared>, req: Request) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_owned();
    let not_form = || {
        errors::oauth(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            Some("Grant type None is not supported"),
        )
    };
    let (headers, p) = match read_form(req, not_form).await {
        Ok(x) => x,
        Err(resp) => return resp,
    };
    let grant_type = p.get("grant_type").unwrap_or("");
    if !matches!(
        grant_type,
        "authorization_code" | "refresh_token" | "client_credentials"
    ) {
        let shown = if grant_type.is_empty() {
            "None".to_owned()
        } else {
            grant_type.to_owned()
        };
        return errors::oauth(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            Some(&format!("Grant type {shown} is not supported")),
        );
    }
    let mut st = emu.lock();
    let (app, how) = match authenticate(&st, &headers, &p) {
        Ok(x) => x,
        Err(resp) => return resp,
    };
    let result = match grant_type {
        "authorization_code" => exchange_code(&mut st, &app, how, &p, &host),
        "refresh_token" => refresh(&mut st, &app, &p),
        _ => client_credentials(&mut st, &app, how, &p),
    };
    match result {
        Ok(body) => json_response(StatusCode::OK, &Value::Object(body)),
        Err(resp) => resp,
    }
}

fn exchange_code(
    st: &mut EmuState,
    app: &AppFixture,
    how: ClientAuth,
    p: &Params,
    host: &str,
) -> Result<Map<String, Value>, Response> {
    let Some(code_value) = p.non_empty("code") else {
        return Err(invalid_request("Missing \"code\" in request."));
    };
    let invalid_code = || invalid_grant("Invalid \"code\" in request.");
    let Some(code) = st.codes.get(code_value).cloned() else {
        return Err(invalid_code());
    };
    if code.app_id != app.id {
        return Err(invalid_code());
    }
    if let Some(grant_id) = code.grant_id {
        // A replayed code: refuse it and revoke what was granted from it
        // (RFC 6749 §4.1.2: "the authorization server SHOULD revoke ... all tokens
        // previously issued based on that authorization code").
        if st.revoke(grant_id) {
            st.counters.revocations += 1;
        }
        return Err(invalid_code());
    }
    if code.expires_at <= now_secs() {
        st.codes.remove(code_value);
        return Err(invalid_code());
    }
    // RFC 6749 §4.1.3: redirect_uri is "REQUIRED, if the redirect_uri parameter was included
    // in the authorization request", and then identical to it. A code issued with one (a web
    // login) exchanged without it is refused; so is an Activity's code (issued with no redirect
    // at all, docs/contract.md §8) exchanged with one. A web code issued to the default redirect URI
    // may name that URI at exchange.
    let given_redirect = p.non_empty("redirect_uri");
    let redirect_ok = match (&code.redirect_uri, given_redirect) {
        (Some(expected), Some(given)) => expected == given,
        (Some(_), None) => false,
        (None, Some(given)) => code.effective_redirect_uri.as_deref() == Some(given),
        (None, None) => true,
    };
    if !redirect_ok {
        return Err(invalid_grant("Invalid \"redirect_uri\" in request."));
    }
    let verifier = p.get("code_verifier");
    if let Some(v) = verifier {
        // RFC 7636 §4.1: 43–128 characters of [A-Z a-z 0-9 - . _ ~].
        let valid = (43..=128).contains(&v.len())
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
        if !valid {
            return Err(invalid_request("Invalid \"code_verifier\""));
        }
    }
    match (&code.challenge, verifier) {
        (Some(_), None) => return Err(invalid_request("Missing \"code_verifier\"")),
        (Some(challenge), Some(v)) => {
            let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(v.as_bytes()));
            if &computed != challenge {
                return Err(invalid_grant("Invalid \"code_verifier\""));
            }
        }
        // A verifier for a code issued without a challenge (a downgrade attempt).
        (None, Some(_)) => return Err(invalid_grant("Invalid \"code_verifier\"")),
        (None, None) if how == ClientAuth::None => {
            // Public clients must prove possession with PKCE.
            return Err(invalid_client());
        }
        (None, None) => {}
    }
    let grant = st.create_grant(
        &app.id,
        &code.user_id,
        code.scopes.clone(),
        GrantKind::AuthorizationCode,
    );
    if let Some(c) = st.codes.get_mut(code_value) {
        c.grant_id = Some(grant.id);
    }
    if given_redirect.is_none() {
        st.counters.exchanges_without_redirect_uri += 1;
    }
    let mut body = token_body(&grant);
    if grant.has("openid") {
        // With `openid`, the token response carries an RS256 id_token (docs/oidc.md).
        let tamper = (!st.oidc.tamper.is_empty()).then(|| st.oidc.tamper.remove(0));
        let input = crate::oidc::IdTokenInput {
            issuer: &format!("http://{host}"),
            grant: &grant,
            user: st.user(&code.user_id),
            nonce: code.nonce.as_deref(),
            auth_time: code.auth_time,
        };
        if let Some(t) = crate::oidc::id_token(&st.oidc, &input, tamper) {
            body.insert("id_token".into(), json!(t));
        }
    }
    if let Some(gid) = &code.guild_id {
        if grant.has("bot")
            && let Some(guild) = st.guild(gid)
        {
            body.insert("guild".into(), partial_guild(guild));
        }
        if grant.has("webhook.incoming") {
            body.insert("webhook".into(), make_webhook(st, app, gid, host));
        }
    }
    Ok(body)
}

/// The guild object of the extended bot authorization response.
/// <https://discord.com/developers/docs/topics/oauth2#advanced-bot-authorization-extended-bot-authorization-access-token-example>
fn partial_guild(g: &Value) -> Value {
    let id = g["id"].clone();
    json!({
        "id": id, "name": g["name"], "icon": g.get("icon").cloned().unwrap_or(Value::Null),
        "description": null, "splash": null, "discovery_splash": null,
        "banner": g.get("banner").cloned().unwrap_or(Value::Null),
        "owner_id": g["owner_id"], "application_id": null, "region": "us-east",
        "afk_channel_id": null, "afk_timeout": 300,
        "system_channel_id": g.get("system_channel_id").cloned().unwrap_or(Value::Null),
        "widget_enabled": false, "widget_channel_id": null, "verification_level": 0,
        "roles": [{
            "id": id, "name": "@everyone", "color": 0, "hoist": false, "icon": null,
            "unicode_emoji": null, "position": 0, "permissions": "104324673",
            "managed": false, "mentionable": false, "flags": 0
        }],
        "default_message_notifications": 1, "mfa_level": 0, "explicit_content_filter": 0,
        "max_presences": null, "max_members": 500000, "max_video_channel_users": 25,
        "vanity_url_code": null, "premium_tier": 0, "premium_subscription_count": 0,
        "system_channel_flags": 0, "preferred_locale": "en-US", "rules_channel_id": null,
        "public_updates_channel_id": null, "emojis": [], "stickers": [],
        "features": g.get("features").cloned().unwrap_or_else(|| json!([])),
        "nsfw_level": 0, "premium_progress_bar_enabled": false
    })
}

/// A new incoming webhook in the guild's system channel.
/// <https://discord.com/developers/docs/topics/oauth2#webhooks-webhook-token-response-example>
fn make_webhook(st: &mut EmuState, app: &AppFixture, guild_id: &str, host: &str) -> Value {
    let id = st.snowflake();
    let token = crate::util::random_token(68);
    let channel_id = st
        .guild(guild_id)
        .and_then(|g| g["system_channel_id"].as_str().map(str::to_owned))
        .unwrap_or_else(|| st.snowflake());
    json!({
        "id": id, "type": 1, "token": token, "name": app.name, "avatar": null,
        "channel_id": channel_id, "guild_id": guild_id, "application_id": app.id,
        "url": format!("http://{host}/api/webhooks/{id}/{token}")
    })
}

fn refresh(
    st: &mut EmuState,
    app: &AppFixture,
    p: &Params,
) -> Result<Map<String, Value>, Response> {
    let Some(token) = p.non_empty("refresh_token") else {
        return Err(invalid_request("Missing \"refresh_token\" in request."));
    };
    // Rotation: the old refresh token stops working at once.
    let grant = st
        .rotate(&app.id, token)
        .ok_or_else(|| invalid_grant("Invalid \"refresh_token\" in request."))?;
    Ok(token_body(&grant))
}

fn client_credentials(
    st: &mut EmuState,
    app: &AppFixture,
    how: ClientAuth,
    p: &Params,
) -> Result<Map<String, Value>, Response> {
    // "using Basic authentication with your client id as the username and your client secret
    // as the password" — https://discord.com/developers/docs/topics/oauth2#client-credentials-grant
    if how != ClientAuth::Basic {
        return Err(invalid_client());
    }
    let mut scopes: Vec<String> = Vec::new();
    for s in p.get("scope").unwrap_or("identify").split(' ') {
        if !s.is_empty() && !scopes.iter().any(|x| x == s) {
            scopes.push(s.to_owned());
        }
    }
    if scopes.is_empty()
        || scopes
            .iter()
            .any(|s| crate::consent::describe(s).is_none() || s == "bot" || s == "webhook.incoming")
    {
        return Err(errors::oauth(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            Some("The requested scope is invalid, unknown, or malformed."),
        ));
    }
    let owner = app.owner_id.clone();
    let grant = st.create_grant(&app.id, &owner, scopes, GrantKind::ClientCredentials);
    Ok(token_body(&grant))
}

/// `POST /api/v10/oauth2/token/revoke` (RFC 7009): revokes the whole grant of the token,
/// access and refresh; answers `200 {}` for unknown tokens too.
pub async fn revoke(State(emu): State<Shared>, req: Request) -> Response {
    let not_form = || invalid_request("The request body must be application/x-www-form-urlencoded");
    let (headers, p) = match read_form(req, not_form).await {
        Ok(x) => x,
        Err(resp) => return resp,
    };
    let mut st = emu.lock();
    let (app, _) = match authenticate(&st, &headers, &p) {
        Ok(x) => x,
        Err(resp) => return resp,
    };
    let Some(token) = p.non_empty("token") else {
        return invalid_request("Missing \"token\" in request.");
    };
    if let Some(id) = st.grant_id_by_any_token(token)
        && st.grants.get(&id).is_some_and(|g| g.app_id == app.id)
        && st.revoke(id)
    {
        st.counters.revocations += 1;
    }
    json_response(StatusCode::OK, &json!({}))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{Fixtures, ids};
    use crate::state::Code;

    #[test]
    fn codes_expire_after_ten_minutes() {
        let mut st = EmuState::from_fixtures(&Fixtures::default());
        let app = st.app(ids::CONFIDENTIAL_APP).unwrap().clone();
        let code = |expires_at| Code {
            app_id: app.id.clone(),
            user_id: ids::USER.into(),
            scopes: vec!["identify".into()],
            redirect_uri: None,
            effective_redirect_uri: Some(app.redirect_uris[0].clone()),
            challenge: None,
            expires_at,
            grant_id: None,
            guild_id: None,
            nonce: None,
            auth_time: now_secs(),
        };
        let p = |c: &str| Params(vec![("code".into(), c.into())]);
        st.codes.insert("old".into(), code(now_secs() - 1.0));
        st.codes.insert("new".into(), code(now_secs() + 590.0));
        let err = exchange_code(&mut st, &app, ClientAuth::Basic, &p("old"), "h").unwrap_err();
        assert_eq!(err.status(), StatusCode::BAD_REQUEST);
        assert!(!st.codes.contains_key("old"));
        assert!(exchange_code(&mut st, &app, ClientAuth::Basic, &p("new"), "h").is_ok());
    }
}
