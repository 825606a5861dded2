//! The model helpers' fixtures (tests/helpers/fixtures.json) through the core: the CDN rules
//! (`discord::cdn`), snowflakes, permissions, user flags and the display helpers. The browser
//! package's helpers are plain JavaScript (src/browser/js/helpers.js, issue 13) and run the
//! same fixtures in tests/helpers/helpers.test.mjs, so both faces give the same URLs, answers
//! and errors.
//!
//! The JavaScript helpers take plain objects (a page passes Discord's JSON as it came), so this
//! runner reads each argument as they do: a field that is absent or `null` is absent, a field
//! of the wrong type is a `config_error` naming it; everything past that is the core's call.
#![cfg(not(target_arch = "wasm32"))]

use discord_oauth_wasm::discord::cdn::{self, CdnOptions, ImageFormat};
use discord_oauth_wasm::discord::error::InputError;
use discord_oauth_wasm::discord::models::{color_hex, display_name_of, mention_of};
use discord_oauth_wasm::discord::permissions::Permissions;
use discord_oauth_wasm::discord::snowflake::{Snowflake, SnowflakeParseError};
use discord_oauth_wasm::discord::user_flags::UserFlags;
use discord_oauth_wasm::discord::{Error, ErrorCode};
use serde_json::{Value, json};

const FIXTURES: &str = include_str!("helpers/fixtures.json");

fn fixtures() -> Value {
    serde_json::from_str(FIXTURES).expect("tests/helpers/fixtures.json is JSON")
}

type Outcome = Result<Value, Error>;

fn config(message: impl Into<String>) -> Error {
    Error::Config(message.into())
}

/// `obj[key]`, `Null` when `obj` is not an object or has no such field.
fn field<'a>(obj: &'a Value, key: &str) -> &'a Value {
    obj.get(key).unwrap_or(&Value::Null)
}

fn wrong(key: &str, what: &str) -> Error {
    config(format!("option `{key}` must be {what}"))
}

fn string(obj: &Value, key: &str) -> Result<Option<String>, Error> {
    match field(obj, key) {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        _ => Err(wrong(key, "a string")),
    }
}

fn number(obj: &Value, key: &str) -> Result<Option<f64>, Error> {
    match field(obj, key) {
        Value::Null => Ok(None),
        Value::Number(n) => Ok(n.as_f64()),
        _ => Err(wrong(key, "a number")),
    }
}

fn boolean(obj: &Value, key: &str) -> Result<Option<bool>, Error> {
    match field(obj, key) {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(*b)),
        _ => Err(wrong(key, "a boolean")),
    }
}

/// A snowflake as the core parses Discord's ids; its errors are the caller's (`config_error`).
fn parse_snowflake(s: &str) -> Result<Snowflake, Error> {
    s.parse::<Snowflake>().map_err(|e| config(e.to_string()))
}

/// An id field: a decimal string or a safe non-negative integer; required.
fn id(obj: &Value, key: &str) -> Result<Snowflake, Error> {
    let text = match field(obj, key) {
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && (0.0..=9_007_199_254_740_991.0).contains(&f) => {
                (f as u64).to_string()
            }
            _ => return Err(wrong(key, "a non-negative integer or a decimal string")),
        },
        _ => string(obj, key)?.ok_or_else(|| config(format!("`{key}` is required")))?,
    };
    parse_snowflake(&text)
}

/// The `ImageOptions` argument: `size` must fit a u16 here, the core checks the rest.
fn image_options(options: Option<&Value>) -> Result<CdnOptions, Error> {
    let Some(o) = options.filter(|o| !o.is_null()) else {
        return Ok(CdnOptions::default());
    };
    let size = match number(o, "size")? {
        Some(n) if n.fract() == 0.0 && (0.0..=65535.0).contains(&n) => Some(n as u16),
        Some(_) => return Err(config("`size` must be a power of two from 16 to 4096")),
        None => None,
    };
    let format = match string(o, "format")? {
        Some(f) => Some(f.parse::<ImageFormat>().map_err(Error::Input)?),
        None => None,
    };
    Ok(CdnOptions { size, format })
}

fn input<T>(r: Result<T, InputError>) -> Result<T, Error> {
    r.map_err(Error::Input)
}

fn url_or_null(url: Option<String>) -> Value {
    url.map_or(Value::Null, Value::String)
}

/// A user's avatar, or their default avatar when `avatar` is absent (PNG only; the default
/// avatar takes no options, as before issue 13).
fn user_avatar(user: &Value, o: &CdnOptions) -> Result<String, Error> {
    let user_id = id(user, "id")?;
    match string(user, "avatar")? {
        Some(hash) => input(cdn::user_avatar_url(user_id, &hash, o)),
        None => {
            let discriminator = string(user, "discriminator")?.unwrap_or_default();
            Ok(cdn::default_avatar_url(user_id, &discriminator))
        }
    }
}

fn member_avatar(
    guild: &Value,
    member: &Value,
    o: Option<&Value>,
) -> Result<Option<String>, Error> {
    let guild = parse_snowflake(guild.as_str().unwrap_or_default())?;
    let user = field(member, "user");
    match (string(member, "avatar")?, user.is_object()) {
        (Some(hash), true) => {
            let user_id = id(user, "id")?;
            input(cdn::guild_member_avatar_url(
                guild,
                user_id,
                &hash,
                &image_options(o)?,
            ))
            .map(Some)
        }
        _ => Ok(None),
    }
}

fn user_of(who: &Value) -> &Value {
    let user = field(who, "user");
    if user.is_object() { user } else { who }
}

/// One helper call as the page makes it.
fn call(name: &str, args: &[Value]) -> Outcome {
    let arg = |i: usize| args.get(i).unwrap_or(&Value::Null);
    let opts = |i: usize| args.get(i);
    Ok(match name {
        "avatarUrl" => {
            let o = image_options(opts(1))?;
            Value::String(user_avatar(arg(0), &o)?)
        }
        "bannerUrl" | "guildIconUrl" => {
            type ImageUrl = fn(Snowflake, &str, &CdnOptions) -> Result<String, InputError>;
            let (key, url): (&str, ImageUrl) = if name == "bannerUrl" {
                ("banner", cdn::user_banner_url)
            } else {
                ("icon", cdn::guild_icon_url)
            };
            url_or_null(match string(arg(0), key)? {
                Some(h) => Some(input(url(id(arg(0), "id")?, &h, &image_options(opts(1))?))?),
                None => None,
            })
        }
        "avatarDecorationUrl" => url_or_null(
            match string(field(arg(0), "avatar_decoration_data"), "asset")? {
                Some(asset) => Some(input(cdn::avatar_decoration_preset_url(
                    &asset,
                    &image_options(opts(1))?,
                ))?),
                None => None,
            },
        ),
        "guildTagBadgeUrl" => {
            let pg = field(arg(0), "primary_guild");
            let guild = string(pg, "identity_guild_id")?
                .map(|g| parse_snowflake(&g))
                .transpose()?;
            let enabled = boolean(pg, "identity_enabled")?;
            let badge = string(pg, "badge")?;
            let o = image_options(opts(1))?;
            url_or_null(input(cdn::shown_tag_badge_url(
                guild,
                enabled,
                badge.as_deref(),
                &o,
            ))?)
        }
        "memberAvatarUrl" => url_or_null(member_avatar(arg(0), arg(1), opts(2))?),
        "memberDisplayAvatarUrl" => url_or_null(match member_avatar(arg(0), arg(1), opts(2))? {
            Some(url) => Some(url),
            None if field(arg(1), "user").is_object() => {
                let o = image_options(opts(2))?;
                Some(user_avatar(field(arg(1), "user"), &o)?)
            }
            None => None,
        }),
        "displayName" => {
            let who = arg(0);
            let user = user_of(who);
            let nick = string(who, "nick")?;
            let global = string(user, "global_name")?;
            let username = string(user, "username")?.unwrap_or_default();
            json!(display_name_of(
                nick.as_deref(),
                global.as_deref(),
                &username
            ))
        }
        "mention" => json!(mention_of(id(user_of(arg(0)), "id")?)),
        "isAvatarAnimated" => json!(arg(0).as_str().is_some_and(cdn::is_avatar_animated)),
        "accentColorHex" => match number(arg(0), "accent_color")? {
            Some(n) if n.fract() == 0.0 && (0.0..=16_777_215.0).contains(&n) => {
                json!(color_hex(n as u32))
            }
            Some(_) => {
                return Err(config(
                    "`accent_color` must be an integer from 0 to 0xffffff",
                ));
            }
            None => Value::Null,
        },
        "isConnectionVisible" => json!(field(arg(0), "visibility").as_f64() == Some(1.0)),
        "snowflakeTimestamp" => {
            json!(parse_snowflake(arg(0).as_str().unwrap_or_default())?.timestamp_ms())
        }
        "hasPermission" => {
            let granted: Permissions = arg(0)
                .as_str()
                .unwrap_or_default()
                .parse()
                .map_err(|e: SnowflakeParseError| config(e.to_string()))?;
            json!(input(
                granted.has_name(arg(1).as_str().unwrap_or_default())
            )?)
        }
        "userFlags" => match arg(0).as_f64() {
            Some(f) if f.fract() == 0.0 && (0.0..=9_007_199_254_740_991.0).contains(&f) => {
                json!(UserFlags::from_bits_retain(f as u64).names())
            }
            _ => return Err(config("flags must be a non-negative integer")),
        },
        other => panic!("the fixtures name an unknown helper `{other}`"),
    })
}

#[test]
fn every_fixture_case_gives_its_result_or_error_through_the_core() {
    let all = fixtures();
    let values = &all["values"];
    let cases = all["cases"].as_array().expect("cases");
    assert!(cases.len() >= 100, "the fixtures hold the cases");
    for (i, case) in cases.iter().enumerate() {
        let name = case["call"].as_str().expect("call");
        let args: Vec<Value> = case["args"]
            .as_array()
            .expect("args")
            .iter()
            .map(|a| match a.as_str().and_then(|s| s.strip_prefix('$')) {
                Some(key) => values[key].clone(),
                None => a.clone(),
            })
            .collect();
        let outcome = call(name, &args);
        let at = format!("case {i}: {name}({})", case["args"]);
        match (case.get("throws"), outcome) {
            (Some(message), Err(e)) => {
                assert_eq!(e.code(), ErrorCode::ConfigError, "{at}");
                assert_eq!(json!(e.to_string()), *message, "{at}");
            }
            (None, Ok(value)) => assert_eq!(value, case["returns"], "{at}"),
            (Some(message), Ok(value)) => panic!("{at}: expected the error {message}, got {value}"),
            (None, Err(e)) => panic!("{at}: expected {}, got the error {e}", case["returns"]),
        }
    }
}

#[test]
fn the_fixture_tables_are_the_cores_flags() {
    let all = fixtures();
    let pairs = |key: &str| -> Vec<(String, u64)> {
        all[key]
            .as_array()
            .expect("table")
            .iter()
            .map(|p| {
                (
                    p[0].as_str().expect("name").to_owned(),
                    p[1].as_u64().expect("bit"),
                )
            })
            .collect()
    };
    let permissions: Vec<(String, u64)> = Permissions::all()
        .iter_names()
        .map(|(name, flag)| (name.to_owned(), u64::from(flag.bits().trailing_zeros())))
        .collect();
    assert_eq!(pairs("permissions"), permissions);
    let flags: Vec<(String, u64)> = UserFlags::all()
        .iter_names()
        .map(|(name, flag)| (name.to_owned(), u64::from(flag.bits().trailing_zeros())))
        .collect();
    assert_eq!(pairs("user_flags"), flags);
    for alias in all["permission_aliases"].as_array().expect("aliases") {
        let (old, new) = (
            alias[0].as_str().expect("alias"),
            alias[1].as_str().expect("name"),
        );
        assert_eq!(
            Permissions::parse_name(old),
            Permissions::from_name(new),
            "{old}"
        );
        assert!(
            Permissions::from_name(old).is_none(),
            "{old} is a former name"
        );
    }
}
