//! `AuthorizeRequest` built from structured input (`arbitrary`): every builder option, any
//! strings. Invariants: `build` never panics; a URL it returns starts with the base URL and
//! its query (after the base URL) decodes back to exactly the parameters given, each once.
#![no_main]

use arbitrary::Arbitrary;
use discord_oauth_wasm::discord::authorize::{AuthorizeRequest, IntegrationType, Prompt, ResponseType};
use discord_oauth_wasm::discord::pkce::PkceCodeVerifier;
use discord_oauth_wasm::discord::scope::{Scope, Scopes};
use discord_oauth_wasm::discord::state::State;
use libfuzzer_sys::fuzz_target;

mod common;

/// RFC 7636 Appendix B's verifier.
const RFC7636_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

#[derive(Arbitrary, Debug)]
enum Rt {
    Default,
    Code,
    Token,
    Without,
}

#[derive(Arbitrary, Debug)]
enum Pkce {
    Rfc7636,
    Verifier(String),
}

#[derive(Arbitrary, Debug)]
struct Input {
    client_id: String,
    /// Indices into `Scope::ALL`.
    scopes: Vec<u8>,
    /// Parsed with `Scopes::parse` and merged in, when it parses.
    scope_text: Option<String>,
    base_url: Option<String>,
    response_type: Rt,
    state: Option<String>,
    redirect_uri: Option<String>,
    prompt: Option<bool>,
    permissions: Option<u64>,
    guild_id: Option<String>,
    disable_guild_select: Option<bool>,
    integration_type: Option<bool>,
    pkce: Option<Pkce>,
}

fuzz_target!(|input: Input| {
    let mut scopes = Scopes::new();
    for i in &input.scopes {
        scopes.insert(Scope::ALL[usize::from(*i) % Scope::ALL.len()]);
    }
    if let Some(text) = &input.scope_text {
        match Scopes::parse(text) {
            Ok(parsed) => {
                for s in parsed.iter() {
                    scopes.insert(s);
                }
            }
            Err(e) => {
                common::exercise(&e.into());
            }
        }
    }
    let mut req = AuthorizeRequest::new(input.client_id.clone(), scopes.clone());
    if let Some(b) = &input.base_url {
        req = req.base_url(b.clone());
    }
    req = match input.response_type {
        Rt::Default => req,
        Rt::Code => req.response_type(ResponseType::Code),
        Rt::Token => req.response_type(ResponseType::Token),
        Rt::Without => req.without_response_type(),
    };
    let state = input.state.as_ref().and_then(|s| State::from_string(s.clone()).ok());
    if let Some(s) = &state {
        req = req.state(s);
    }
    if let Some(u) = &input.redirect_uri {
        req = req.redirect_uri(u.clone());
    }
    if let Some(p) = input.prompt {
        req = req.prompt(if p { Prompt::Consent } else { Prompt::None });
    }
    if let Some(p) = input.permissions {
        req = req.permissions(p);
    }
    if let Some(g) = &input.guild_id {
        req = req.guild_id(g.clone());
    }
    if let Some(d) = input.disable_guild_select {
        req = req.disable_guild_select(d);
    }
    if let Some(u) = input.integration_type {
        req = req.integration_type(if u {
            IntegrationType::UserInstall
        } else {
            IntegrationType::GuildInstall
        });
    }
    let challenge = match &input.pkce {
        None => None,
        Some(Pkce::Rfc7636) => Some(PkceCodeVerifier::from_string(RFC7636_VERIFIER).unwrap().challenge_s256()),
        Some(Pkce::Verifier(v)) => PkceCodeVerifier::from_string(v.clone()).ok().map(|v| v.challenge_s256()),
    };
    if let Some(c) = &challenge {
        req = req.pkce(c);
    }
    let _ = format!("{req:?}");
    let url = match req.build() {
        Ok(url) => url,
        Err(e) => {
            common::exercise(&e.into());
            return;
        }
    };

    // The URL round-trips.
    let base = input
        .base_url
        .as_deref()
        .unwrap_or(discord_oauth_wasm::discord::config::DEFAULT_AUTHORIZE_URL);
    assert!(url.starts_with(base));
    let sep = url.as_bytes()[base.len()];
    assert!(sep == b'?' || sep == b'&');
    assert!(!url.contains('#'), "fragment in {url}");
    let query = &url[base.len() + 1..];
    assert!(!query.contains(' ') && !query.contains('+'), "unencoded space in {query}");
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    let get = |k: &str| {
        let mut it = pairs.iter().filter(|(n, _)| n == k).map(|(_, v)| v.as_str());
        let first = it.next();
        assert!(it.next().is_none(), "`{k}` repeated in {query}");
        first
    };
    assert_eq!(get("client_id"), Some(input.client_id.as_str()));
    assert_eq!(get("scope"), Some(scopes.to_string().as_str()));
    assert_eq!(get("state"), state.as_ref().map(State::secret));
    assert_eq!(get("redirect_uri"), input.redirect_uri.as_deref());
    assert_eq!(get("guild_id"), input.guild_id.as_deref());
    assert_eq!(get("permissions"), input.permissions.map(|p| p.to_string()).as_deref());
    assert_eq!(get("code_challenge"), challenge.as_ref().map(|c| c.as_str()));
    if challenge.is_some() {
        assert_eq!(get("code_challenge_method"), Some("S256"));
        assert_eq!(get("response_type"), Some("code"));
    }
});
