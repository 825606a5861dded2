//! The options of `/auth/login`: every one read, every malformed one refused.
use super::*;
use std::collections::HashMap;

fn parse(pairs: &[(&str, &str)]) -> Result<LoginOptions, LoginOptionError> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    LoginOptions::parse(|n| map.get(n).cloned(), &"identify".parse().unwrap())
}

#[test]
fn defaults_and_identify_always() {
    let o = parse(&[]).unwrap();
    assert!(o.scopes.contains(Scope::Identify));
    assert_eq!((o.prompt, o.permissions, o.data), (None, None, None));
    let o = parse(&[("scope", "guilds bot")]).unwrap();
    assert!(o.scopes.contains(Scope::Identify), "identify is added");
    assert!(o.scopes.contains(Scope::Bot));
    let o = parse(&[("scope", "guilds,webhook.incoming,applications.commands")]).unwrap();
    assert!(o.scopes.contains(Scope::WebhookIncoming));
}

#[test]
fn the_bot_flow_parameters() {
    let o = parse(&[
        ("scope", "bot applications.commands"),
        ("permissions", "18446744073709551615"),
        ("guild_id", "1160000000000000001"),
        ("disable_guild_select", "true"),
        ("integration_type", "0"),
        ("prompt", "none"),
    ])
    .unwrap();
    assert_eq!(o.permissions, Some(u64::MAX));
    assert_eq!(o.guild_id.as_deref(), Some("1160000000000000001"));
    assert_eq!(o.disable_guild_select, Some(true));
    assert_eq!(o.integration_type, Some(IntegrationType::GuildInstall));
    assert_eq!(o.prompt, Some(Prompt::None));
}

#[test]
fn malformed_values_are_invalid_request() {
    for (name, value) in [
        ("permissions", "-1"),
        ("permissions", "1e3"),
        ("permissions", "18446744073709551616"),
        ("permissions", "0x10"),
        ("guild_id", "abc"),
        ("guild_id", "123456789012345678901"),
        ("disable_guild_select", "yes"),
        ("integration_type", "2"),
        ("prompt", "login"),
        ("data", "{not json"),
    ] {
        let e = parse(&[(name, value)]).unwrap_err();
        assert_eq!(e.code(), "invalid_request", "{name}={value}");
        assert!(e.to_string().contains(name), "{e}");
    }
    assert_eq!(
        parse(&[("scope", "identify nonsense")]).unwrap_err().code(),
        "invalid_scope"
    );
}

#[test]
fn data_is_any_json_value_up_to_1024_bytes() {
    for d in [
        r#"{"next":"/x","n":1}"#,
        "[1,2]",
        "\"text\"",
        "42",
        "null",
        "true",
    ] {
        assert_eq!(parse(&[("data", d)]).unwrap().data.as_deref(), Some(d));
    }
    let big = format!("\"{}\"", "a".repeat(1022));
    assert_eq!(big.len(), 1024);
    assert!(parse(&[("data", &big)]).is_ok());
    let too_big = format!("\"{}\"", "a".repeat(1023));
    assert_eq!(
        parse(&[("data", &too_big)]).unwrap_err().code(),
        "invalid_request"
    );
}

#[test]
fn reserved_parameters_are_never_read() {
    let o = parse(&[
        ("redirect_uri", "https://evil.example/"),
        ("client_id", "1"),
        ("state", "x"),
    ])
    .unwrap();
    assert_eq!(o, parse(&[]).unwrap());
}
