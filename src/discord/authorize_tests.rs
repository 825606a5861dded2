use super::*;
use crate::discord::pkce::PkceCodeVerifier;

fn scopes(s: &str) -> Scopes {
    Scopes::parse(s).unwrap()
}

fn state() -> State {
    State::from_string("15773059ghq9183habn").unwrap()
}

#[test]
fn docs_authorization_url_example() {
    // https://discord.com/developers/docs/topics/oauth2#authorization-code-grant-authorization-url-example
    let url = AuthorizeRequest::new("157730590492196864", scopes("identify guilds.join"))
        .state(&state())
        .redirect_uri("https://nicememe.website")
        .prompt(Prompt::Consent)
        .integration_type(IntegrationType::GuildInstall);
    // integration_type needs applications.commands; without it the docs example is refused…
    assert!(url.build().is_err());
    // …and accepted without the parameter, in the docs' order and encoding.
    let url = AuthorizeRequest::new("157730590492196864", scopes("identify guilds.join"))
        .state(&state())
        .redirect_uri("https://nicememe.website")
        .prompt(Prompt::Consent)
        .build()
        .unwrap();
    assert_eq!(
        url,
        "https://discord.com/oauth2/authorize?response_type=code&client_id=157730590492196864\
         &scope=guilds.join%20identify&state=15773059ghq9183habn\
         &redirect_uri=https%3A%2F%2Fnicememe.website&prompt=consent"
    );
}

#[test]
fn implicit_grant_example() {
    // https://discord.com/developers/docs/topics/oauth2#implicit-grant-authorization-url-example
    let url = AuthorizeRequest::new("290926444748734499", scopes("identify"))
        .response_type(ResponseType::Token)
        .state(&state())
        .build()
        .unwrap();
    assert_eq!(
        url,
        "https://discord.com/oauth2/authorize?response_type=token&client_id=290926444748734499\
         &scope=identify&state=15773059ghq9183habn"
    );
}

#[test]
fn bot_flow_example_and_every_parameter() {
    // https://discord.com/developers/docs/topics/oauth2#bot-authorization-flow-url-example
    let url = AuthorizeRequest::new("157730590492196864", scopes("bot"))
        .without_response_type()
        .permissions(1)
        .build()
        .unwrap();
    assert_eq!(
        url,
        "https://discord.com/oauth2/authorize?client_id=157730590492196864&scope=bot&permissions=1"
    );

    let v = PkceCodeVerifier::from_string("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
    let url = AuthorizeRequest::new("1", scopes("bot applications.commands identify"))
        .base_url("http://127.0.0.1:8790/oauth2/authorize")
        .state(&state())
        .redirect_uri("http://127.0.0.1:8787/auth/callback?x=1")
        .prompt(Prompt::Consent)
        .integration_type(IntegrationType::GuildInstall)
        .permissions(1 << 53 | 8)
        .guild_id("290926798626357250")
        .disable_guild_select(true)
        .pkce(&v.challenge_s256())
        .build()
        .unwrap();
    assert_eq!(
        url,
        "http://127.0.0.1:8790/oauth2/authorize?response_type=code&client_id=1\
         &scope=applications.commands%20bot%20identify&state=15773059ghq9183habn\
         &redirect_uri=http%3A%2F%2F127.0.0.1%3A8787%2Fauth%2Fcallback%3Fx%3D1&prompt=consent\
         &integration_type=0&permissions=9007199254741000&guild_id=290926798626357250\
         &disable_guild_select=true&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM\
         &code_challenge_method=S256"
    );
}

#[test]
fn base_url_with_query_gets_an_ampersand() {
    let url = AuthorizeRequest::new("1", scopes("identify"))
        .base_url("https://example.test/authorize?tenant=a")
        .build()
        .unwrap();
    assert!(url.starts_with("https://example.test/authorize?tenant=a&response_type=code&"));
}

fn field_of(r: Result<String, InputError>) -> &'static str {
    match r {
        Err(InputError::Invalid { field, .. }) => field,
        other => panic!("expected an invalid field, got {other:?}"),
    }
}

#[test]
fn refuses_undocumented_combinations() {
    let base = |s: &str| AuthorizeRequest::new("1", scopes(s));
    assert_eq!(field_of(base("").build()), "scope");
    assert_eq!(
        field_of(AuthorizeRequest::new("", scopes("identify")).build()),
        "client_id"
    );
    assert_eq!(
        field_of(base("identify").without_response_type().build()),
        "response_type"
    );
    assert!(
        base("bot applications.commands")
            .without_response_type()
            .build()
            .is_ok()
    );
    let v = PkceCodeVerifier::generate().unwrap();
    let implicit = |s: &str| base(s).response_type(ResponseType::Token);
    assert_eq!(
        field_of(implicit("identify").pkce(&v.challenge_s256()).build()),
        "code_challenge"
    );
    assert_eq!(
        field_of(
            base("bot")
                .without_response_type()
                .pkce(&v.challenge_s256())
                .build()
        ),
        "code_challenge"
    );
    for s in ["role_connections.write", "webhook.incoming", "bot identify"] {
        assert_eq!(field_of(implicit(s).build()), "scope", "{s}");
    }
    // prompt=none with the passthrough scopes is built as asked: Discord accepts the URL and
    // shows consent for those scopes anyway.
    for scopes in [
        "identify bot",
        "bot",
        "webhook.incoming",
        "identify webhook.incoming",
    ] {
        let url = base(scopes).prompt(Prompt::None).build().unwrap();
        assert!(url.contains("&prompt=none"), "{url}");
    }
    assert!(base("identify").prompt(Prompt::None).build().is_ok());
    assert_eq!(
        field_of(base("identify").permissions(8).build()),
        "permissions"
    );
    assert_eq!(field_of(base("identify").guild_id("1").build()), "guild_id");
    assert_eq!(field_of(base("bot").guild_id("abc").build()), "guild_id");
    assert!(base("webhook.incoming").guild_id("1").build().is_ok());
    assert_eq!(
        field_of(base("bot").disable_guild_select(true).build()),
        "disable_guild_select"
    );
    assert_eq!(
        field_of(
            base("identify")
                .integration_type(IntegrationType::UserInstall)
                .build()
        ),
        "integration_type"
    );
    assert!(
        base("applications.commands")
            .integration_type(IntegrationType::UserInstall)
            .build()
            .is_ok()
    );
    assert_eq!(
        field_of(
            base("bot applications.commands")
                .integration_type(IntegrationType::UserInstall)
                .build()
        ),
        "integration_type"
    );
    assert_eq!(
        field_of(
            base("identify")
                .redirect_uri("https://a.test/#frag")
                .build()
        ),
        "redirect_uri"
    );
    assert_eq!(
        field_of(base("identify").redirect_uri("").build()),
        "redirect_uri"
    );
    assert_eq!(
        field_of(base("identify").base_url("").build()),
        "authorize_url"
    );
}

#[test]
fn openid_logins_carry_the_nonce() {
    let nonce = crate::discord::oidc::Nonce::from_string("n-0S6_WzA2Mj");
    let url = AuthorizeRequest::new("157730590492196864", scopes("openid identify email"))
        .state(&state())
        .nonce(&nonce)
        .build()
        .unwrap();
    assert!(url.ends_with("&nonce=n-0S6_WzA2Mj"), "{url}");
    assert!(url.contains("scope=email%20identify%20openid"), "{url}");
    let debug = format!(
        "{:?}",
        AuthorizeRequest::new("1", scopes("openid")).nonce(&nonce)
    );
    assert!(!debug.contains("n-0S6_WzA2Mj"), "{debug}");
}

#[test]
fn further_parameters_by_name_but_never_the_owned_ones() {
    let base = |s: &str| AuthorizeRequest::new("1", scopes(s));
    let url = base("identify webhook.incoming")
        .param("channel_id", "1160000000000000009")
        .param("channel_id", "1160000000000000010")
        .build()
        .unwrap();
    assert!(url.ends_with("&channel_id=1160000000000000010"), "{url}");
    assert_eq!(
        url.matches("channel_id=").count(),
        1,
        "the last value wins: {url}"
    );
    for owned in super::OWNED_PARAMS {
        assert_eq!(
            field_of(base("identify").param(*owned, "x").build()),
            "param",
            "{owned} is the builder's own"
        );
    }
    for bad in ["", "a b", "a&b", "a=b"] {
        assert_eq!(
            field_of(base("identify").param(bad, "x").build()),
            "param",
            "{bad:?}"
        );
    }
}
