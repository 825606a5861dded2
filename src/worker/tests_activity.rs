//! Native unit tests of the Activity backend's pure parts (docs/contract.md §8): exact origins,
//! `ALLOWED_ORIGINS`, the trusted-origin set, the `/api/token` body and the partitioned cookie.

use crate::worker::config::{ConfigError, Settings};
use crate::worker::cookies::{self, SESSION_COOKIE};
use crate::worker::validate::{exact_origin, token_body};
use std::collections::HashMap;

fn parse(extra: &[(&str, &str)]) -> Result<Settings, ConfigError> {
    let mut map: HashMap<String, String> = [
        ("DISCORD_CLIENT_ID", "1100000000000000001"),
        ("DISCORD_CLIENT_SECRET", "s3cret"),
        ("SESSION_SECRET", "0123456789abcdef0123456789abcdef"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (k, v) in extra {
        map.insert(k.to_string(), v.to_string());
    }
    Settings::parse(|k| map.get(k).cloned())
}

#[test]
fn exact_origins() {
    for ok in [
        "https://spa.example",
        "http://localhost:5173",
        "https://a-b.example.com:8443",
        "http://127.0.0.1:8080",
        "http://[::1]:3000",
    ] {
        assert_eq!(exact_origin(ok).as_deref(), Some(ok), "{ok}");
    }
    assert_eq!(
        exact_origin("HTTPS://SPA.Example").as_deref(),
        Some("https://spa.example")
    );
    for bad in [
        "spa.example",
        "https://spa.example/",
        "https://spa.example/app",
        "https://spa.example?x",
        "https://user@spa.example",
        "ftp://spa.example",
        "https://",
        "https://:443",
        "https://spa.example:443",
        "http://spa.example:80",
        "https://spa.example:0",
        "https://spa.example:99999",
        "https://spa.example:08",
        "https://spa .example",
        "https://.example",
        "null",
        "*",
        "http://[::1",
        "http://[::1]x",
    ] {
        assert_eq!(exact_origin(bad), None, "{bad}");
    }
}

#[test]
fn allowed_origins_are_parsed_and_a_bad_one_is_named() {
    let s = parse(&[(
        "ALLOWED_ORIGINS",
        " https://spa.example , http://localhost:5173,,",
    )])
    .unwrap();
    assert_eq!(
        s.allowed_origins,
        ["https://spa.example", "http://localhost:5173"]
    );
    assert_eq!(
        s.activity_origin,
        "https://1100000000000000001.discordsays.com"
    );
    assert!(parse(&[]).unwrap().allowed_origins.is_empty());
    let e = parse(&[(
        "ALLOWED_ORIGINS",
        "https://spa.example, https://bad.example/path",
    )])
    .unwrap_err();
    assert!(e.to_string().contains("ALLOWED_ORIGINS"), "{e}");
    assert!(e.to_string().contains("https://bad.example/path"), "{e}");
    assert!(parse(&[("ALLOWED_ORIGINS", "*")]).is_err());
}

#[test]
fn trusted_origins() {
    let s = parse(&[("ALLOWED_ORIGINS", "https://spa.example")]).unwrap();
    let me = "https://auth.example";
    for o in [
        me,
        "https://1100000000000000001.discordsays.com",
        "https://spa.example",
        "HTTPS://SPA.EXAMPLE",
    ] {
        assert!(s.trusts_origin(o, me), "{o}");
    }
    for o in [
        "https://evil.example",
        "null",
        "",
        "https://2200000000000000002.discordsays.com",
        "https://spa.example:8443",
        "http://spa.example",
        "https://spa.example.evil.example",
        "https://discordsays.com",
    ] {
        assert!(!s.trusts_origin(o, me), "{o}");
    }
    assert!(
        !s.cors_origin(me, me),
        "no CORS for the Worker's own origin"
    );
    assert!(s.cors_origin("https://spa.example", me));
    assert!(s.cors_origin("https://1100000000000000001.discordsays.com", me));
    assert!(!s.cors_origin("https://evil.example", me));
}

#[test]
fn token_bodies() {
    let b = token_body(br#"{"code":"abcDEF123"}"#).unwrap();
    assert_eq!((b.code.as_str(), b.code_verifier), ("abcDEF123", None));
    let v = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let b = token_body(format!(r#"{{"code":"c","code_verifier":"{v}","extra":1}}"#).as_bytes())
        .unwrap();
    assert_eq!(b.code_verifier.as_deref(), Some(v));
    for bad in [
        &b""[..],
        b"  ",
        b"code=abc",
        b"{}",
        b"[]",
        b"null",
        br#"{"code":""}"#,
        br#"{"code":5}"#,
        br#"{"code":"a b"}"#,
        br#"{"code":"abc","code_verifier":"short"}"#,
        br#"{"code":"abc","code_verifier":7}"#,
        b"{\"code\":\"abc\"",
    ] {
        assert!(token_body(bad).is_err(), "{}", String::from_utf8_lossy(bad));
    }
    let long = format!(r#"{{"code":"{}"}}"#, "a".repeat(513));
    assert!(token_body(long.as_bytes()).is_err());
    // A refusal never quotes the body back (serde's own message would: `invalid type:
    // string "…"`).
    let quoted = format!(r#""{}""#, "secret-looking-".repeat(200));
    let message = token_body(quoted.as_bytes()).unwrap_err();
    assert!(!message.contains("secret-looking"), "{message}");
    assert!(
        message.contains("not the expected fields at line 1"),
        "{message}"
    );
    assert!(
        token_body(b"{\"code\":")
            .unwrap_err()
            .contains("incomplete JSON")
    );
    assert!(token_body(b"code=abc").unwrap_err().contains("not JSON"));
}

#[test]
fn partitioned_session_cookie() {
    let set = cookies::set_partitioned(SESSION_COOKIE, "abc", 600);
    assert_eq!(
        set,
        "__Host-discord_session=abc; Max-Age=600; Path=/; HttpOnly; Secure; SameSite=None; Partitioned"
    );
    let [first_party, partitioned] = cookies::clear_session();
    assert!(first_party.contains("Max-Age=0") && first_party.contains("SameSite=Lax"));
    assert!(!first_party.contains("Partitioned"));
    for part in [
        "Max-Age=0",
        "Secure",
        "Path=/",
        "SameSite=None",
        "Partitioned",
    ] {
        assert!(partitioned.contains(part), "{partitioned}");
    }
    assert!(partitioned.starts_with("__Host-discord_session=;"));
}
