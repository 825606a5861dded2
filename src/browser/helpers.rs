//! Helpers over Discord's models: CDN URLs, snowflake times, permission and user flags.
//! Each reads the few fields it needs from a plain JS object and asks the core.

use crate::discord::Error;
use crate::discord::cdn::{self, CdnOptions, ImageFormat};
use crate::discord::permissions::Permissions;
use crate::discord::snowflake::{Snowflake, SnowflakeParseError};
use crate::discord::user_flags::UserFlags;
use wasm_bindgen::prelude::*;

use super::error::{Result, config, throw};
use super::opts;

fn snowflake(v: &JsValue, key: &str) -> Result<Snowflake> {
    let s = opts::string_or_number(v, key)?.ok_or_else(|| {
        let mut m = String::from("`");
        m.push_str(key);
        m.push_str("` is required");
        config(m)
    })?;
    parse_snowflake(&s)
}

fn parse_snowflake(s: &str) -> Result<Snowflake> {
    s.parse::<Snowflake>().map_err(snowflake_error)
}

/// The text of a snowflake (or permissions) parse error, without `Display`.
fn snowflake_error(e: SnowflakeParseError) -> crate::discord::Error {
    config(match e {
        SnowflakeParseError::Empty => "a snowflake cannot be empty",
        SnowflakeParseError::InvalidDigit => "a snowflake holds only the digits 0-9",
        SnowflakeParseError::Overflow => "a snowflake must fit in 64 bits",
    })
}

fn cdn_options(o: &Option<JsValue>) -> Result<CdnOptions> {
    let Some(o) = o else {
        return Ok(CdnOptions::default());
    };
    let size = match opts::number(o, "size")? {
        Some(n) if n.fract() == 0.0 && (0.0..=65535.0).contains(&n) => Some(n as u16),
        Some(_) => return Err(config("`size` must be a power of two from 16 to 4096")),
        None => None,
    };
    let format = match opts::string(o, "format")? {
        Some(f) => Some(f.parse::<ImageFormat>()?),
        None => None,
    };
    Ok(CdnOptions { size, format })
}

/// An image hash field: `Some` hash, `None` when it is absent or `null`.
fn hash(v: &JsValue, key: &str) -> Result<Option<String>> {
    opts::string(v, key)
}

/// The user's avatar URL; the default avatar when `avatar` is null (new usernames:
/// `(id >> 22) % 6`, legacy: `discriminator % 5`); `a_` hashes are animated (gif).
#[wasm_bindgen(skip_jsdoc, js_name = avatarUrl)]
pub fn avatar_url(
    #[wasm_bindgen(
        unchecked_param_type = "Pick<User, \"id\" | \"avatar\"> & { discriminator?: string }"
    )]
    user: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ImageOptions")] options: Option<JsValue>,
) -> std::result::Result<String, JsValue> {
    throw((|| {
        let id = snowflake(&user, "id")?;
        let o = cdn_options(&options)?;
        Ok(match hash(&user, "avatar")? {
            Some(h) => cdn::user_avatar_url(id, &h, &o)?,
            None => {
                let discriminator = opts::string(&user, "discriminator")?.unwrap_or_default();
                cdn::default_avatar_url(id, &discriminator)
            }
        })
    })())
}

/// The user's banner URL, or `null` when there is none.
#[wasm_bindgen(skip_jsdoc, js_name = bannerUrl, unchecked_return_type = "string | null")]
pub fn banner_url(
    #[wasm_bindgen(unchecked_param_type = "Pick<User, \"id\" | \"banner\">")] user: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ImageOptions")] options: Option<JsValue>,
) -> std::result::Result<JsValue, JsValue> {
    null_or(throw((|| match hash(&user, "banner")? {
        Some(h) => Ok(Some(cdn::user_banner_url(
            snowflake(&user, "id")?,
            &h,
            &cdn_options(&options)?,
        )?)),
        None => Ok(None),
    })()))
}

/// The guild's icon URL, or `null` when there is none.
#[wasm_bindgen(skip_jsdoc, js_name = guildIconUrl, unchecked_return_type = "string | null")]
pub fn guild_icon_url(
    #[wasm_bindgen(unchecked_param_type = "Pick<Guild, \"id\" | \"icon\">")] guild: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ImageOptions")] options: Option<JsValue>,
) -> std::result::Result<JsValue, JsValue> {
    null_or(throw((|| match hash(&guild, "icon")? {
        Some(h) => Ok(Some(cdn::guild_icon_url(
            snowflake(&guild, "id")?,
            &h,
            &cdn_options(&options)?,
        )?)),
        None => Ok(None),
    })()))
}

fn null_or(
    r: std::result::Result<Option<String>, JsValue>,
) -> std::result::Result<JsValue, JsValue> {
    r.map(|o| o.map_or(JsValue::NULL, |s| JsValue::from_str(&s)))
}

/// When a snowflake was created, in milliseconds since the epoch.
#[wasm_bindgen(skip_jsdoc, js_name = snowflakeTimestamp)]
pub fn snowflake_timestamp(id: &str) -> std::result::Result<f64, JsValue> {
    throw(parse_snowflake(id).map(|s| s.timestamp_ms() as f64))
}

/// Whether a permissions string (decimal, as Discord sends it) grants `permission`
/// (`ADMINISTRATOR` grants everything).
#[wasm_bindgen(skip_jsdoc, js_name = hasPermission)]
pub fn has_permission(
    permissions: &str,
    #[wasm_bindgen(unchecked_param_type = "PermissionName")] permission: &str,
) -> std::result::Result<bool, JsValue> {
    throw((|| {
        let p: Permissions = permissions.parse().map_err(snowflake_error)?;
        Ok(p.has_name(permission)?)
    })())
}

/// The names of the documented flags set in a user's `flags` / `public_flags`.
#[wasm_bindgen(skip_jsdoc, js_name = userFlags, unchecked_return_type = "UserFlagName[]")]
pub fn user_flags(flags: f64) -> std::result::Result<js_sys::Array, JsValue> {
    if !(flags.fract() == 0.0 && (0.0..=9_007_199_254_740_991.0).contains(&flags)) {
        return Err(super::error::to_js(&Error::Config(String::from(
            "flags must be a non-negative integer",
        ))));
    }
    let names = js_sys::Array::new();
    for (name, _) in UserFlags::from_bits_retain(flags as u64).iter_names() {
        names.push(&JsValue::from_str(name));
    }
    Ok(names)
}
