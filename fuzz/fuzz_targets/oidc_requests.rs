//! The OpenID provider's request checks on arbitrary input: authorization query strings,
//! token request bodies, `Authorization` headers, codes and access tokens, `OIDC_CLIENTS` and
//! JWK texts.
//!
//! Invariants: never panics; an authorization request is redirected (success or error) only to
//! a redirect URI registered for its client; an accepted request asks for `openid`, and any
//! challenge it carries is S256-shaped; client authentication never succeeds with a secret
//! other than the registered one.
#![no_main]

use discord_oauth_wasm::worker::oidc::{object, params, settings};
use libfuzzer_sys::fuzz_target;

const KEY: &str = include_str!("../../src/worker/oidc/test_key.json");
const CLIENTS: &str = r#"[{"client_id":"access","client_secret":"access-secret-0123456789","redirect_uris":["https://rp.example/cb"],"guilds":true,"role_guilds":["1160000000000000001"]}]"#;

fuzz_target!(|data: &[u8]| {
    let oidc = settings::parse(|name| match name {
        "OIDC_CLIENTS" => Some(CLIENTS.to_owned()),
        "OIDC_SIGNING_KEY" => Some(KEY.to_owned()),
        _ => None,
    })
    .expect("on")
    .expect("valid settings");
    let text = String::from_utf8_lossy(data);

    // An authorization request: the input as a query string.
    let pairs: Vec<(String, String)> = form_urlencoded::parse(data).into_owned().collect();
    match params::authorize(&oidc, &pairs) {
        Ok(ar) => {
            let client = oidc.client(&ar.client_id).expect("a known client");
            assert!(client.redirect_uris.contains(&ar.redirect_uri));
            assert!(ar.challenge.as_deref().is_none_or(|c| c.len() == 43));
            assert!(ar.discord_scopes().contains(&"identify"));
        }
        Err(params::AuthorizeError::Redirect { redirect_uri, .. }) => {
            assert!(oidc.clients.iter().any(|c| c.redirect_uris.contains(&redirect_uri)));
        }
        Err(params::AuthorizeError::NoRedirect(_)) => {}
    }

    // A token request: the input as the body, and as an Authorization header.
    if let Ok(form) = params::token_form(data) {
        for header in [None, Some(text.as_ref())] {
            if let Ok(creds) = params::credentials(header, &form)
                && params::authenticate(&oidc, &creds).is_some()
            {
                assert_eq!(creds.secret, "access-secret-0123456789");
            }
        }
        let _ = params::check_verifier(Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"), form.code_verifier.as_deref());
    }

    // Codes and tokens, settings texts.
    if let Some((id, secret)) = object::split(&text) {
        assert_eq!((id.len(), secret.len()), (22, 43));
    }
    let _ = settings::parse_clients(&text);
    let _ = settings::parse_jwk(&text, true);
    let _ = settings::parse_jwk(&text, false);
});
