//! Native unit tests of the Webhook Events module, the user index's value and key, and the
//! `DISCORD_PUBLIC_KEY` setting (kept apart from the code so that the source files hold no
//! `unwrap`).

mod events {
    use crate::worker::events::*;

    const NOW: u64 = 1_700_000_000;
    const SIG: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\
                       00112233445566778899AABBCCDDEEFF00112233445566778899aabbccddeeff";

    #[test]
    fn hex_decodes_exact_lengths_only() {
        assert_eq!(hex_bytes::<2>("0aFf"), Some([0x0a, 0xff]));
        assert_eq!(hex_bytes::<2>("0aF"), None);
        assert_eq!(hex_bytes::<2>("0aFff0"), None);
        assert_eq!(hex_bytes::<2>("0g00"), None);
        assert_eq!(hex_bytes::<1>("é"), None);
    }

    #[test]
    fn public_key_missing_or_malformed_names_the_setting_not_the_value() {
        for (value, expect) in [(None, "is not set"), (Some("  "), "is not set")] {
            let e = PublicKey::parse(value).unwrap_err();
            assert_eq!(e.setting(), "DISCORD_PUBLIC_KEY", "{e}");
            assert!(e.to_string().starts_with("DISCORD_PUBLIC_KEY"), "{e}");
            assert!(e.to_string().contains(expect), "{e}");
        }
        let short = "c8cde6a3c8c6e49d86af3191287b3ce255872be1fff6dc285bdb420c06a2c3";
        let e = PublicKey::parse(Some(short)).unwrap_err();
        assert!(
            e.to_string().contains("64 hex characters") && !e.to_string().contains(short),
            "{e}"
        );
        let bad = "z8cde6a3c8c6e49d86af3191287b3ce255872be1fff6dc285bdb420c06a2c3c8";
        assert!(PublicKey::parse(Some(bad)).is_err());
        let good = " D75A980182B10AB7D54BFED3C964073A0EE172F3DAA62325AF021A68F707511A\n";
        let k = PublicKey::parse(Some(good)).unwrap();
        assert_eq!(k.0[0], 0xd7);
        assert_eq!(k.0[31], 0x1a);
    }

    #[test]
    fn signature_headers_parse_and_build_the_signed_message() {
        let h = SignedHeaders::parse(Some(SIG), Some("1700000000"), NOW).unwrap();
        assert_eq!(h.signature[0], 0x00);
        assert_eq!(h.signature[42], 0xaa); // upper-case hex accepted
        assert_eq!(h.timestamp, "1700000000");
        // Discord signs the timestamp's text followed by the raw body, byte for byte.
        assert_eq!(
            h.message(br#"{"type":0}"#),
            br#"1700000000{"type":0}"#.to_vec()
        );
    }

    #[test]
    fn missing_signature_headers_are_refused() {
        assert_eq!(
            SignedHeaders::parse(None, Some("1700000000"), NOW),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            SignedHeaders::parse(Some(SIG), None, NOW),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            SignedHeaders::parse(None, None, NOW),
            Err(SignatureError::Missing)
        );
    }

    #[test]
    fn malformed_signature_headers_are_refused() {
        let ts = Some("1700000000");
        for sig in ["", &SIG[..127], &format!("{SIG}0"), &SIG.replace('f', "x")] {
            assert_eq!(
                SignedHeaders::parse(Some(sig), ts, NOW),
                Err(SignatureError::Malformed),
                "{sig}"
            );
        }
        for ts in [
            "",
            "+1700000000",
            "-1",
            "1700000000.5",
            "1.7e9",
            " 1700000000",
            "0x65",
            "9999999999999",
        ] {
            assert_eq!(
                SignedHeaders::parse(Some(SIG), Some(ts), NOW),
                Err(SignatureError::Malformed),
                "{ts:?}"
            );
        }
    }

    #[test]
    fn timestamps_more_than_five_minutes_away_are_refused() {
        for (ts, ok) in [
            (NOW - 300, true),
            (NOW + 300, true),
            (NOW - 301, false),
            (NOW + 301, false),
            (0, false),
        ] {
            let r = SignedHeaders::parse(Some(SIG), Some(&ts.to_string()), NOW);
            assert_eq!(r.is_ok(), ok, "{ts}");
            if !ok {
                assert_eq!(r, Err(SignatureError::Stale));
            }
        }
    }

    #[test]
    fn ping_and_deauthorization_bodies_in_discords_shape() {
        // https://discord.com/developers/docs/events/webhook-events#payload-structure
        let ping = br#"{"version":1,"application_id":"1100000000000000001","type":0}"#;
        assert_eq!(parse_event(ping), Ok(WebhookEvent::Ping));
        assert_eq!(parse_event(br#"{"type":0}"#), Ok(WebhookEvent::Ping));
        let deauth = br#"{"version":1,"application_id":"1100000000000000001","type":1,
            "event":{"type":"APPLICATION_DEAUTHORIZED","timestamp":"2024-10-18T18:41:21.109604",
            "data":{"user":{"id":"1150000000000000001","username":"emulator_user",
            "discriminator":"0","global_name":"Emulator User","avatar":null,
            "public_flags":0}}}}"#;
        assert_eq!(
            parse_event(deauth),
            Ok(WebhookEvent::Deauthorized {
                user_id: "1150000000000000001".into()
            })
        );
    }

    #[test]
    fn other_events_are_named_for_the_log() {
        let authorized = br#"{"version":1,"application_id":"1100000000000000001","type":1,
            "event":{"type":"APPLICATION_AUTHORIZED","timestamp":"2024-10-18T14:42:53.064834",
            "data":{"integration_type":1,"scopes":["applications.commands"],
            "user":{"id":"1150000000000000001","username":"emulator_user"}}}}"#;
        assert_eq!(
            parse_event(authorized),
            Ok(WebhookEvent::Other {
                name: "APPLICATION_AUTHORIZED".into()
            })
        );
        let odd = br#"{"type":1,"event":{"type":"evil\nline \"x\" ENTITLEMENT_CREATE"}}"#;
        assert_eq!(
            parse_event(odd),
            Ok(WebhookEvent::Other {
                name: "ENTITLEMENT_CREATE".into()
            })
        );
        let unnamed = br#"{"type":1,"event":{"type":"??"}}"#;
        assert_eq!(
            parse_event(unnamed),
            Ok(WebhookEvent::Other {
                name: "UNNAMED".into()
            })
        );
        assert_eq!(
            parse_event(br#"{"type":7}"#),
            Ok(WebhookEvent::Other {
                name: "webhook_type_7".into()
            })
        );
    }

    #[test]
    fn malformed_event_bodies_are_refused() {
        for body in [
            &b""[..],
            b"null",
            b"[]",
            b"{}",
            br#"{"type":"0"}"#,
            br#"{"type":-1}"#,
            br#"{"type":1}"#,
            br#"{"type":1,"event":{}}"#,
            b"\xff\xfe",
        ] {
            assert_eq!(parse_event(body), Err(EventError::NotAnEvent), "{body:?}");
        }
        for body in [
            &br#"{"type":1,"event":{"type":"APPLICATION_DEAUTHORIZED"}}"#[..],
            br#"{"type":1,"event":{"type":"APPLICATION_DEAUTHORIZED","data":{}}}"#,
            br#"{"type":1,"event":{"type":"APPLICATION_DEAUTHORIZED","data":{"user":{}}}}"#,
            br#"{"type":1,"event":{"type":"APPLICATION_DEAUTHORIZED","data":{"user":{"id":"x"}}}}"#,
        ] {
            assert_eq!(parse_event(body), Err(EventError::NoUser), "{body:?}");
        }
    }
}

mod user_index {
    use crate::worker::crypto::Keys;
    use crate::worker::user_index::*;

    const NOW: u64 = 1_700_000_000_000;
    const DAY: u64 = 86_400_000;

    #[test]
    fn index_keys_are_keyed_hashes_naming_no_user() {
        let k = Keys::derive(b"0123456789abcdef0123456789abcdef").unwrap();
        let other = Keys::derive(b"fedcba9876543210fedcba9876543210").unwrap();
        let key = k.user_index_key("1150000000000000001");
        assert!(key.starts_with("user:") && key.len() == 5 + 64, "{key}");
        assert!(!key.contains("1150000000000000001"));
        assert_ne!(key, k.user_index_key("1150000000000000003"));
        assert_ne!(key, other.user_index_key("1150000000000000001"));
        // Never the key of a session, whatever the session id.
        assert_ne!(&key[5..], &k.kv_key("1150000000000000001")[8..]);
        assert_eq!(key, k.user_index_key("1150000000000000001"));
    }

    #[test]
    fn add_keeps_live_sessions_once_and_prunes_expired_ones() {
        let mut v = IndexValue::parse(None);
        v.add("session:a", NOW + DAY, NOW);
        v.add("session:b", NOW + 2 * DAY, NOW);
        v.add("session:a", NOW + 3 * DAY, NOW);
        let keys: Vec<_> = v.sessions.iter().map(|e| e.kv_key.as_str()).collect();
        assert_eq!(keys, ["session:b", "session:a"]);
        // Just after b expired (2 days), the next add prunes it.
        v.add("session:c", NOW + 5 * DAY, NOW + 2 * DAY + 1);
        let keys: Vec<_> = v.sessions.iter().map(|e| e.kv_key.as_str()).collect();
        assert_eq!(keys, ["session:a", "session:c"]);
        assert_eq!(v.ttl_secs(NOW), 5 * DAY / 1000);
        let text = serde_json::to_string(&v).unwrap();
        assert_eq!(IndexValue::parse(Some(&text)), v);
    }

    #[test]
    fn remove_prunes_one_session() {
        let mut v = IndexValue::default();
        v.add("session:a", NOW + DAY, NOW);
        v.add("session:b", NOW + DAY, NOW);
        assert!(v.remove("session:a", NOW));
        assert!(!v.remove("session:a", NOW));
        assert_eq!(v.sessions.len(), 1);
        assert!(v.remove("session:b", NOW));
        assert!(v.sessions.is_empty());
        assert_eq!(v.ttl_secs(NOW), 60);
    }

    #[test]
    fn the_index_is_bounded_keeping_the_latest_to_expire() {
        let mut v = IndexValue::default();
        for i in 0..(MAX_SESSIONS_PER_USER as u64 + 10) {
            v.add(&format!("session:{i}"), NOW + DAY + i, NOW);
        }
        assert_eq!(v.sessions.len(), MAX_SESSIONS_PER_USER);
        assert!(v.sessions.iter().all(|e| e.expires_at >= NOW + DAY + 10));
    }

    #[test]
    fn foreign_or_malformed_values_read_as_empty() {
        for raw in [
            "",
            "{",
            "[]",
            r#"{"v":2,"s":[]}"#,
            r#"{"v":1,"s":[{"k":1}]}"#,
        ] {
            assert_eq!(IndexValue::parse(Some(raw)), IndexValue::default(), "{raw}");
        }
    }
}

mod public_key_setting {
    use crate::worker::config::Settings;

    const BASE: &[(&str, &str)] = &[
        ("DISCORD_CLIENT_ID", "1100000000000000001"),
        ("DISCORD_CLIENT_SECRET", "s3cret"),
        ("SESSION_SECRET", "0123456789abcdef0123456789abcdef"),
    ];

    fn parse(extra: Option<&str>) -> Settings {
        Settings::parse(|k| {
            if k == "DISCORD_PUBLIC_KEY" {
                return extra.map(str::to_owned);
            }
            BASE.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        })
        .expect("the other settings are valid")
    }

    #[test]
    fn a_missing_or_malformed_public_key_fails_only_its_own_setting() {
        let s = parse(None);
        assert!(
            s.public_key
                .unwrap_err()
                .to_string()
                .contains("DISCORD_PUBLIC_KEY is not set")
        );
        assert!(parse(Some("nothex")).public_key.is_err());
        let key = "c8cde6a3c8c6e49d86af3191287b3ce255872be1fff6dc285bdb420c06a2c3c8";
        assert_eq!(parse(Some(key)).public_key.unwrap().0[0], 0xc8);
    }
}
