//! Native unit tests of the Worker's pure modules (kept apart from the code so that the
//! source files hold no `unwrap`).

mod crypto {
    use crate::worker::crypto::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;

    fn keys() -> Keys {
        Keys::derive(b"0123456789abcdef0123456789abcdef").expect("32 bytes")
    }

    #[test]
    fn short_secrets_are_refused() {
        assert!(Keys::derive(b"0123456789abcdef0123456789abcde").is_none());
        assert!(Keys::derive(b"").is_none());
    }

    #[test]
    fn derived_keys_are_distinct() {
        let k = keys();
        // A value sealed for a session does not open as a state cookie body and vice versa.
        let sealed = k.seal_session(b"x", b"state-cookie").unwrap();
        assert!(k.open_state(&format!("{sealed}.AAAA")).is_err());
        let state = k.seal_state(b"x").unwrap();
        let body = state.split_once('.').unwrap().0;
        assert!(k.open_session(body, b"state-cookie").is_err());
        assert!(!format!("{k:?}").contains(|c: char| c.is_ascii_digit()));
    }

    #[test]
    fn session_ids_are_random_and_well_formed() {
        let a = new_session_id().unwrap();
        let b = new_session_id().unwrap();
        assert_ne!(a, b);
        assert!(is_session_id(&a));
        assert!(!is_session_id(&a[..42]));
        assert!(!is_session_id(&format!("{a}A")));
        assert!(!is_session_id(&a.replace(|_c: char| true, "*")));
        assert!(!is_session_id(""));
    }

    #[test]
    fn kv_key_is_a_keyed_hash_not_the_id() {
        let k = keys();
        let id = new_session_id().unwrap();
        let key = k.kv_key(&id);
        assert!(key.starts_with("session:"));
        assert_eq!(key.len(), 8 + 64);
        assert!(!key.contains(&id));
        assert_eq!(key, k.kv_key(&id));
        let other = Keys::derive(b"another secret that is long enough!!").unwrap();
        assert_ne!(key, other.kv_key(&id));
    }

    #[test]
    fn session_sealing_round_trips_and_binds_aad() {
        let k = keys();
        let a = k.seal_session(b"tokens", b"session:1").unwrap();
        let b = k.seal_session(b"tokens", b"session:1").unwrap();
        assert_ne!(a, b, "a fresh nonce per write");
        assert!(!a.contains("tokens"));
        assert_eq!(k.open_session(&a, b"session:1").unwrap(), b"tokens");
        assert_eq!(k.open_session(&a, b"session:2"), Err(Tampered));
        assert_eq!(k.open_session("", b"session:1"), Err(Tampered));
        assert_eq!(k.open_session("!!", b"session:1"), Err(Tampered));
        let mut raw = B64.decode(&a).unwrap();
        raw[20] ^= 1;
        assert_eq!(
            k.open_session(&B64.encode(raw), b"session:1"),
            Err(Tampered)
        );
    }

    #[test]
    fn state_cookie_is_signed_and_encrypted() {
        let k = keys();
        let v = k.seal_state(b"{\"state\":\"x\"}").unwrap();
        assert_eq!(k.open_state(&v).unwrap(), b"{\"state\":\"x\"}");
        assert!(!v.contains("state"));
        let (body, mac) = v.split_once('.').unwrap();
        // Flip one character of the body, of the mac; truncate; swap keys.
        let mut flipped = body.to_owned().into_bytes();
        flipped[3] = if flipped[3] == b'A' { b'B' } else { b'A' };
        let flipped = String::from_utf8(flipped).unwrap();
        assert_eq!(k.open_state(&format!("{flipped}.{mac}")), Err(Tampered));
        assert_eq!(
            k.open_state(&format!("{body}.{}", &mac[1..])),
            Err(Tampered)
        );
        assert_eq!(k.open_state(body), Err(Tampered));
        assert_eq!(k.open_state(&v[..v.len() - 2]), Err(Tampered));
        assert_eq!(k.open_state(""), Err(Tampered));
        assert_eq!(k.open_state("."), Err(Tampered));
        let other = Keys::derive(b"another secret that is long enough!!").unwrap();
        assert_eq!(other.open_state(&v), Err(Tampered));
        // A session-sealed value is not a state cookie.
        let s = k.seal_session(b"x", b"state-cookie").unwrap();
        assert_eq!(k.open_state(&format!("{s}.{mac}")), Err(Tampered));
    }
}

mod cookies {
    use crate::worker::cookies::*;

    #[test]
    fn reads_cookies_robustly() {
        let h = "a=1; __Host-discord_session=abc ;b=; =x; junk; __Host-discord_session=second";
        assert_eq!(get(h, SESSION_COOKIE), Some("abc"));
        assert_eq!(get(h, "a"), Some("1"));
        assert_eq!(get(h, "b"), Some(""));
        assert_eq!(get(h, "junk"), None);
        assert_eq!(get(h, "missing"), None);
        assert_eq!(get("", "a"), None);
        assert_eq!(get(";;;", "a"), None);
        assert_eq!(get("a=\"q\"", "a"), Some("q"));
        assert_eq!(get("a=\"", "a"), Some("\""));
        assert_eq!(get("xa=1; a=2", "a"), Some("2"));
        assert_eq!(get("é=1; a=ü", "a"), Some("ü"));
    }

    #[test]
    fn writes_host_prefixed_cookies() {
        let c = set(STATE_COOKIE, "v", STATE_MAX_AGE);
        assert_eq!(
            c,
            "__Host-discord_oauth_state=v; Max-Age=600; Path=/; HttpOnly; Secure; SameSite=Lax"
        );
        let c = clear(SESSION_COOKIE);
        assert!(c.starts_with("__Host-discord_session=; Max-Age=0;"));
        assert!(c.contains("; Secure") && c.contains("; Path=/") && !c.contains("Domain"));
    }
}

mod validate {
    use crate::discord::snowflake::Snowflake;
    use crate::worker::validate::*;

    #[test]
    fn return_to_accepts_same_origin_paths_only() {
        assert_eq!(return_to(None).as_deref(), Ok("/"));
        assert_eq!(return_to(Some("")).as_deref(), Ok("/"));
        assert_eq!(return_to(Some("/")).as_deref(), Ok("/"));
        assert_eq!(return_to(Some("/a/b?c=d#e")).as_deref(), Ok("/a/b?c=d#e"));
        assert_eq!(return_to(Some("/a//b")).as_deref(), Ok("/a//b"));
        assert_eq!(
            return_to(Some("/a%2Fb?c=%20")).as_deref(),
            Ok("/a%2Fb?c=%20")
        );
        assert_eq!(return_to(Some("/%zz")).as_deref(), Ok("/%zz"));
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "///evil.example",
            "evil",
            "/\tx",
            "/a\nb",
            "/a\u{7f}",
            " /a",
            "\\/evil",
            "/%2F%2Fevil.example",
            "/%2f/evil.example",
            "/%5Cevil.example",
            "/a%0Ab",
        ] {
            assert!(return_to(Some(bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn locations_are_ascii() {
        assert_eq!(location("/a b/é\"<"), "/a%20b/%C3%A9%22%3C");
        assert_eq!(location("/a?b=%2F#c"), "/a?b=%2F#c");
    }

    #[test]
    fn auth_error_goes_into_the_query() {
        assert_eq!(
            with_auth_error("/", "access_denied"),
            "/?auth_error=access_denied"
        );
        assert_eq!(with_auth_error("/p?x=1", "a b"), "/p?x=1&auth_error=a+b");
        assert_eq!(with_auth_error("/p#frag", "e"), "/p?auth_error=e#frag");
    }

    #[test]
    fn trusted_origin_rule() {
        let me = "https://app.example";
        let trusted = |o: &str| o == me || o == "https://spa.example";
        assert!(!is_refused_origin(None, None, trusted));
        assert!(!is_refused_origin(Some(me), Some("same-origin"), trusted));
        assert!(!is_refused_origin(None, Some("same-site"), trusted));
        assert!(is_refused_origin(
            Some("https://evil.example"),
            None,
            trusted
        ));
        assert!(is_refused_origin(Some("null"), None, trusted));
        assert!(is_refused_origin(None, Some("cross-site"), trusted));
        // A trusted origin on another site is accepted although the request is cross-site.
        assert!(!is_refused_origin(
            Some("https://spa.example"),
            Some("cross-site"),
            trusted
        ));
        assert!(is_refused_origin(
            Some("https://evil.example"),
            Some("same-site"),
            trusted
        ));
    }

    #[test]
    fn snowflakes() {
        assert_eq!(snowflake("123"), Some(Snowflake(123)));
        assert_eq!(snowflake(""), None);
        assert_eq!(snowflake("-1"), None);
        assert_eq!(snowflake("1a"), None);
        assert_eq!(snowflake("99999999999999999999"), None);
    }

    #[test]
    fn join_bodies() {
        assert_eq!(join_body(b""), Ok(JoinBody::default()));
        assert_eq!(join_body(b"{}"), Ok(JoinBody::default()));
        let b = join_body(br#"{"nick":"n","roles":["1"],"mute":true,"deaf":false}"#);
        assert_eq!(b.map(|b| b.roles), Ok(Some(vec!["1".to_owned()])));
        assert!(join_body(b"{").is_err());
        assert!(join_body(b"[]").is_err());
        assert!(join_body(br#"{"nick":""}"#).is_err());
        assert!(join_body(br#"{"roles":["x"]}"#).is_err());
        assert!(join_body(br#"{"access_token":"x"}"#).is_err());
        assert!(join_body(&vec![b' '; MAX_JOIN_BODY + 1]).is_err());
    }
}

mod config {
    use crate::discord::config::{DEFAULT_API_BASE, DEFAULT_AUTHORIZE_URL};
    use crate::discord::snowflake::Snowflake;
    use crate::worker::config::*;
    use std::collections::HashMap;

    fn parse(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::parse(|k| map.get(k).cloned())
    }

    const BASE: &[(&str, &str)] = &[
        ("DISCORD_CLIENT_ID", "1100000000000000001"),
        ("DISCORD_CLIENT_SECRET", "s3cret"),
        ("SESSION_SECRET", "0123456789abcdef0123456789abcdef"),
    ];

    fn with(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
        let mut v: Vec<_> = BASE.to_vec();
        v.retain(|(k, _)| !extra.iter().any(|(e, _)| e == k));
        v.extend_from_slice(extra);
        v
    }

    #[test]
    fn defaults() {
        let s = parse(BASE).unwrap();
        assert_eq!(s.session_ttl, DEFAULT_SESSION_TTL);
        assert_eq!(s.api.api_base, DEFAULT_API_BASE);
        assert_eq!(s.authorize_url, DEFAULT_AUTHORIZE_URL);
        assert_eq!(s.scopes.to_string(), "identify");
        assert!(s.join_allowlist.is_empty() && s.bot_token.is_none());
        let dbg = format!("{s:?}");
        assert!(!dbg.contains("s3cret") && !dbg.contains("0123456789abcdef"));
    }

    #[test]
    fn each_bad_setting_is_named() {
        let cases: &[(&[(&'static str, &'static str)], &str)] = &[
            (&[("DISCORD_CLIENT_ID", "")], "DISCORD_CLIENT_ID"),
            (&[("DISCORD_CLIENT_ID", "abc")], "DISCORD_CLIENT_ID"),
            (&[("DISCORD_CLIENT_SECRET", " ")], "DISCORD_CLIENT_SECRET"),
            (&[("SESSION_SECRET", "short")], "SESSION_SECRET"),
            (&[("SESSION_TTL_SECONDS", "59")], "SESSION_TTL_SECONDS"),
            (&[("SESSION_TTL_SECONDS", "x")], "SESSION_TTL_SECONDS"),
            (&[("DISCORD_API_BASE", "ftp://x")], "DISCORD_API_BASE"),
            (
                &[("DISCORD_AUTHORIZE_URL", "nope")],
                "DISCORD_AUTHORIZE_URL",
            ),
            (&[("DISCORD_REDIRECT_URI", "/cb")], "DISCORD_REDIRECT_URI"),
            (&[("DISCORD_SCOPES", "identify bogus")], "DISCORD_SCOPES"),
            (&[("JOIN_GUILD_ALLOWLIST", "1,x")], "JOIN_GUILD_ALLOWLIST"),
            (&[("GUILDS_CACHE_SECONDS", "9999")], "GUILDS_CACHE_SECONDS"),
        ];
        for (extra, name) in cases {
            let err = parse(&with(extra)).unwrap_err();
            assert!(err.to_string().contains(name), "{err} should name {name}");
        }
    }

    #[test]
    fn optional_settings() {
        let s = parse(&with(&[
            ("DISCORD_SCOPES", "identify,guilds guilds.join"),
            ("JOIN_GUILD_ALLOWLIST", " 1, 2 ,"),
            ("SESSION_TTL_SECONDS", "60"),
            ("DISCORD_BOT_TOKEN", "bot"),
            ("GUILDS_CACHE_SECONDS", "30"),
        ]))
        .unwrap();
        assert_eq!(s.scopes.len(), 3);
        assert_eq!(s.join_allowlist, vec![Snowflake(1), Snowflake(2)]);
        assert_eq!(s.session_ttl, 60);
        assert_eq!(s.guilds_cache_secs, 30);
        assert!(s.bot_token.is_some());
    }
}

mod session {
    use crate::discord::secret::{AccessToken, RefreshToken};
    use crate::worker::crypto::Keys;
    use crate::worker::session::*;

    #[test]
    fn rfc3339_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(rfc3339(1_420_070_400_123), "2015-01-01T00:00:00.123Z");
        assert_eq!(rfc3339(4_102_444_799_000), "2099-12-31T23:59:59.000Z");
    }

    /// <https://discord.com/developers/docs/topics/oauth2#webhooks-webhook-token-response-example>
    #[test]
    fn a_login_webhook_keeps_its_token_and_url_sealed_and_survives_a_reseal() {
        let keys = Keys::derive(b"0123456789abcdef0123456789abcdef").unwrap();
        let mut s = Session {
            kv_key: "session:w".into(),
            stored: StoredSession {
                v: SESSION_VERSION,
                expires_at: 200_000,
                ..Default::default()
            },
            tokens: Tokens {
                access_token: AccessToken::new("acc"),
                refresh_token: None,
                expires_at: 5,
            },
            seen_user: Default::default(),
        };
        let webhook = serde_json::json!({
            "application_id": "310954232226357250", "name": "testwebhook",
            "url": "https://discord.com/api/webhooks/347114750880120863/kKDdjXa1g9tKNs0-_yOwLyALC9gydEWP6gr9sHabuK1vuofjhQDDnlOclJeRIvYK-pj_",
            "channel_id": "345626669224982402",
            "token": "kKDdjXa1g9tKNs0-_yOwLyALC9gydEWP6gr9sHabuK1vuofjhQDDnlOclJeRIvYK-pj_",
            "type": 1, "avatar": null, "guild_id": "290926792226357250", "id": "347114750880120863"
        });
        s.set_webhook(&keys, webhook.clone()).unwrap();
        let public = s.stored.webhook.as_ref().unwrap();
        assert!(public.get("token").is_none() && public.get("url").is_none());
        assert_eq!(public["channel_id"], "345626669224982402");
        // A refresh reseals only the tokens: the webhook's sealed part stays and still opens.
        let raw = s.seal(&keys, s.tokens.clone(), 10).unwrap();
        assert!(
            !raw.contains("kKDdjXa1g9tKNs0"),
            "the webhook token is not in the clear"
        );
        let back = Session::open(&keys, "session:w", &raw).unwrap();
        assert_eq!(back.webhook(&keys), Some(webhook));
        // Under another key the sealed part does not open: only the public fields come back.
        let mut moved = back.clone();
        moved.kv_key = "session:other".into();
        assert!(moved.webhook(&keys).unwrap().get("token").is_none());
    }

    #[test]
    fn sessions_seal_and_open() {
        let keys = Keys::derive(b"0123456789abcdef0123456789abcdef").unwrap();
        let tokens = Tokens {
            access_token: AccessToken::new("acc-123"),
            refresh_token: Some(RefreshToken::new("ref-456")),
            expires_at: 5,
        };
        let mut s = Session {
            kv_key: "session:k".into(),
            stored: StoredSession {
                v: SESSION_VERSION,
                tokens: String::new(),
                user: serde_json::json!({"id": "42"}),
                scopes: vec!["identify".into()],
                created_at: 1,
                updated_at: 1,
                expires_at: 200_000,
                ..Default::default()
            },
            tokens: tokens.clone(),
            seen_user: Default::default(),
        };
        let raw = s.seal(&keys, tokens.clone(), 2).unwrap();
        assert!(!raw.contains("acc-123") && !raw.contains("ref-456"));
        let back = Session::open(&keys, "session:k", &raw).unwrap();
        assert_eq!(back.tokens, tokens);
        assert_eq!(back.user_id(), Some("42"));
        assert!(back.has_scope("identify") && !back.has_scope("guilds"));
        assert_eq!(back.ttl_secs(100_000), 100);
        assert_eq!(back.ttl_secs(199_000), 60);
        assert!(Session::open(&keys, "session:other", &raw).is_err());
        assert!(Session::open(&keys, "session:k", "{}").is_err());
        assert!(!format!("{back:?}").contains("acc-123"));
    }

    fn sealed(keys: &Keys, kv_key: &str, access: &str, now: u64) -> (String, Session) {
        let tokens = Tokens {
            access_token: AccessToken::new(access),
            refresh_token: None,
            expires_at: now + 1000,
        };
        let mut s = Session {
            kv_key: kv_key.into(),
            stored: StoredSession {
                v: SESSION_VERSION,
                tokens: String::new(),
                user: serde_json::json!({"id": "42"}),
                scopes: vec!["identify".into()],
                created_at: now,
                updated_at: now,
                expires_at: now + 100_000,
                ..Default::default()
            },
            tokens: tokens.clone(),
            seen_user: Default::default(),
        };
        let raw = s.seal(keys, tokens, now).unwrap();
        (raw, s)
    }

    #[test]
    fn open_cache_shares_the_cached_session_and_copies_on_open() {
        let keys = Keys::derive(b"0123456789abcdef0123456789abcdef").unwrap();
        let mut cache = OpenCache::new(2, 1000);
        let (raw, _) = sealed(&keys, "session:a", "acc-1", 0);
        let first = cache.open_shared(&keys, "session:a", &raw, 0).unwrap();
        // A hit answers the cached session itself, not a copy.
        let hit = cache.open_shared(&keys, "session:a", &raw, 10).unwrap();
        assert!(std::rc::Rc::ptr_eq(&first, &hit));
        assert_eq!(cache.hits(), 1);
        // `open` answers a copy: changing it leaves the cached session as it was.
        let mut copy = cache.open(&keys, "session:a", &raw, 20).unwrap();
        copy.tokens.access_token = AccessToken::new("changed");
        let again = cache.open_shared(&keys, "session:a", &raw, 30).unwrap();
        assert_eq!(again.tokens.access_token, AccessToken::new("acc-1"));
        assert!(std::rc::Rc::ptr_eq(&first, &again));
    }

    #[test]
    fn open_cache_answers_only_the_identical_value() {
        let keys = Keys::derive(b"0123456789abcdef0123456789abcdef").unwrap();
        let mut cache = OpenCache::new(2, 1000);
        let (raw, _) = sealed(&keys, "session:a", "acc-1", 0);
        assert_eq!(
            cache
                .open(&keys, "session:a", &raw, 0)
                .unwrap()
                .tokens
                .access_token,
            AccessToken::new("acc-1")
        );
        assert_eq!(cache.len(), 1);
        assert_eq!(cache.hits(), 0);
        // A hit gives the same session without opening it again; the value must still match
        // byte for byte.
        let hit = cache.open(&keys, "session:a", &raw, 10).unwrap();
        assert_eq!(hit.tokens.access_token, AccessToken::new("acc-1"));
        assert_eq!(cache.hits(), 1);
        let (rotated, _) = sealed(&keys, "session:a", "acc-2", 20);
        assert_eq!(
            cache
                .open(&keys, "session:a", &rotated, 20)
                .unwrap()
                .tokens
                .access_token,
            AccessToken::new("acc-2")
        );
        // A changed value is opened afresh: no hit.
        assert_eq!(cache.hits(), 1);
        // Under another KV key the same value does not open (the key is the associated data).
        assert!(cache.open(&keys, "session:b", &rotated, 20).is_err());
        // A value whose sealed tokens were altered does not open, cached or not.
        let mut value: serde_json::Value = serde_json::from_str(&rotated).unwrap();
        let sealed_tokens = value["tokens"].as_str().unwrap().to_owned();
        let flipped = if sealed_tokens.ends_with('A') {
            'B'
        } else {
            'A'
        };
        value["tokens"] = format!("{}{flipped}", &sealed_tokens[..sealed_tokens.len() - 1]).into();
        let tampered = serde_json::to_string(&value).unwrap();
        assert!(cache.open(&keys, "session:a", &tampered, 20).is_err());
        cache.forget("session:a");
        assert!(cache.is_empty());
    }

    #[test]
    fn open_cache_is_bounded_and_expires() {
        let keys = Keys::derive(b"0123456789abcdef0123456789abcdef").unwrap();
        let mut cache = OpenCache::new(2, 1000);
        for (i, key) in ["session:a", "session:b", "session:c"].iter().enumerate() {
            let (raw, s) = sealed(&keys, key, "acc", 0);
            cache.put(&raw, &s, i as u64);
            assert!(cache.len() <= 2);
        }
        // Within its lifetime an entry is a hit; past it, it is opened again (and still opens).
        let (raw, s) = sealed(&keys, "session:d", "acc-d", 0);
        cache.put(&raw, &s, 5000);
        cache.open(&keys, "session:d", &raw, 5500).unwrap();
        assert_eq!(cache.hits(), 1);
        let reopened = cache.open(&keys, "session:d", &raw, 7000).unwrap();
        assert_eq!(reopened.tokens.access_token, AccessToken::new("acc-d"));
        assert_eq!(cache.hits(), 1, "an expired entry must not be a hit");
        assert!(OpenCache::new(0, 1000).is_empty());
        let mut none = OpenCache::new(0, 1000);
        none.put(&raw, &s, 0);
        assert!(none.is_empty());
    }
}

mod log {
    use crate::worker::log::counts_as_invalid;

    #[test]
    fn shared_429s_do_not_count_toward_the_invalid_request_ban() {
        // https://discord.com/developers/docs/topics/rate-limits#invalid-request-limit-aka-cloudflare-bans
        assert!(counts_as_invalid(401, None));
        assert!(counts_as_invalid(403, None));
        assert!(counts_as_invalid(429, Some("user")));
        assert!(counts_as_invalid(429, Some("global")));
        assert!(counts_as_invalid(429, None));
        assert!(!counts_as_invalid(429, Some("shared")));
        assert!(!counts_as_invalid(429, Some("Shared")));
        for ok in [200, 201, 204, 400, 404, 500, 502] {
            assert!(!counts_as_invalid(ok, None), "{ok}");
        }
    }
}
