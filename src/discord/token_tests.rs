use super::*;
use crate::discord::callback::Callback;
use crate::discord::error::ErrorCode;
use crate::discord::json::SerdeJson;
use crate::discord::secret::{AuthorizationCode, BotToken};
use crate::discord::state::State;
use proptest::prelude::*;

/// https://discord.com/developers/docs/topics/oauth2#authorization-code-grant-access-token-response
const DOCS_TOKEN: &str = r#"{"access_token":"6qrZcUqja7812RVdnEKjpzOL4CvHBFG","token_type":"Bearer","expires_in":604800,"refresh_token":"D43f5y0ahjqew82jZ4NViEr2YafMKhue","scope":"identify"}"#;

/// https://discord.com/developers/docs/topics/oauth2#webhooks-webhook-token-response-example
const DOCS_WEBHOOK_TOKEN: &str = r#"{
  "token_type": "Bearer",
  "access_token": "GNaVzEtATqdh173tNHEXY9ZYAuhiYxvy",
  "scope": "webhook.incoming",
  "expires_in": 604800,
  "refresh_token": "PvPL7ELyMDc1836457XCDh1Y8jPbRm",
  "webhook": {
    "application_id": "310954232226357250",
    "name": "testwebhook",
    "url": "https://discord.com/api/webhooks/347114750880120863/kKDdjXa1g9tKNs0-_yOwLyALC9gydEWP6gr9sHabuK1vuofjhQDDnlOclJeRIvYK-pj_",
    "channel_id": "345626669224982402",
    "token": "kKDdjXa1g9tKNs0-_yOwLyALC9gydEWP6gr9sHabuK1vuofjhQDDnlOclJeRIvYK-pj_",
    "type": 1,
    "avatar": null,
    "guild_id": "290926792226357250",
    "id": "347114750880120863"
  }
}"#;

/// https://discord.com/developers/docs/reference#error-messages-example-json-error-response
const DOCS_50035: &str = r#"{"code": 50035, "errors": {"access_token": {"_errors": [{"code": "BASE_TYPE_REQUIRED", "message": "This field is required"}]}}, "message": "Invalid Form Body"}"#;

fn resp(status: u16, body: &str) -> HttpResponse {
    HttpResponse::new(
        status,
        vec![("Content-Type".into(), "application/json".into())],
        body.into(),
    )
}

fn basic() -> ClientAuth {
    ClientAuth::Basic {
        client_id: "332269999912132097".into(),
        secret: ClientSecret::new("937it3ow87i4ery69876wqire"),
    }
}

fn validated_code() -> ValidatedCallback {
    let state = State::from_string("st4te-value").unwrap();
    Callback::parse("?code=NhhvTDYsFcdgNLnnLijcl7Ku7bEEeee&state=st4te-value")
        .unwrap()
        .unwrap()
        .validate(&state, "https://discord.com")
        .unwrap()
}

fn form(req: &HttpRequest) -> Vec<(String, String)> {
    let body = req.body.as_ref().unwrap();
    assert!(matches!(body, Body::Form(_)));
    form_urlencoded::parse(body.as_str().as_bytes())
        .into_owned()
        .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn docs_access_token_response() {
    let t = process_token_response::<SerdeJson>(&resp(200, DOCS_TOKEN), 1_700_000_000_000).unwrap();
    assert_eq!(t.access_token.secret(), "6qrZcUqja7812RVdnEKjpzOL4CvHBFG");
    assert_eq!(t.token_type, "Bearer");
    assert_eq!(t.expires_at_ms, 1_700_000_000_000 + 604_800_000);
    assert_eq!(
        t.refresh_token.as_ref().unwrap().secret(),
        "D43f5y0ahjqew82jZ4NViEr2YafMKhue"
    );
    assert_eq!(t.scope, "identify");
    assert_eq!(t.scopes().unwrap(), Scope::Identify.into());
    assert!(t.has_scope(Scope::Identify) && !t.has_scope(Scope::Guilds));
    assert!(!t.expires_within(1_700_000_000_000, 60_000));
    assert!(t.expires_within(1_700_000_000_000 + 604_800_000 - 60_000, 60_000));
    assert!(t.is_expired(1_700_000_000_000 + 604_800_000));
    assert_eq!(
        (t.guild.is_none(), t.webhook.is_none(), t.id_token.is_none()),
        (true, true, true)
    );
}

#[test]
fn token_set_json_shape() {
    let t = process_token_response::<SerdeJson>(&resp(200, DOCS_TOKEN), 5).unwrap();
    let json = serde_json::to_string(&t).unwrap();
    assert_eq!(
        json,
        r#"{"access_token":"6qrZcUqja7812RVdnEKjpzOL4CvHBFG","token_type":"Bearer","expires_at":604800005,"refresh_token":"D43f5y0ahjqew82jZ4NViEr2YafMKhue","scope":"identify"}"#
    );
    assert_eq!(serde_json::from_str::<TokenSet>(&json).unwrap(), t);
    let w = process_token_response::<SerdeJson>(&resp(200, DOCS_WEBHOOK_TOKEN), 0).unwrap();
    let back: TokenSet = serde_json::from_str(&serde_json::to_string(&w).unwrap()).unwrap();
    assert_eq!(back, w);
}

#[test]
fn webhook_and_guild_are_kept() {
    let t = process_token_response::<SerdeJson>(&resp(200, DOCS_WEBHOOK_TOKEN), 0).unwrap();
    let hook = t.webhook.as_ref().unwrap();
    assert_eq!(
        hook.get("id").and_then(|v| v.as_str()),
        Some("347114750880120863")
    );
    #[derive(serde::Deserialize)]
    struct MiniHook {
        id: String,
        token: String,
    }
    let m: MiniHook = t.webhook_as::<SerdeJson, MiniHook>().unwrap().unwrap();
    assert_eq!(m.id, "347114750880120863");
    assert!(m.token.starts_with("kKDd"));
    // The webhook token never shows in Debug.
    assert!(!format!("{t:?}").contains("kKDd"));

    let bot = r#"{"token_type":"Bearer","guild":{"id":"2909267986347357250","name":"SomeTest","roles":[{"permissions":49794241}]},"access_token":"zMndOe7jFLXGawdlxMOdNvXjjOce5X","scope":"bot","expires_in":604800,"refresh_token":"mgp8qnvBwJcmadwgCYKyYD5CAzGAX4"}"#;
    let t = process_token_response::<SerdeJson>(&resp(200, bot), 0).unwrap();
    assert_eq!(
        t.guild
            .as_ref()
            .and_then(|g| g.get("name"))
            .and_then(|n| n.as_str()),
        Some("SomeTest")
    );
    let guild = t.guild_model::<SerdeJson>().unwrap().unwrap();
    assert_eq!(guild.name, "SomeTest");
    assert!(t.webhook_model::<SerdeJson>().is_none());
    let w = process_token_response::<SerdeJson>(&resp(200, DOCS_WEBHOOK_TOKEN), 0).unwrap();
    let hook = w.webhook_model::<SerdeJson>().unwrap().unwrap();
    assert_eq!(hook.id.to_string(), "347114750880120863");
    assert!(hook.token.is_some());
}

#[test]
fn client_credentials_response_has_no_refresh_token() {
    let body = r#"{"access_token":"6qrZcUqja7812RVdnEKjpzOL4CvHBFG","token_type":"Bearer","expires_in":604800,"scope":"identify connections"}"#;
    let t = process_token_response::<SerdeJson>(&resp(200, body), 0).unwrap();
    assert!(t.refresh_token.is_none());
    assert_eq!(t.scopes().unwrap().len(), 2);
}

#[test]
fn malformed_token_responses_are_parse_errors() {
    for body in [
        "",
        "not json",
        "[]",
        r#"{"token_type":"Bearer","expires_in":1}"#,
        r#"{"access_token":"","token_type":"Bearer","expires_in":1}"#,
        r#"{"access_token":"a","token_type":"mac","expires_in":1}"#,
        r#"{"access_token":"a","token_type":"Bearer"}"#,
        r#"{"access_token":"a","token_type":"Bearer","expires_in":-5}"#,
        r#"{"access_token":"a","token_type":"Bearer","expires_in":"SECRETISH"}"#,
    ] {
        match process_token_response::<SerdeJson>(&resp(200, body), 0) {
            Err(Error::Parse {
                status: 200,
                reason,
                body: raw,
            }) => {
                assert_eq!(raw.expose(), body);
                assert!(!reason.contains("SECRETISH"), "{reason}");
            }
            other => panic!("{body}: {other:?}"),
        }
    }
    let huge = r#"{"access_token":"a","token_type":"bearer","expires_in":1e300}"#;
    assert_eq!(
        process_token_response::<SerdeJson>(&resp(200, huge), 5)
            .unwrap()
            .expires_at_ms,
        u64::MAX
    );
}

#[test]
fn token_endpoint_errors() {
    let e = process_token_response::<SerdeJson>(
        &resp(
            400,
            r#"{"error": "invalid_grant", "error_description": "Invalid \"code\" in request."}"#,
        ),
        0,
    )
    .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidGrant);
    assert_eq!(e.status(), Some(400));
    assert_eq!(e.description(), Some("Invalid \"code\" in request."));

    let e = process_token_response::<SerdeJson>(&resp(401, r#"{"error": "invalid_client"}"#), 0)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ConfigError);

    let limited = HttpResponse::new(
        429,
        vec![("Retry-After".into(), "2".into())],
        r#"{"message": "You are being rate limited.", "retry_after": 1.5, "global": false}"#.into(),
    );
    let e = process_token_response::<SerdeJson>(&limited, 0).unwrap_err();
    assert_eq!(
        (e.code(), e.retry_after(), e.global()),
        (ErrorCode::RateLimited, Some(1.5), Some(false))
    );

    let e =
        process_token_response::<SerdeJson>(&resp(502, "<html>Bad gateway</html>"), 0).unwrap_err();
    assert!(matches!(e, Error::Parse { status: 502, .. }));
    assert_eq!(e.code(), ErrorCode::ServerError);

    let e = process_token_response::<SerdeJson>(
        &resp(503, r#"{"error":"temporarily_unavailable"}"#),
        0,
    )
    .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ServerError);

    assert!(process_revoke_response::<SerdeJson>(&resp(200, "{}")).is_ok());
    let e = process_revoke_response::<SerdeJson>(&resp(401, r#"{"error":"invalid_client"}"#))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ConfigError);
}

#[test]
fn api_errors_from_response() {
    let e = Error::from_response::<SerdeJson>(&resp(400, DOCS_50035));
    match &e {
        Error::Api {
            status: 400,
            code: 50035,
            message,
            errors: Some(raw),
        } => {
            assert_eq!(message, "Invalid Form Body");
            assert!(raw.expose().contains("BASE_TYPE_REQUIRED"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(e.code(), ErrorCode::InvalidRequest);
    let e = Error::from_response::<SerdeJson>(&resp(
        401,
        r#"{"message": "401: Unauthorized", "code": 0}"#,
    ));
    assert_eq!(
        (e.code(), e.discord_code()),
        (ErrorCode::Unauthorized, Some(0))
    );
    let e = Error::from_response::<SerdeJson>(&resp(
        403,
        r#"{"message": "Missing Access", "code": 50001}"#,
    ));
    assert_eq!(
        (e.code(), e.discord_code()),
        (ErrorCode::Forbidden, Some(50001))
    );
    let e = Error::from_response::<SerdeJson>(&resp(
        404,
        r#"{"message": "Unknown Guild", "code": 10004}"#,
    ));
    assert_eq!(e.code(), ErrorCode::NotFound);
    let e = Error::from_response::<SerdeJson>(&resp(404, ""));
    assert_eq!(e.code(), ErrorCode::NotFound);
    let e = Error::from_response::<SerdeJson>(&resp(500, "oops"));
    assert_eq!(e.code(), ErrorCode::ServerError);
    let e =
        Error::from_response::<SerdeJson>(&resp(429, r#"{"retry_after": 0.25, "global": true}"#));
    assert_eq!(
        (e.code(), e.retry_after(), e.global()),
        (ErrorCode::RateLimited, Some(0.25), Some(true))
    );
    let e = Error::from_response::<SerdeJson>(&resp(200, "{}"));
    assert!(matches!(e, Error::Parse { status: 200, .. }));
}

#[test]
fn activity_code_exchange_has_no_redirect_uri() {
    let cfg = ApiConfig::default();
    let code = AuthorizationCode::new("ACTIVITYCODE");
    let req = exchange_activity_code(&cfg, &basic(), &code, None).unwrap();
    assert_eq!(req.url, "https://discord.com/api/v10/oauth2/token");
    assert_eq!(
        req.header("authorization"),
        Some("Basic MzMyMjY5OTk5OTEyMTMyMDk3OjkzN2l0M293ODdpNGVyeTY5ODc2d3FpcmU=")
    );
    assert_eq!(
        form(&req),
        pairs(&[
            ("grant_type", "authorization_code"),
            ("code", "ACTIVITYCODE")
        ])
    );
    let v = PkceCodeVerifier::from_string("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
    let req = exchange_activity_code(&cfg, &basic(), &code, Some(&v)).unwrap();
    assert!(form(&req).contains(&("code_verifier".into(), v.secret().into())));
    assert!(!form(&req).iter().any(|(k, _)| k == "redirect_uri"));
    let public = ClientAuth::Public {
        client_id: "1".into(),
    };
    assert!(exchange_activity_code(&cfg, &public, &code, None).is_err());
    assert!(exchange_activity_code(&cfg, &basic(), &AuthorizationCode::new(""), None).is_err());
}

#[test]
fn exchange_code_request_shapes() {
    let cfg = ApiConfig::default();
    let cb = validated_code();
    let req = exchange_code(&cfg, &basic(), &cb, "https://nicememe.website", None).unwrap();
    assert_eq!(req.method, Method::Post);
    assert_eq!(req.url, "https://discord.com/api/v10/oauth2/token");
    assert_eq!(req.route, TOKEN_ROUTE);
    assert_eq!(
        req.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(req.header("accept"), Some("application/json"));
    assert_eq!(req.header("user-agent"), Some(cfg.user_agent.as_str()));
    // base64("332269999912132097:937it3ow87i4ery69876wqire")
    assert_eq!(
        req.header("authorization"),
        Some("Basic MzMyMjY5OTk5OTEyMTMyMDk3OjkzN2l0M293ODdpNGVyeTY5ODc2d3FpcmU=")
    );
    assert_eq!(
        form(&req),
        pairs(&[
            ("grant_type", "authorization_code"),
            ("code", "NhhvTDYsFcdgNLnnLijcl7Ku7bEEeee"),
            ("redirect_uri", "https://nicememe.website"),
        ])
    );

    let body_auth = ClientAuth::Body {
        client_id: "1".into(),
        secret: ClientSecret::new("s"),
    };
    let v = PkceCodeVerifier::from_string("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
    let req = exchange_code(&cfg, &body_auth, &cb, "https://a.test/cb", Some(&v)).unwrap();
    assert_eq!(req.header("authorization"), None);
    let f = form(&req);
    assert!(f.contains(&("code_verifier".into(), v.secret().into())));
    assert!(f.contains(&("client_id".into(), "1".into())));
    assert!(f.contains(&("client_secret".into(), "s".into())));

    let public = ClientAuth::Public {
        client_id: "1".into(),
    };
    let req = exchange_code(
        &ApiConfig::with_base("http://127.0.0.1:8790/api/v10/"),
        &public,
        &cb,
        "https://a.test/cb",
        Some(&v),
    )
    .unwrap();
    assert_eq!(req.url, "http://127.0.0.1:8790/api/v10/oauth2/token");
    assert!(!form(&req).iter().any(|(k, _)| k == "client_secret"));
    assert!(exchange_code(&cfg, &public, &cb, "https://a.test/cb", None).is_err());
    assert!(exchange_code(&cfg, &basic(), &cb, "", None).is_err());
    let bad = ClientAuth::Basic {
        client_id: "a:b".into(),
        secret: ClientSecret::new("s"),
    };
    assert_eq!(
        exchange_code(&cfg, &bad, &cb, "https://a", None)
            .unwrap_err()
            .code(),
        ErrorCode::ConfigError
    );

    let implicit =
        Callback::parse("#access_token=a&token_type=Bearer&expires_in=1&state=st4te-value")
            .unwrap()
            .unwrap()
            .validate(
                &State::from_string("st4te-value").unwrap(),
                "https://discord.com",
            )
            .unwrap();
    assert!(exchange_code(&cfg, &basic(), &implicit, "https://a.test/cb", None).is_err());
}

#[test]
fn refresh_client_credentials_and_revoke_shapes() {
    let cfg = ApiConfig::default();
    let req = refresh_token(
        &cfg,
        &basic(),
        &RefreshToken::new("D43f5y0ahjqew82jZ4NViEr2YafMKhue"),
    )
    .unwrap();
    assert_eq!(
        form(&req),
        pairs(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", "D43f5y0ahjqew82jZ4NViEr2YafMKhue")
        ])
    );
    assert!(refresh_token(&cfg, &basic(), &RefreshToken::new("")).is_err());

    let scopes = Scopes::parse("identify connections").unwrap();
    let body_auth = ClientAuth::Body {
        client_id: "332269999912132097".into(),
        secret: ClientSecret::new("937it3ow87i4ery69876wqire"),
    };
    let req = client_credentials(&cfg, &body_auth, &scopes).unwrap();
    assert!(req.header("authorization").unwrap().starts_with("Basic "));
    assert_eq!(
        form(&req),
        pairs(&[
            ("grant_type", "client_credentials"),
            ("scope", "connections identify")
        ])
    );
    let req = client_credentials(&cfg, &basic(), &Scopes::new()).unwrap();
    assert_eq!(form(&req), pairs(&[("grant_type", "client_credentials")]));
    assert!(
        client_credentials(
            &cfg,
            &ClientAuth::Public {
                client_id: "1".into()
            },
            &scopes
        )
        .is_err()
    );

    let at = AccessToken::new("6qrZcUqja7812RVdnEKjpzOL4CvHBFG");
    let req = revoke(&cfg, &basic(), RevocableToken::Access(&at)).unwrap();
    assert_eq!(req.url, "https://discord.com/api/v10/oauth2/token/revoke");
    assert_eq!(req.route, REVOKE_ROUTE);
    assert_eq!(
        form(&req),
        pairs(&[("token", at.secret()), ("token_type_hint", "access_token")])
    );
    let rt = RefreshToken::new("r");
    let req = revoke(
        &cfg,
        &ClientAuth::Public {
            client_id: "1".into(),
        },
        RevocableToken::Refresh(&rt),
    )
    .unwrap();
    assert_eq!(
        form(&req),
        pairs(&[
            ("token", "r"),
            ("token_type_hint", "refresh_token"),
            ("client_id", "1")
        ])
    );
}

#[test]
fn debug_redacts_secrets() {
    const SECRETS: &[&str] = &[
        "CLIENTSECRET",
        "ACCESSTOKEN",
        "REFRESHTOKEN",
        "BOTTOKEN",
        "AUTHCODE",
        "VERIFIERVERIFIERVERIFIERVERIFIERVERIFIERVERIFIER",
        "IDTOKEN",
        "STATESTATE",
    ];
    let mut printed = vec![
        format!("{:?}", ClientSecret::new("CLIENTSECRET")),
        format!("{:?}", AccessToken::new("ACCESSTOKEN")),
        format!("{:?}", RefreshToken::new("REFRESHTOKEN")),
        format!("{:?}", BotToken::new("BOTTOKEN")),
        format!("{:?}", AuthorizationCode::new("AUTHCODE")),
        format!("{:?}", PkceCodeVerifier::from_string(SECRETS[5]).unwrap()),
        format!("{:?}", State::from_string("STATESTATE").unwrap()),
    ];
    let auth = ClientAuth::Basic {
        client_id: "1".into(),
        secret: ClientSecret::new("CLIENTSECRET"),
    };
    printed.push(format!("{auth:?}"));
    let token = TokenSet {
        access_token: AccessToken::new("ACCESSTOKEN"),
        token_type: "Bearer".into(),
        expires_at_ms: 1,
        refresh_token: Some(RefreshToken::new("REFRESHTOKEN")),
        scope: "identify".into(),
        guild: None,
        webhook: Some(JsonValue::Object(vec![(
            "token".into(),
            JsonValue::String("BOTTOKEN".into()),
        )])),
        id_token: Some("IDTOKEN".into()),
    };
    printed.push(format!("{token:?}"));
    let v = PkceCodeVerifier::from_string(SECRETS[5]).unwrap();
    let cb = Callback::parse("?code=AUTHCODE&state=STATESTATE")
        .unwrap()
        .unwrap();
    printed.push(format!("{cb:?}"));
    let cb = cb
        .validate(
            &State::from_string("STATESTATE").unwrap(),
            "https://discord.com",
        )
        .unwrap();
    printed.push(format!("{cb:?}"));
    let req = exchange_code(
        &ApiConfig::default(),
        &auth,
        &cb,
        "https://a.test/cb",
        Some(&v),
    )
    .unwrap();
    printed.push(format!("{req:?}"));
    let body_auth = ClientAuth::Body {
        client_id: "1".into(),
        secret: ClientSecret::new("CLIENTSECRET"),
    };
    printed.push(format!(
        "{:?}",
        refresh_token(
            &ApiConfig::default(),
            &body_auth,
            &RefreshToken::new("REFRESHTOKEN")
        )
        .unwrap()
    ));
    let failed =
        process_token_response::<SerdeJson>(&resp(200, r#"{"access_token":"ACCESSTOKEN"}"#), 0)
            .unwrap_err();
    printed.push(format!("{failed:?}"));
    printed.push(failed.to_string());
    printed.push(format!(
        "{:?}",
        resp(200, r#"{"access_token":"ACCESSTOKEN"}"#)
    ));
    for text in &printed {
        for secret in SECRETS {
            assert!(!text.contains(secret), "{secret} leaked in {text}");
        }
    }
    // Basic credentials are redacted too (base64 of the secret).
    assert!(!printed.iter().any(|t| t.contains("Basic ")));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn token_parser_never_panics(status in 100u16..600, body in ".{0,200}", now in any::<u64>()) {
        let r = process_token_response::<SerdeJson>(&resp(status, &body), now);
        if let Err(e) = r { let _ = (e.code(), e.to_string()); }
    }

    #[test]
    fn token_parser_never_panics_on_json_like_input(
        status in prop_oneof![Just(200u16), Just(400), Just(401), Just(429), Just(500)],
        access in prop_oneof![Just("\"a\"".to_owned()), Just("1".to_owned()), Just("null".to_owned())],
        expires in prop_oneof![any::<f64>().prop_map(|f| f.to_string()), Just("\"x\"".to_owned()), any::<i64>().prop_map(|i| i.to_string())],
        extra in "[a-z_]{0,8}",
    ) {
        let body = format!(r#"{{"access_token":{access},"token_type":"Bearer","expires_in":{expires},"{extra}":{{"retry_after":{expires}}},"error":"{extra}"}}"#);
        let r = process_token_response::<SerdeJson>(&resp(status, &body), 1);
        if let Err(e) = r { let _ = (e.code(), e.to_string()); }
        let _ = Error::from_response::<SerdeJson>(&resp(status, &body)).code();
    }
}

/// Regression (fuzz/token_response): a mistyped string value holding a `"` is printed by
/// serde with the quote escaped (`"x\"SECRET"`); the redaction must not stop at that quote.
#[test]
fn parse_error_reason_redacts_values_with_escaped_quotes() {
    for body in [
        r#"{"access_token":"a","token_type":"Bearer","expires_in":"x\"SECRETTOKEN"}"#,
        r#"{"access_token":"a","token_type":"Bearer","expires_in":"\\\"SECRETTOKEN\\"}"#,
        r#"{"access_token":"a","token_type":"Bearer","expires_in":"a\"b\"SECRETTOKEN"}"#,
    ] {
        let e = process_token_response::<SerdeJson>(&resp(200, body), 0).unwrap_err();
        for printed in [format!("{e:?}"), e.to_string()] {
            assert!(!printed.contains("SECRETTOKEN"), "{body}: {printed}");
        }
    }
    assert_eq!(
        without_quoted(r#"invalid type: string "x\"y", expected f64 at line 1"#),
        "invalid type: string …, expected f64 at line 1"
    );
}
