use super::*;
use crate::discord::error::ErrorCode;
use proptest::prelude::*;

const ISS: &str = "https://discord.com";

fn state() -> State {
    State::from_string("15773059ghq9183habn").unwrap()
}

fn parse(url: &str) -> Callback {
    Callback::parse(url).unwrap().unwrap()
}

fn parse_err(url: &str) -> CallbackError {
    match Callback::parse(url) {
        Err(e) => e,
        Ok(c) => panic!("expected an error for {url}, got {c:?}"),
    }
}

#[test]
fn docs_code_redirect() {
    // https://discord.com/developers/docs/topics/oauth2#authorization-code-grant-redirect-url-example
    let cb = parse(
        "https://nicememe.website/?code=NhhvTDYsFcdgNLnnLijcl7Ku7bEEeee&state=15773059ghq9183habn",
    );
    assert_eq!(cb.kind(), CallbackKind::Code);
    assert_eq!(cb.state(), Some("15773059ghq9183habn"));
    let v = cb.validate(&state(), ISS).unwrap();
    assert_eq!(
        v.code().unwrap().secret(),
        "NhhvTDYsFcdgNLnnLijcl7Ku7bEEeee"
    );
    assert!(v.implicit().is_none());
    assert!(v.into_token_set(0).is_none());
}

#[test]
fn docs_implicit_redirect() {
    // https://discord.com/developers/docs/topics/oauth2#implicit-grant-redirect-url-example
    let cb = parse(
        "https://findingfakeurlsisprettyhard.tv/#access_token=RTfP0OK99U3kbRtHOoKLmJbOn45PjL\
         &token_type=Bearer&expires_in=604800&scope=identify&state=15773059ghq9183habn",
    );
    assert_eq!(cb.kind(), CallbackKind::Implicit);
    let v = cb.validate(&state(), ISS).unwrap();
    assert!(v.code().is_none());
    let g = v.implicit().unwrap();
    assert_eq!(g.expires_in(), 604_800);
    assert_eq!(g.scope(), "identify");
    assert_eq!(g.token_type(), "Bearer");
    let t = v.into_token_set(1_000).unwrap();
    assert_eq!(t.access_token.secret(), "RTfP0OK99U3kbRtHOoKLmJbOn45PjL");
    assert_eq!(t.expires_at_ms, 1_000 + 604_800_000);
    assert_eq!(t.refresh_token, None);
    assert_eq!(t.scope, "identify");
}

#[test]
fn advanced_bot_redirect_carries_guild_and_permissions() {
    let cb = parse(
        "/cb?code=abc&state=15773059ghq9183habn&guild_id=290926798626357250&permissions=9007199254740999",
    );
    let v = cb.validate(&state(), ISS).unwrap();
    assert_eq!(v.guild_id(), Some("290926798626357250"));
    assert_eq!(v.permissions(), Some(9_007_199_254_740_999));
    assert_eq!(parse_err("?code=a&guild_id=x1").field(), Some("guild_id"));
    assert_eq!(
        parse_err("?code=a&permissions=-1").field(),
        Some("permissions")
    );
    assert_eq!(
        parse_err("?code=a&permissions=99999999999999999999999").field(),
        Some("permissions")
    );
}

#[test]
fn accepts_query_and_fragment_forms() {
    assert_eq!(parse("?code=a&state=s").kind(), CallbackKind::Code);
    assert_eq!(
        parse("#access_token=a&token_type=bearer&expires_in=1&state=s").kind(),
        CallbackKind::Implicit
    );
    // SPA hash routes next to a code are not OAuth parameters.
    assert_eq!(
        parse("https://app.test/cb?code=a&state=s#/home").kind(),
        CallbackKind::Code
    );
    // Percent-encoding and `+` are decoded.
    let cb = parse("?code=a%2Bb&state=a+b&error_uri=x");
    assert_eq!(cb.state(), Some("a b"));
}

#[test]
fn no_oauth_parameters_is_none() {
    for url in [
        "",
        "https://app.test/",
        "https://app.test/page?tab=2#section",
        "https://app.test/?state=orphan",
        "?",
        "#",
        "https://app.test/?code_x=1",
    ] {
        assert!(Callback::parse(url).unwrap().is_none(), "{url}");
    }
}

#[test]
fn strict_parsing_errors() {
    assert_eq!(
        parse_err("?code=a&code=b&state=s"),
        CallbackError::Repeated("code")
    );
    assert_eq!(
        parse_err("?code=a&state=s&state=t"),
        CallbackError::Repeated("state")
    );
    assert_eq!(parse_err("?code=&state=s"), CallbackError::Empty("code"));
    assert_eq!(parse_err("?code=a&state="), CallbackError::Empty("state"));
    let long = format!("?code={}&state=s", "a".repeat(MAX_PARAM_LEN + 1));
    assert_eq!(parse_err(&long), CallbackError::TooLong("code"));
    assert!(Callback::parse(&format!("?code={}", "a".repeat(MAX_PARAM_LEN))).is_ok());
    assert_eq!(
        parse_err("?code=a#access_token=b&token_type=Bearer&expires_in=1"),
        CallbackError::Ambiguous
    );
    assert_eq!(
        parse_err("?code=a&error=access_denied"),
        CallbackError::Conflicting("error", "code")
    );
    assert_eq!(
        parse_err("#access_token=a&expires_in=1"),
        CallbackError::Missing("token_type")
    );
    assert_eq!(
        parse_err("#access_token=a&token_type=Bearer"),
        CallbackError::Missing("expires_in")
    );
    assert_eq!(
        parse_err("#access_token=a&token_type=mac&expires_in=1").field(),
        Some("token_type")
    );
    assert_eq!(
        parse_err("#access_token=a&token_type=Bearer&expires_in=soon").field(),
        Some("expires_in")
    );
    assert_eq!(
        parse_err(&"x".repeat(MAX_URL_LEN + 1)),
        CallbackError::UrlTooLong
    );
}

#[test]
fn error_codes_of_parse_errors() {
    let e: Error = CallbackError::Repeated("state").into();
    assert_eq!(e.code(), ErrorCode::InvalidState);
    let e: Error = CallbackError::Repeated("code").into();
    assert_eq!(e.code(), ErrorCode::InvalidRequest);
}

#[test]
fn state_is_checked_before_anything_else() {
    // Missing state.
    let e = parse("?code=a").validate(&state(), ISS).unwrap_err();
    assert!(matches!(e, Error::InvalidState));
    // Wrong state.
    let e = parse("?code=a&state=other")
        .validate(&state(), ISS)
        .unwrap_err();
    assert!(matches!(e, Error::InvalidState));
    // An error redirect with a wrong state is a state error too, not access_denied.
    let e = parse("?error=access_denied&state=forged")
        .validate(&state(), ISS)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidState);
}

#[test]
fn error_redirects() {
    let e = parse(
        "https://nicememe.website/?error=access_denied&error_description=The+resource+owner+or+\
         authorization+server+denied+the+request&state=15773059ghq9183habn",
    );
    assert_eq!(e.kind(), CallbackKind::Error);
    assert_eq!(e.error().unwrap().0, "access_denied");
    match e.validate(&state(), ISS).unwrap_err() {
        Error::AccessDenied { description } => assert_eq!(
            description.as_deref(),
            Some("The resource owner or authorization server denied the request")
        ),
        other => panic!("{other:?}"),
    }
    let e = parse("#error=invalid_scope&state=15773059ghq9183habn")
        .validate(&state(), ISS)
        .unwrap_err();
    match &e {
        Error::OAuth {
            status,
            error,
            description,
        } => {
            assert_eq!(
                (*status, error.as_str(), description.as_deref()),
                (0, "invalid_scope", None)
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(e.code(), ErrorCode::InvalidScope);
}

#[test]
fn debug_shows_no_code_or_token() {
    let cb = parse("?code=SECRETCODE&state=15773059ghq9183habn");
    assert!(!format!("{cb:?}").contains("SECRETCODE"));
    let v = cb.validate(&state(), ISS).unwrap();
    assert!(!format!("{v:?}").contains("SECRETCODE"));
    let v =
        parse("#access_token=SECRETTOKEN&token_type=Bearer&expires_in=5&state=15773059ghq9183habn")
            .validate(&state(), ISS)
            .unwrap();
    assert!(!format!("{v:?}").contains("SECRETTOKEN"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parser_never_panics(url in ".{0,300}") {
        if let Ok(Some(cb)) = Callback::parse(&url) {
            let _ = cb.validate(&state(), ISS);
        }
    }

    #[test]
    fn parser_never_panics_on_oauth_like_input(
        parts in proptest::collection::vec(
            (prop_oneof![
                Just("code"), Just("state"), Just("error"), Just("access_token"),
                Just("token_type"), Just("expires_in"), Just("guild_id"), Just("permissions"),
                Just("scope"), Just("x"),
            ], "[A-Za-z0-9%+=&#?._~-]{0,12}"),
            0..8,
        ),
        sep in prop_oneof![Just("?"), Just("#"), Just("?a=1#")],
    ) {
        let query: Vec<String> = parts.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let url = format!("https://app.test/cb{sep}{}", query.join("&"));
        match Callback::parse(&url) {
            Ok(Some(cb)) => {
                let r = cb.validate(&state(), ISS);
                if let Err(e) = r { let _ = e.code(); }
            }
            Ok(None) => {}
            Err(e) => { let _ = e.code(); }
        }
    }
}

#[test]
fn rfc9207_iss_must_equal_the_expected_issuer_when_present() {
    // Absent: accepted.
    parse("?code=a&state=15773059ghq9183habn")
        .validate(&state(), ISS)
        .unwrap();
    // Present and equal: accepted, on success and on error redirects.
    let cb = parse("?code=a&state=15773059ghq9183habn&iss=https%3A%2F%2Fdiscord.com");
    assert_eq!(cb.issuer(), Some(ISS));
    cb.validate(&state(), ISS).unwrap();
    let denied =
        parse("?error=access_denied&state=15773059ghq9183habn&iss=https%3A%2F%2Fdiscord.com");
    assert!(matches!(
        denied.validate(&state(), ISS),
        Err(Error::AccessDenied { .. })
    ));
    // Another issuer (a mix-up): refused like a state mismatch, also for an error.
    for url in [
        "?code=a&state=15773059ghq9183habn&iss=https%3A%2F%2Fevil.example",
        "?code=a&state=15773059ghq9183habn&iss=https%3A%2F%2Fdiscord.com%2F",
        "?error=access_denied&state=15773059ghq9183habn&iss=https%3A%2F%2Fevil.example",
    ] {
        let e = parse(url).validate(&state(), ISS).unwrap_err();
        assert!(matches!(e, Error::InvalidState), "{url}");
        assert_eq!(e.code(), ErrorCode::InvalidState);
    }
    // Repeated or empty: malformed.
    assert_eq!(
        parse_err("?code=a&state=s&iss=x&iss=y"),
        CallbackError::Repeated("iss")
    );
    assert_eq!(
        parse_err("?code=a&state=s&iss="),
        CallbackError::Empty("iss")
    );
}
