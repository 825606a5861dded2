use super::*;
use crate::discord::ErrorCode;
use crate::discord::json::{JsonCodec, SerdeJson};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

const ISS: &str = "https://discord.com";
const CLIENT: &str = "1100000000000000001";
const NOW_MS: u64 = 1_800_000_000_000;
const NOW: u64 = NOW_MS / 1000;

fn b64(s: &str) -> String {
    URL_SAFE_NO_PAD.encode(s.as_bytes())
}

fn token(header: &str, claims: &str) -> String {
    format!("{}.{}.{}", b64(header), b64(claims), b64("signature"))
}

fn claims_with(extra: &str) -> String {
    format!(
        r#"{{"iss":"{ISS}","sub":"80351110224678912","aud":"{CLIENT}","iat":{NOW},"exp":{},"auth_time":{NOW},"nonce":"n-0S6_WzA2Mj"{extra}}}"#,
        NOW + 600
    )
}

const HEADER: &str = r#"{"alg":"RS256","typ":"JWT","kid":"k1"}"#;

fn parse(raw: &str) -> Result<IdToken, IdTokenError> {
    IdToken::parse::<SerdeJson>(raw)
}

fn nonce() -> Nonce {
    Nonce::from_string("n-0S6_WzA2Mj")
}

fn check(claims: &str) -> Result<(), IdTokenError> {
    let n = nonce();
    let expected = Expected {
        issuer: ISS,
        client_id: CLIENT,
        nonce: Some(&n),
        now_ms: NOW_MS,
    };
    parse(&token(HEADER, claims))?.check_claims(&expected)
}

fn replace(claims: &str, from: &str, to: &str) -> String {
    assert!(claims.contains(from), "{from} not in {claims}");
    claims.replace(from, to)
}

#[test]
fn a_good_token_passes_and_exposes_signing_input_and_signature() {
    let raw = token(HEADER, &claims_with(""));
    let t = parse(&raw).unwrap();
    assert_eq!(t.kid(), Some("k1"));
    assert_eq!(t.signature(), b"signature");
    let (input, _) = raw.rsplit_once('.').unwrap();
    assert_eq!(t.signing_input(), input);
    assert_eq!(
        t.claims().sub.as_ref().and_then(JsonValue::as_str),
        Some("80351110224678912")
    );
    // Only the checked members are read into `claims()`; the rest stay in the JSON text.
    assert!(t.claims_json().contains("auth_time"));
    assert_eq!(t.claims().azp, None);
    // The claims' JSON text is the token's own, byte for byte (the browser parses it itself).
    assert_eq!(t.claims_json(), claims_with(""));
    check(&claims_with("")).unwrap();
}

#[test]
fn algorithms_other_than_rs256_are_refused_before_any_key() {
    for alg in ["none", "HS256", "RS384", "ES256", "PS256", "rs256"] {
        let h = format!(r#"{{"alg":"{alg}","kid":"k1"}}"#);
        assert_eq!(
            parse(&token(&h, &claims_with(""))).unwrap_err(),
            IdTokenError::Algorithm,
            "{alg}"
        );
    }
    // `alg: none` with an empty signature part, as forged tokens send it.
    let unsigned = format!("{}.{}.", b64(r#"{"alg":"none"}"#), b64(&claims_with("")));
    assert_eq!(parse(&unsigned).unwrap_err(), IdTokenError::Algorithm);
    // No alg at all.
    assert_eq!(
        parse(&token(r#"{"kid":"k1"}"#, &claims_with(""))).unwrap_err(),
        IdTokenError::Algorithm
    );
}

#[test]
fn malformed_tokens_are_refused() {
    for raw in [
        "",
        "a.b",
        "a.b.c.d",
        "!!.e30.c2ln",
        &format!("{}.{}.", b64(HEADER), b64(&claims_with(""))),
        &format!("{}.{}.c2ln", b64(HEADER), b64("[1]")),
        &format!("{}.{}.c2ln", b64(HEADER), b64("not json")),
        &format!("{}.{}.c2ln", b64("{}x"), b64(&claims_with(""))),
        &format!(
            "{}.{}.c2ln",
            b64(r#"{"alg":"RS256","crit":["b64"]}"#),
            b64(&claims_with(""))
        ),
        &format!(
            "{}.{}.c2ln",
            b64(r#"{"alg":"RS256","kid":7}"#),
            b64(&claims_with(""))
        ),
        // `null` is a present member: a null `kid` is not a string, a null `crit` is a `crit`.
        &format!(
            "{}.{}.c2ln",
            b64(r#"{"alg":"RS256","kid":null}"#),
            b64(&claims_with(""))
        ),
        &format!(
            "{}.{}.c2ln",
            b64(r#"{"alg":"RS256","crit":null}"#),
            b64(&claims_with(""))
        ),
        // An array is not a claims object, even one serde could read field by field.
        &format!(
            "{}.{}.c2ln",
            b64(HEADER),
            b64(r#"["https://discord.com","80351110224678912"]"#)
        ),
    ] {
        assert!(
            matches!(parse(raw), Err(IdTokenError::Malformed(_))),
            "{raw}"
        );
    }
    assert!(matches!(
        parse(&"a".repeat(MAX_ID_TOKEN_LEN + 1)),
        Err(IdTokenError::Malformed(_))
    ));
}

#[test]
fn expired_and_future_tokens_are_refused_beyond_the_leeway() {
    let c = claims_with("");
    let exp = format!(r#""exp":{}"#, NOW + 600);
    // Within 60 s of expiry: accepted.
    check(&replace(&c, &exp, &format!(r#""exp":{}"#, NOW - 59))).unwrap();
    assert_eq!(
        check(&replace(&c, &exp, &format!(r#""exp":{}"#, NOW - 61))),
        Err(IdTokenError::Expired)
    );
    let iat = format!(r#""iat":{NOW}"#);
    check(&replace(&c, &iat, &format!(r#""iat":{}"#, NOW + 59))).unwrap();
    assert_eq!(
        check(&replace(&c, &iat, &format!(r#""iat":{}"#, NOW + 61))),
        Err(IdTokenError::IssuedInFuture)
    );
    assert_eq!(
        check(&replace(&c, &exp, r#""exp":"soon""#)),
        Err(IdTokenError::MissingClaim("exp"))
    );
    assert_eq!(
        check(&replace(&c, &format!("{iat},"), "")),
        Err(IdTokenError::MissingClaim("iat"))
    );
}

#[test]
fn wrong_issuer_and_audience_are_refused() {
    let c = claims_with("");
    assert_eq!(
        check(&replace(&c, ISS, "https://evil.example")),
        Err(IdTokenError::Issuer)
    );
    assert_eq!(
        check(&replace(&c, ISS, "https://discord.com/")),
        Err(IdTokenError::Issuer)
    );
    let aud = format!(r#""aud":"{CLIENT}""#);
    assert_eq!(
        check(&replace(&c, &aud, r#""aud":"1100000000000000999""#)),
        Err(IdTokenError::Audience)
    );
    // An array holding the client id: accepted alone, or with `azp` = client id.
    check(&replace(&c, &aud, &format!(r#""aud":["{CLIENT}"]"#))).unwrap();
    let several = replace(
        &c,
        &aud,
        &format!(r#""aud":["{CLIENT}","1100000000000000999"]"#),
    );
    assert_eq!(check(&several), Err(IdTokenError::Audience));
    check(&replace(
        &several,
        r#""sub""#,
        &format!(r#""azp":"{CLIENT}","sub""#),
    ))
    .unwrap();
    assert_eq!(
        check(&replace(
            &several,
            r#""sub""#,
            r#""azp":"1100000000000000999","sub""#
        )),
        Err(IdTokenError::Audience)
    );
    assert_eq!(
        check(&replace(&c, &aud, r#""aud":7"#)),
        Err(IdTokenError::MissingClaim("aud"))
    );
    assert_eq!(
        check(&replace(&c, r#""sub":"80351110224678912""#, r#""sub":"""#)),
        Err(IdTokenError::MissingClaim("sub"))
    );
}

#[test]
fn missing_or_mismatched_nonce_is_refused() {
    let c = claims_with("");
    assert_eq!(
        check(&replace(&c, "n-0S6_WzA2Mj", "other")),
        Err(IdTokenError::Nonce)
    );
    assert_eq!(
        check(&replace(&c, r#","nonce":"n-0S6_WzA2Mj""#, "")),
        Err(IdTokenError::Nonce)
    );
    // No nonce sent: none checked.
    let expected = Expected {
        issuer: ISS,
        client_id: CLIENT,
        nonce: None,
        now_ms: NOW_MS,
    };
    parse(&token(
        HEADER,
        &replace(&c, r#","nonce":"n-0S6_WzA2Mj""#, ""),
    ))
    .unwrap()
    .check_claims(&expected)
    .unwrap();
}

#[test]
fn at_hash_is_checked_against_the_access_token() {
    let at = AccessToken::new("6qrZcUqja7812RVdnEKjpzOL4CvHBFG");
    let digest = Sha256::digest(at.secret().as_bytes());
    let good = URL_SAFE_NO_PAD.encode(&digest[..16]);
    let with = |h: &str| claims_with(&format!(r#","at_hash":"{h}""#));
    parse(&token(HEADER, &with(&good)))
        .unwrap()
        .check_at_hash(&at)
        .unwrap();
    assert_eq!(
        parse(&token(HEADER, &with("AAAAAAAAAAAAAAAAAAAAAA")))
            .unwrap()
            .check_at_hash(&at),
        Err(IdTokenError::AtHash)
    );
    // No at_hash: nothing to check.
    parse(&token(HEADER, &claims_with("")))
        .unwrap()
        .check_at_hash(&at)
        .unwrap();
}

fn jwk(kid: &str) -> Jwk {
    Jwk {
        kty: "RSA".into(),
        kid: Some(kid.into()),
        alg: Some("RS256".into()),
        use_: Some("sig".into()),
        n: "AQAB".into(),
        e: "AQAB".into(),
    }
}

#[test]
fn the_key_is_chosen_by_kid_and_an_unknown_kid_refetches_once() {
    let t = parse(&token(HEADER, &claims_with(""))).unwrap();
    let empty = Jwks::default();
    assert!(empty.is_stale(NOW_MS));
    assert_eq!(empty.select(&t, false), Ok(KeyChoice::Refetch));
    let other = Jwks {
        keys: vec![jwk("k0")],
        fetched_at_ms: NOW_MS,
    };
    assert!(!other.is_stale(NOW_MS + 1000));
    assert!(other.is_stale(NOW_MS + JWKS_MAX_AGE_MS + 1));
    // Unknown kid: refetch once, then refused.
    assert_eq!(other.select(&t, false), Ok(KeyChoice::Refetch));
    assert_eq!(other.select(&t, true), Err(IdTokenError::UnknownKey));
    let rotated = Jwks {
        keys: vec![jwk("k0"), jwk("k1")],
        fetched_at_ms: NOW_MS,
    };
    assert_eq!(
        rotated.select(&t, true),
        Ok(KeyChoice::Use(&rotated.keys[1]))
    );
}

#[test]
fn a_key_that_does_not_allow_rs256_is_refused() {
    let t = parse(&token(HEADER, &claims_with(""))).unwrap();
    for k in [
        Jwk {
            alg: Some("HS256".into()),
            ..jwk("k1")
        },
        Jwk {
            kty: "oct".into(),
            ..jwk("k1")
        },
        Jwk {
            use_: Some("enc".into()),
            ..jwk("k1")
        },
        Jwk {
            n: String::new(),
            ..jwk("k1")
        },
    ] {
        let set = Jwks {
            keys: vec![k],
            fetched_at_ms: NOW_MS,
        };
        assert_eq!(set.select(&t, false), Err(IdTokenError::KeyNotAllowed));
    }
    // No alg / use on the key: allowed.
    let bare = Jwks {
        keys: vec![Jwk {
            alg: None,
            use_: None,
            ..jwk("k1")
        }],
        fetched_at_ms: NOW_MS,
    };
    assert!(matches!(bare.select(&t, false), Ok(KeyChoice::Use(_))));
}

#[test]
fn a_token_without_kid_uses_the_only_key() {
    let t = parse(&token(r#"{"alg":"RS256"}"#, &claims_with(""))).unwrap();
    let one = Jwks {
        keys: vec![jwk("k1")],
        fetched_at_ms: NOW_MS,
    };
    assert!(matches!(one.select(&t, false), Ok(KeyChoice::Use(_))));
    let two = Jwks {
        keys: vec![jwk("k1"), jwk("k2")],
        fetched_at_ms: NOW_MS,
    };
    assert_eq!(two.select(&t, true), Err(IdTokenError::UnknownKey));
}

#[test]
fn jwks_and_userinfo_requests_and_answers() {
    let cfg = ApiConfig::with_base("http://127.0.0.1:8790/api/v10");
    let r = jwks_request(&cfg);
    assert_eq!(r.url, "http://127.0.0.1:8790/api/v10/oauth2/keys");
    assert_eq!(r.method, Method::Get);
    assert!(r.header("authorization").is_none());
    let body = r#"{"keys":[{"kty":"RSA","use":"sig","alg":"RS256","kid":"a","n":"AQAB","e":"AQAB"},{"kty":"EC","crv":"P-256","x":"1","y":"2"},"junk"]}"#;
    let set =
        process_jwks_response::<SerdeJson>(&HttpResponse::new(200, vec![], body.into()), NOW_MS)
            .unwrap();
    assert_eq!(set.keys.len(), 2);
    assert_eq!(set.keys[0].kid.as_deref(), Some("a"));
    assert!(!set.keys[1].allows_rs256());
    assert_eq!(set.fetched_at_ms, NOW_MS);
    let e =
        process_jwks_response::<SerdeJson>(&HttpResponse::new(503, vec![], "oops".into()), NOW_MS)
            .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ServerError);

    let at = AccessToken::new("tok");
    let u = userinfo_request(&cfg, &at);
    assert_eq!(u.url, "http://127.0.0.1:8790/api/v10/oauth2/userinfo");
    assert_eq!(u.header("authorization"), Some("Bearer tok"));
    let info = process_userinfo_response::<SerdeJson>(&HttpResponse::new(
        200,
        vec![],
        r#"{"sub":"1","preferred_username":"nelly"}"#.into(),
    ))
    .unwrap();
    assert_eq!(info.get("sub").and_then(JsonValue::as_str), Some("1"));
    assert!(
        process_userinfo_response::<SerdeJson>(&HttpResponse::new(200, vec![], "{}".into()))
            .is_err()
    );
    let e = process_userinfo_response::<SerdeJson>(&HttpResponse::new(
        401,
        vec![],
        r#"{"message":"401: Unauthorized","code":0}"#.into(),
    ))
    .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Unauthorized);
}

#[test]
fn every_refusal_is_invalid_grant() {
    for e in [
        IdTokenError::Malformed("x"),
        IdTokenError::Algorithm,
        IdTokenError::UnknownKey,
        IdTokenError::KeyNotAllowed,
        IdTokenError::Signature,
        IdTokenError::Issuer,
        IdTokenError::Audience,
        IdTokenError::Expired,
        IdTokenError::IssuedInFuture,
        IdTokenError::Nonce,
        IdTokenError::AtHash,
        IdTokenError::Absent,
    ] {
        assert_eq!(Error::from(e).code(), ErrorCode::InvalidGrant);
    }
}

#[test]
fn the_expected_issuer_is_the_api_base_origin_unless_configured() {
    assert_eq!(
        expected_issuer("https://discord.com/api/v10", None).as_deref(),
        Some("https://discord.com")
    );
    assert_eq!(
        expected_issuer("http://127.0.0.1:28790/api/v10", None).as_deref(),
        Some("http://127.0.0.1:28790")
    );
    assert_eq!(
        expected_issuer("https://discord.com/api", Some("https://issuer.example/")).as_deref(),
        Some("https://issuer.example")
    );
    assert_eq!(expected_issuer("not a url", None), None);
}

#[test]
fn nonces_are_random_and_redacted() {
    let a = Nonce::generate().unwrap();
    let b = Nonce::generate().unwrap();
    assert_ne!(a, b);
    assert_eq!(a.secret().len(), 43);
    assert_eq!(format!("{a:?}"), "Nonce([redacted])");
    let t = parse(&token(HEADER, &claims_with(""))).unwrap();
    assert!(!format!("{t:?}").contains("n-0S6_WzA2Mj"));
}

/// The native codec gives the named members with the browser's rules: the fixture that
/// tests/browser/oidc.rs runs through the browser's codec (`null` present, absent `None`, an
/// array or non-JSON refused).
#[test]
fn the_id_token_members_are_read_by_name() {
    check_members_fixture::<SerdeJson>();
}

include!("json_members_check.rs");
