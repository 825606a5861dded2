//! Native tests of the provider's pure parts: settings, request checks, claims.

use super::claims::{self, IdClaims, UserInfo};
use super::object;
use super::params::{self, AuthorizeError, OAuthCode, TokenForm};
use super::settings::{self, Oidc};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD as B64};
use serde_json::json;
use std::collections::HashMap;

/// A throwaway RSA key made by scripts/oidc-keygen.mjs for these tests only.
const KEY: &str = include_str!("test_key.json");

fn clients() -> String {
    json!([
        {"client_id": "access", "client_secret": "access-secret-0123456789",
         "redirect_uris": ["https://team.cloudflareaccess.com/cdn-cgi/access/callback"],
         "guilds": true, "role_guilds": ["1160000000000000001"]},
        {"client_id": "grafana", "client_secret": "grafana-secret-0123456789",
         "redirect_uris": ["http://localhost:3000/login/generic_oauth"]}
    ])
    .to_string()
}

fn parse(vars: &[(&str, &str)]) -> Option<Result<Oidc, crate::worker::config::ConfigError>> {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    settings::parse(|name| map.get(name).cloned())
}

fn oidc() -> Oidc {
    let c = clients();
    parse(&[("OIDC_CLIENTS", &c), ("OIDC_SIGNING_KEY", KEY)])
        .expect("on")
        .expect("valid")
}

#[test]
fn off_without_clients_and_errors_name_their_setting() {
    assert!(parse(&[]).is_none());
    assert!(parse(&[("OIDC_CLIENTS", "  ")]).is_none());
    let c = clients();
    let missing = parse(&[("OIDC_CLIENTS", &c)]).unwrap().unwrap_err();
    assert_eq!(missing.setting(), "OIDC_SIGNING_KEY");
    let bad_key = parse(&[
        ("OIDC_CLIENTS", &c),
        ("OIDC_SIGNING_KEY", "{\"kty\":\"EC\"}"),
    ])
    .unwrap()
    .unwrap_err();
    assert_eq!(bad_key.setting(), "OIDC_SIGNING_KEY");
    assert!(bad_key.to_string().contains("OIDC_SIGNING_KEY"));
    let bad_json = parse(&[("OIDC_CLIENTS", "[{"), ("OIDC_SIGNING_KEY", KEY)])
        .unwrap()
        .unwrap_err();
    assert_eq!(bad_json.setting(), "OIDC_CLIENTS");
    let bad_ttl = parse(&[
        ("OIDC_CLIENTS", &c),
        ("OIDC_SIGNING_KEY", KEY),
        ("OIDC_CODE_TTL_SECONDS", "61"),
    ])
    .unwrap()
    .unwrap_err();
    assert_eq!(bad_ttl.setting(), "OIDC_CODE_TTL_SECONDS");
    // The secret never appears in an error or in Debug.
    let o = oidc();
    let debug = format!("{o:?}");
    assert!(!debug.contains("access-secret"));
    assert!(!debug.contains("\"d\""));
}

#[test]
fn clients_are_checked() {
    let bad = |v: serde_json::Value| settings::parse_clients(&v.to_string()).is_err();
    let ok = json!({"client_id": "a", "client_secret": "0123456789abcdef", "redirect_uris": ["https://rp.example/cb"]});
    assert!(!bad(json!([ok])));
    assert!(bad(json!([])));
    assert!(bad(json!([ok, ok])), "duplicate ids");
    assert!(bad(
        json!([{"client_id": "a", "client_secret": "short", "redirect_uris": ["https://rp.example/cb"]}])
    ));
    assert!(
        bad(
            json!([{"client_id": "a", "client_secret": "0123456789abcdef", "redirect_uris": ["http://rp.example/cb"]}])
        ),
        "http off loopback"
    );
    assert!(
        bad(
            json!([{"client_id": "a", "client_secret": "0123456789abcdef", "redirect_uris": ["https://rp.example/cb#x"]}])
        ),
        "fragment"
    );
    assert!(bad(
        json!([{"client_id": "a", "client_secret": "0123456789abcdef", "redirect_uris": ["https://rp.example/cb"], "role_guilds": ["x"]}])
    ));
    assert!(
        bad(
            json!([{"client_id": "a", "client_secret": "0123456789abcdef", "redirect_uris": ["https://rp.example/cb"], "role_guild": []}])
        ),
        "unknown field"
    );
    assert!(settings::valid_redirect_uri("http://127.0.0.1:8080/cb"));
    assert!(settings::valid_redirect_uri("http://[::1]:8080/cb"));
    assert!(!settings::valid_redirect_uri(
        "http://localhost.evil.example/cb"
    ));
    assert!(!settings::valid_redirect_uri("javascript:alert(1)"));
}

#[test]
fn thumbprint_is_rfc_7638s() {
    // RFC 7638 §3.1's example key and thumbprint.
    let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
    assert_eq!(
        settings::thumbprint(n, "AQAB"),
        "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    );
    let public = json!({"kty": "RSA", "n": n, "e": "AQAB"}).to_string();
    let (key, private) = settings::parse_jwk(&public, false).unwrap();
    assert_eq!(key.kid, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    assert!(private.is_none());
    assert!(
        settings::parse_jwk(&public, true).is_err(),
        "a public key cannot sign"
    );
}

#[test]
fn the_private_jwk_keeps_only_rsa_members() {
    let (public, private) = settings::parse_jwk(KEY, true).unwrap();
    let private: serde_json::Value = serde_json::from_str(&private.unwrap()).unwrap();
    assert_eq!(private["alg"], "RS256");
    assert_eq!(private["n"], public.n.as_str());
    assert!(private.get("key_ops").is_none() && private.get("use").is_none());
    let jwks = claims::jwks(&oidc());
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 1);
    assert!(
        jwks["keys"][0].get("d").is_none(),
        "no private member is published"
    );
    assert_eq!(jwks["keys"][0]["kid"], public.kid.as_str());
}

#[test]
fn the_next_key_is_published_too() {
    let c = clients();
    let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
    let next = json!({"kty": "RSA", "n": n, "e": "AQAB"}).to_string();
    let o = parse(&[
        ("OIDC_CLIENTS", &c),
        ("OIDC_SIGNING_KEY", KEY),
        ("OIDC_SIGNING_KEY_NEXT", &next),
    ])
    .unwrap()
    .unwrap();
    let kids: Vec<String> = claims::jwks(&o)["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        kids,
        [
            o.key.public.kid.clone(),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs".to_owned()
        ]
    );
}

fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

const CB: &str = "https://team.cloudflareaccess.com/cdn-cgi/access/callback";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

fn base() -> Vec<(&'static str, &'static str)> {
    vec![
        ("response_type", "code"),
        ("client_id", "access"),
        ("redirect_uri", CB),
        ("scope", "openid email guilds roles"),
        ("state", "st"),
        ("nonce", "n-0S6_WzA2Mj"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ]
}

fn with(changes: &[(&'static str, Option<&'static str>)]) -> Vec<(String, String)> {
    let mut p = base();
    for (k, v) in changes {
        p.retain(|(n, _)| n != k);
        if let Some(v) = v {
            p.push((k, v));
        }
    }
    q(&p)
}

fn redirect_code(r: Result<params::AuthorizeRequest, AuthorizeError>) -> OAuthCode {
    match r {
        Err(AuthorizeError::Redirect { code, state, .. }) => {
            assert_eq!(state.as_deref(), Some("st"));
            code
        }
        other => panic!("expected a redirected error, got {other:?}"),
    }
}

#[test]
fn authorize_accepts_a_good_request_and_maps_scopes() {
    let o = oidc();
    let ar = params::authorize(&o, &with(&[])).unwrap();
    assert!(ar.email && ar.guilds && ar.roles);
    assert_eq!(ar.challenge.as_deref(), Some(CHALLENGE));
    assert_eq!(
        ar.discord_scopes(),
        ["identify", "email", "guilds", "guilds.members.read"]
    );
    // A client without guilds or role_guilds gets neither, whatever it asks.
    let g = params::authorize(
        &o,
        &with(&[
            ("client_id", Some("grafana")),
            (
                "redirect_uri",
                Some("http://localhost:3000/login/generic_oauth"),
            ),
        ]),
    )
    .unwrap();
    assert!(!g.guilds && !g.roles);
    assert_eq!(g.discord_scopes(), ["identify", "email"]);
}

#[test]
fn authorize_never_redirects_to_an_unregistered_uri() {
    let o = oidc();
    for changes in [
        vec![("client_id", Some("nobody"))],
        vec![("client_id", None)],
        vec![(
            "redirect_uri",
            Some("https://team.cloudflareaccess.com/cdn-cgi/access/callback/"),
        )],
        vec![("redirect_uri", Some("https://evil.example/cb"))],
        vec![("redirect_uri", None)],
        // Another client's URI.
        vec![(
            "redirect_uri",
            Some("http://localhost:3000/login/generic_oauth"),
        )],
    ] {
        assert!(
            matches!(
                params::authorize(&o, &with(&changes)),
                Err(AuthorizeError::NoRedirect(_))
            ),
            "{changes:?}"
        );
    }
    let mut twice = with(&[]);
    twice.push(("redirect_uri".into(), CB.into()));
    assert!(matches!(
        params::authorize(&o, &twice),
        Err(AuthorizeError::NoRedirect(_))
    ));
}

#[test]
fn authorize_sends_other_faults_back() {
    let o = oidc();
    let code =
        |c: &[(&'static str, Option<&'static str>)]| redirect_code(params::authorize(&o, &with(c)));
    assert_eq!(code(&[("scope", Some("email"))]), OAuthCode::InvalidScope);
    assert_eq!(
        code(&[("response_type", Some("token"))]),
        OAuthCode::UnsupportedResponseType
    );
    assert_eq!(code(&[("response_type", None)]), OAuthCode::InvalidRequest);
    assert_eq!(
        code(&[("code_challenge_method", Some("plain"))]),
        OAuthCode::InvalidRequest
    );
    assert_eq!(
        code(&[("code_challenge_method", None)]),
        OAuthCode::InvalidRequest
    );
    assert_eq!(code(&[("code_challenge", None)]), OAuthCode::InvalidRequest);
    assert_eq!(
        code(&[("code_challenge", Some("short"))]),
        OAuthCode::InvalidRequest
    );
    assert_eq!(
        code(&[("prompt", Some("none login"))]),
        OAuthCode::InvalidRequest
    );
    assert_eq!(
        code(&[("max_age", Some("soon"))]),
        OAuthCode::InvalidRequest
    );
    // No PKCE at all is allowed (a confidential client).
    assert!(
        params::authorize(
            &o,
            &with(&[("code_challenge", None), ("code_challenge_method", None)])
        )
        .is_ok()
    );
}

#[test]
fn client_authentication() {
    let o = oidc();
    let basic =
        |id: &str, secret: &str| format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")));
    let empty = TokenForm::default();
    let c =
        params::credentials(Some(&basic("access", "access-secret-0123456789")), &empty).unwrap();
    assert!(c.basic);
    assert_eq!(params::authenticate(&o, &c).unwrap().client_id, "access");
    let wrong =
        params::credentials(Some(&basic("access", "access-secret-012345678X")), &empty).unwrap();
    assert!(params::authenticate(&o, &wrong).is_none());
    let unknown =
        params::credentials(Some(&basic("nobody", "access-secret-0123456789")), &empty).unwrap();
    assert!(params::authenticate(&o, &unknown).is_none());
    // client_secret_post.
    let form = params::token_form(
        b"grant_type=authorization_code&client_id=grafana&client_secret=grafana-secret-0123456789",
    )
    .unwrap();
    let c = params::credentials(None, &form).unwrap();
    assert!(!c.basic);
    assert_eq!(params::authenticate(&o, &c).unwrap().client_id, "grafana");
    // Both methods at once, none, a bad header.
    assert_eq!(
        params::credentials(Some(&basic("grafana", "x")), &form)
            .unwrap_err()
            .code,
        OAuthCode::InvalidRequest
    );
    assert_eq!(params::credentials(None, &empty).unwrap_err().status, 401);
    assert_eq!(
        params::credentials(Some("Basic !!!"), &empty)
            .unwrap_err()
            .code,
        OAuthCode::InvalidClient
    );
    // Basic halves are form-urlencoded (RFC 6749 §2.3.1).
    let c = params::credentials(Some(&basic("a%3Ab", "s%2B1")), &empty).unwrap();
    assert_eq!((c.id.as_str(), c.secret.as_str()), ("a:b", "s+1"));
    assert!(!format!("{c:?}").contains("s+1"));
    // A repeated parameter is refused.
    assert!(params::token_form(b"code=a&code=b").is_err());
}

#[test]
fn pkce_verification() {
    // RFC 7636 Appendix B.
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    assert_eq!(params::s256(verifier), CHALLENGE);
    assert!(params::check_verifier(Some(CHALLENGE), Some(verifier)).is_ok());
    assert!(
        params::check_verifier(
            Some(CHALLENGE),
            Some("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXX")
        )
        .is_err()
    );
    assert!(params::check_verifier(Some(CHALLENGE), None).is_err());
    assert!(
        params::check_verifier(None, Some(verifier)).is_err(),
        "downgrade"
    );
    assert!(params::check_verifier(None, None).is_ok());
}

#[test]
fn claims_from_a_discord_user() {
    let user = json!({"id": "1150000000000000001", "username": "emulator_user", "global_name": "Emulator User",
        "avatar": "a_0123456789abcdef0123456789abcdef", "discriminator": "0", "email": "u@example.com", "verified": true});
    let (sub, mut p) = claims::profile(&user, true).unwrap();
    assert_eq!(sub, "1150000000000000001");
    assert_eq!(p.name, "Emulator User");
    assert_eq!(p.preferred_username, "emulator_user");
    assert!(
        p.picture
            .as_deref()
            .unwrap()
            .contains("/avatars/1150000000000000001/a_0123456789abcdef0123456789abcdef")
    );
    assert_eq!(
        (p.email.as_deref(), p.email_verified),
        (Some("u@example.com"), Some(true))
    );
    let (_, no_email) = claims::profile(&user, false).unwrap();
    assert!(no_email.email.is_none() && no_email.email_verified.is_none());
    let plain = json!({"id": "1150000000000000003", "username": "plain", "global_name": null, "avatar": null, "discriminator": "0"});
    let (_, pp) = claims::profile(&plain, false).unwrap();
    assert_eq!(pp.name, "plain");
    assert!(pp.picture.unwrap().contains("/embed/avatars/"));
    assert!(claims::profile(&json!({"username": "x"}), false).is_none());

    p.guilds = Some(claims::guild_ids(&json!([{"id": "1"}, {"id": "2"}])));
    p.roles.insert(
        claims::roles_claim("1160000000000000001".parse().unwrap()),
        claims::role_ids(&json!({"roles": ["1180000000000000001"]})),
    );
    let info = serde_json::to_string(&UserInfo {
        sub: &sub,
        profile: &p,
    })
    .unwrap();
    assert!(
        info.starts_with("{\"sub\":\"1150000000000000001\""),
        "{info}"
    );
    let v: serde_json::Value = serde_json::from_str(&info).unwrap();
    assert_eq!(
        v["roles:1160000000000000001"],
        json!(["1180000000000000001"])
    );
    assert_eq!(v["guilds"], json!(["1", "2"]));

    let id = IdClaims {
        iss: "https://auth.example",
        sub: &sub,
        aud: "access",
        exp: 1600,
        iat: 1000,
        auth_time: 900,
        nonce: Some("n"),
        profile: &p,
    };
    let input = claims::signing_input("kid-1", &id);
    let (h, b) = input.split_once('.').unwrap();
    let header: serde_json::Value = serde_json::from_slice(&B64.decode(h).unwrap()).unwrap();
    assert_eq!(
        header,
        json!({"alg": "RS256", "typ": "JWT", "kid": "kid-1"})
    );
    let body: serde_json::Value = serde_json::from_slice(&B64.decode(b).unwrap()).unwrap();
    assert_eq!(body["aud"], "access");
    assert_eq!(body["nonce"], "n");
    assert_eq!(
        body["roles:1160000000000000001"],
        json!(["1180000000000000001"])
    );
    assert_eq!(claims::compact(&input, &[1, 2]).matches('.').count(), 2);
}

#[test]
fn discovery_names_this_origin() {
    let d = claims::discovery("https://auth.example");
    assert_eq!(d["issuer"], "https://auth.example");
    assert_eq!(d["token_endpoint"], "https://auth.example/oidc/token");
    assert_eq!(d["code_challenge_methods_supported"], json!(["S256"]));
    assert_eq!(d["authorization_response_iss_parameter_supported"], true);
}

#[test]
fn codes_and_tokens_have_one_shape() {
    let id = B64.encode([7u8; 16]);
    let secret = B64.encode([9u8; 32]);
    let value = format!("{id}.{secret}");
    assert_eq!(object::split(&value), Some((id.as_str(), secret.as_str())));
    assert!(object::split("x.y").is_none());
    assert!(object::split(&format!("{id}.{secret}=")).is_none());
    assert_eq!(object::digest("abc").len(), 64);
    assert_eq!(object::object_name(&id), format!("oidc:{id}"));
}

#[test]
fn the_route_table_has_the_provider_routes() {
    use super::OidcRoute;
    use crate::worker::auth::is_auth_path;
    use crate::worker::routes::{Methods, Route};
    for (path, route) in [
        ("/.well-known/openid-configuration", OidcRoute::Discovery),
        ("/oidc/authorize", OidcRoute::Authorize),
        ("/oidc/token", OidcRoute::Token),
        ("/oidc/userinfo", OidcRoute::UserInfo),
        ("/oidc/jwks.json", OidcRoute::Jwks),
    ] {
        assert_eq!(Route::parse(path), Some(Route::Oidc(route)));
        assert_eq!(Route::Oidc(route).name(), path);
        assert!(is_auth_path(path));
    }
    assert_eq!(Route::Oidc(OidcRoute::Token).methods(), Methods::Post);
    assert_eq!(Route::Oidc(OidcRoute::UserInfo).methods(), Methods::Read);
    assert_eq!(Route::parse("/oidc/other"), None);
    assert_eq!(Route::parse("/.well-known/other"), None);
    assert!(!is_auth_path("/oidcx"));
}
