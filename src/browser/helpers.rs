//! Helpers over Discord's models: CDN URLs, display names, mentions, colours, snowflake
//! times, permission and user flags. Each reads the few fields it needs from a plain JS object
//! and asks the core; the Rust face has the same helpers by the same names
//! ([`crate::discord::helpers`]).

use crate::discord::Error;
use crate::discord::cdn::{self, CdnOptions, ImageFormat};
use crate::discord::models::{color_hex, display_name_of, mention_of};
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
    throw(cdn_options(&options).and_then(|o| user_avatar(&user, &o)))
}

/// A user's avatar or default avatar (see [`avatar_url`]).
fn user_avatar(user: &JsValue, o: &CdnOptions) -> Result<String> {
    let id = snowflake(user, "id")?;
    Ok(match hash(user, "avatar")? {
        Some(h) => cdn::user_avatar_url(id, &h, o)?,
        None => {
            let discriminator = opts::string(user, "discriminator")?.unwrap_or_default();
            cdn::default_avatar_url(id, &discriminator)
        }
    })
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

/// The avatar decoration to draw over the user's avatar
/// (`avatar-decoration-presets/{asset}.png`, PNG only), or `null` without one.
#[wasm_bindgen(skip_jsdoc, js_name = avatarDecorationUrl, unchecked_return_type = "string | null")]
pub fn avatar_decoration_url(
    #[wasm_bindgen(unchecked_param_type = "Pick<User, \"avatar_decoration_data\">")] user: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ImageOptions")] options: Option<JsValue>,
) -> std::result::Result<JsValue, JsValue> {
    let deco = opts::get(&user, "avatar_decoration_data");
    null_or(throw((|| match opts::string(&deco, "asset")? {
        Some(asset) => Ok(Some(cdn::avatar_decoration_preset_url(
            &asset,
            &cdn_options(&options)?,
        )?)),
        None => Ok(None),
    })()))
}

/// The badge of the server tag the user shows (`guild-tag-badges/{guild_id}/{badge}.png`),
/// or `null` when they show none (no primary guild or badge, `identity_enabled` not true).
#[wasm_bindgen(skip_jsdoc, js_name = guildTagBadgeUrl, unchecked_return_type = "string | null")]
pub fn guild_tag_badge_url(
    #[wasm_bindgen(unchecked_param_type = "Pick<User, \"primary_guild\">")] user: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ImageOptions")] options: Option<JsValue>,
) -> std::result::Result<JsValue, JsValue> {
    let pg = opts::get(&user, "primary_guild");
    null_or(throw((|| {
        let guild = opts::string(&pg, "identity_guild_id")?;
        Ok(cdn::shown_tag_badge_url(
            guild.as_deref().map(parse_snowflake).transpose()?,
            opts::boolean(&pg, "identity_enabled")?,
            hash(&pg, "badge")?.as_deref(),
            &cdn_options(&options)?,
        )?)
    })()))
}

/// The member's guild avatar (`guilds/{guild_id}/users/{user_id}/avatars/{hash}`), or `null`
/// when the member has none (or carries no user).
#[wasm_bindgen(skip_jsdoc, js_name = memberAvatarUrl, unchecked_return_type = "string | null")]
pub fn member_avatar_url(
    #[wasm_bindgen(js_name = guildId)] guild_id: &str,
    #[wasm_bindgen(unchecked_param_type = "Pick<Member, \"avatar\" | \"user\">")] member: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ImageOptions")] options: Option<JsValue>,
) -> std::result::Result<JsValue, JsValue> {
    null_or(throw(member_avatar(guild_id, &member, &options)))
}

fn member_avatar(guild_id: &str, member: &JsValue, o: &Option<JsValue>) -> Result<Option<String>> {
    let guild = parse_snowflake(guild_id)?;
    let user = opts::get(member, "user");
    match (hash(member, "avatar")?, user.is_object()) {
        (Some(h), true) => Ok(Some(cdn::guild_member_avatar_url(
            guild,
            snowflake(&user, "id")?,
            &h,
            &cdn_options(o)?,
        )?)),
        _ => Ok(None),
    }
}

/// The avatar to show for a member: the guild avatar, else the user's avatar, else their
/// default avatar; `null` when the member carries no user.
#[wasm_bindgen(skip_jsdoc, js_name = memberDisplayAvatarUrl, unchecked_return_type = "string | null")]
pub fn member_display_avatar_url(
    #[wasm_bindgen(js_name = guildId)] guild_id: &str,
    #[wasm_bindgen(unchecked_param_type = "Pick<Member, \"avatar\" | \"user\">")] member: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ImageOptions")] options: Option<JsValue>,
) -> std::result::Result<JsValue, JsValue> {
    null_or(throw((|| {
        let user = opts::get(&member, "user");
        match member_avatar(guild_id, &member, &options)? {
            Some(url) => Ok(Some(url)),
            None if user.is_object() => Ok(Some(user_avatar(&user, &cdn_options(&options)?)?)),
            None => Ok(None),
        }
    })()))
}

/// The member's `user`, or the object itself for a user.
fn user_of(who: &JsValue) -> JsValue {
    let user = opts::get(who, "user");
    if user.is_object() { user } else { who.clone() }
}

/// The name to show: a member's `nick`, else `global_name`, else `username`.
#[wasm_bindgen(skip_jsdoc, js_name = displayName)]
pub fn display_name(
    #[wasm_bindgen(unchecked_param_type = "User | Member")] who: JsValue,
) -> std::result::Result<String, JsValue> {
    throw((|| {
        let user = user_of(&who);
        let nick = opts::string(&who, "nick")?;
        let global = opts::string(&user, "global_name")?;
        let username = opts::string(&user, "username")?.unwrap_or_default();
        Ok(display_name_of(nick.as_deref(), global.as_deref(), &username).to_owned())
    })())
}

/// `<@id>`: the user's (or member's user's) mention in message content.
#[wasm_bindgen(skip_jsdoc)]
pub fn mention(
    #[wasm_bindgen(unchecked_param_type = "User | Member")] who: JsValue,
) -> std::result::Result<String, JsValue> {
    throw(snowflake(&user_of(&who), "id").map(mention_of))
}

/// Whether an image hash is animated (`a_` prefix); `false` for `null`.
#[wasm_bindgen(skip_jsdoc, js_name = isAvatarAnimated)]
pub fn is_avatar_animated(hash: Option<String>) -> bool {
    hash.is_some_and(|h| cdn::is_avatar_animated(&h))
}

/// The user's banner colour as `#rrggbb`, or `null` without one.
#[wasm_bindgen(skip_jsdoc, js_name = accentColorHex, unchecked_return_type = "string | null")]
pub fn accent_color_hex(
    #[wasm_bindgen(unchecked_param_type = "Pick<User, \"accent_color\">")] user: JsValue,
) -> std::result::Result<JsValue, JsValue> {
    null_or(throw(match opts::number(&user, "accent_color") {
        Ok(Some(n)) if n.fract() == 0.0 && (0.0..=16_777_215.0).contains(&n) => {
            Ok(Some(color_hex(n as u32)))
        }
        Ok(Some(_)) => Err(config(
            "`accent_color` must be an integer from 0 to 0xffffff",
        )),
        Ok(None) => Ok(None),
        Err(e) => Err(e),
    }))
}

/// Whether everyone can see the connection (`visibility` 1); 0 is the user only.
#[wasm_bindgen(skip_jsdoc, js_name = isConnectionVisible)]
pub fn is_connection_visible(
    #[wasm_bindgen(unchecked_param_type = "Pick<Connection, \"visibility\">")] connection: JsValue,
) -> bool {
    opts::get(&connection, "visibility").as_f64() == Some(1.0)
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
