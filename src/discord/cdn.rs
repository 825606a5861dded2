//! Image URLs on Discord's CDN.
//!
//! <https://discord.com/developers/docs/reference#image-formatting>
//!
//! Quirks handled here: hashes starting with `a_` are animated and default to GIF (except
//! avatar decorations, served as PNG/APNG only, `a_` or not); only
//! animated images may be asked for as GIF; `size` is a power of two from 16 to 4096;
//! default avatars exist only as PNG and are picked by `(id >> 22) % 6` for users on the new
//! username system (discriminator `"0"`) and by `discriminator % 5` for the others.
//! Hashes are checked to be plain `[A-Za-z0-9_]` so that nothing else lands in the path.

use std::fmt;
use std::str::FromStr;

use super::config::CDN_BASE;
use super::error::InputError;
use super::models::{Application, Guild, Member, User};
use super::snowflake::{Snowflake, push_decimal};

/// An image format the CDN serves.
/// <https://discord.com/developers/docs/reference#image-formatting-image-formats>
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ImageFormat {
    /// `.png`
    Png,
    /// `.jpg` (JPEG)
    Jpeg,
    /// `.webp`
    Webp,
    /// `.gif`, for animated images only.
    Gif,
}

impl ImageFormat {
    /// The file extension used in the URL.
    pub const fn extension(self) -> &'static str {
        match self {
            ImageFormat::Png => "png",
            ImageFormat::Jpeg => "jpg",
            ImageFormat::Webp => "webp",
            ImageFormat::Gif => "gif",
        }
    }
}

impl fmt::Display for ImageFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.extension())
    }
}

impl FromStr for ImageFormat {
    type Err = InputError;

    /// `png`, `jpg`/`jpeg`, `webp` or `gif`, in any case, with or without a leading dot.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().trim_start_matches('.');
        match s.to_ascii_lowercase().as_str() {
            "png" => Ok(ImageFormat::Png),
            "jpg" | "jpeg" => Ok(ImageFormat::Jpeg),
            "webp" => Ok(ImageFormat::Webp),
            "gif" => Ok(ImageFormat::Gif),
            _ => Err(invalid(
                "format",
                [
                    "unknown image format \"",
                    s,
                    "\"; use png, jpg, webp or gif",
                ]
                .concat(),
            )),
        }
    }
}

/// What to ask the CDN for: `size` (a power of two, 16–4096) and `format` (default: GIF for
/// animated hashes, PNG otherwise).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CdnOptions {
    /// The `size` query parameter.
    pub size: Option<u16>,
    /// The file format.
    pub format: Option<ImageFormat>,
}

impl CdnOptions {
    /// Options with a size only.
    pub const fn sized(size: u16) -> Self {
        CdnOptions {
            size: Some(size),
            format: None,
        }
    }
}

/// Which formats an endpoint serves.
#[derive(Clone, Copy)]
enum Formats {
    /// PNG, JPEG, WebP, and GIF for animated hashes.
    Animatable,
    /// PNG, JPEG, WebP.
    Static,
    /// PNG only.
    PngOnly,
}

fn invalid(field: &'static str, reason: String) -> InputError {
    InputError::Invalid { field, reason }
}

/// Whether an image hash (avatar, banner, icon) names an animated image: the `a_` prefix
/// (the JS `isAvatarAnimated`).
pub fn is_avatar_animated(hash: &str) -> bool {
    hash.starts_with("a_")
}

/// `prefix` followed by the id in decimal.
fn id_path(prefix: &str, id: Snowflake) -> String {
    let mut path = String::from(prefix);
    push_decimal(&mut path, id.get());
    path
}

fn check_hash(hash: &str) -> Result<(), InputError> {
    let ok = !hash.is_empty()
        && hash.len() <= 128
        && hash.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(invalid("hash", "not an image hash".to_owned()))
    }
}

fn check_size(size: Option<u16>) -> Result<(), InputError> {
    match size {
        Some(s) if !(16..=4096).contains(&s) || !s.is_power_of_two() => Err(invalid("size", {
            let mut reason = String::from("must be a power of two from 16 to 4096, got ");
            push_decimal(&mut reason, u64::from(s));
            reason
        })),
        _ => Ok(()),
    }
}

/// `{CDN_BASE}/{path}/{hash}.{ext}[?size=N]`, after checking hash, size and format.
fn image_url(
    path: &str,
    hash: &str,
    opts: &CdnOptions,
    formats: Formats,
) -> Result<String, InputError> {
    check_hash(hash)?;
    check_size(opts.size)?;
    let animated = is_avatar_animated(hash);
    let format = match (opts.format, formats) {
        (None, Formats::Animatable) if animated => ImageFormat::Gif,
        (None, _) => ImageFormat::Png,
        (Some(f), Formats::PngOnly) if f != ImageFormat::Png => {
            return Err(invalid(
                "format",
                ["only png is served here, not ", f.extension()].concat(),
            ));
        }
        (Some(ImageFormat::Gif), Formats::Static) => {
            return Err(invalid(
                "format",
                "gif is not served for this image".to_owned(),
            ));
        }
        (Some(ImageFormat::Gif), Formats::Animatable) if !animated => {
            return Err(invalid(
                "format",
                "gif is only served for animated (a_) hashes".to_owned(),
            ));
        }
        (Some(f), _) => f,
    };
    let mut url = [CDN_BASE, "/", path, "/", hash, ".", format.extension()].concat();
    if let Some(size) = opts.size {
        url.push_str("?size=");
        push_decimal(&mut url, u64::from(size));
    }
    Ok(url)
}

/// A user's avatar: `avatars/{user_id}/{hash}`.
pub fn user_avatar_url(
    user_id: Snowflake,
    hash: &str,
    opts: &CdnOptions,
) -> Result<String, InputError> {
    image_url(
        &id_path("avatars/", user_id),
        hash,
        opts,
        Formats::Animatable,
    )
}

/// The index (0–5) of a user's default avatar: `(id >> 22) % 6` on the new username system
/// (discriminator `"0"`), else `discriminator % 5`. An unreadable discriminator is treated
/// as the new system.
/// <https://discord.com/developers/docs/reference#image-formatting-cdn-endpoints>
pub fn default_avatar_index(user_id: Snowflake, discriminator: &str) -> u8 {
    match discriminator.parse::<u16>() {
        Ok(d) if discriminator != "0" => (d % 5) as u8,
        _ => ((user_id.get() >> 22) % 6) as u8,
    }
}

/// A default avatar: `embed/avatars/{index}.png` (PNG only; no size is needed).
pub fn default_avatar_url(user_id: Snowflake, discriminator: &str) -> String {
    let mut url = String::from(CDN_BASE);
    url.push_str("/embed/avatars/");
    push_decimal(
        &mut url,
        u64::from(default_avatar_index(user_id, discriminator)),
    );
    url.push_str(".png");
    url
}

/// The avatar to show for a user: their own, or the default one when `avatar` is `null`
/// (the JS `avatarUrl`). For a default avatar, `format` is ignored (it exists only as PNG)
/// but `size` is still checked.
pub fn avatar_url(user: &User, opts: &CdnOptions) -> Result<String, InputError> {
    match user.avatar.as_deref() {
        Some(hash) => user_avatar_url(user.id, hash, opts),
        None => {
            check_size(opts.size)?;
            Ok(default_avatar_url(user.id, &user.discriminator))
        }
    }
}

/// A user's profile banner: `banners/{user_id}/{hash}`.
pub fn user_banner_url(
    user_id: Snowflake,
    hash: &str,
    opts: &CdnOptions,
) -> Result<String, InputError> {
    image_url(
        &id_path("banners/", user_id),
        hash,
        opts,
        Formats::Animatable,
    )
}

/// A user's banner, or `None` when they have none (the JS `bannerUrl`).
pub fn banner_url(user: &User, opts: &CdnOptions) -> Result<Option<String>, InputError> {
    user.banner
        .as_deref()
        .map(|h| user_banner_url(user.id, h, opts))
        .transpose()
}

/// A guild's icon: `icons/{guild_id}/{hash}`.
pub fn guild_icon_url(
    guild_id: Snowflake,
    hash: &str,
    opts: &CdnOptions,
) -> Result<String, InputError> {
    image_url(
        &id_path("icons/", guild_id),
        hash,
        opts,
        Formats::Animatable,
    )
}

/// A guild's icon, or `None` when it has none (the JS `guildIconUrl`).
pub fn guild_icon(guild: &Guild, opts: &CdnOptions) -> Result<Option<String>, InputError> {
    guild
        .icon
        .as_deref()
        .map(|h| guild_icon_url(guild.id, h, opts))
        .transpose()
}

/// A guild's banner: `banners/{guild_id}/{hash}`.
pub fn guild_banner_url(
    guild_id: Snowflake,
    hash: &str,
    opts: &CdnOptions,
) -> Result<String, InputError> {
    image_url(
        &id_path("banners/", guild_id),
        hash,
        opts,
        Formats::Animatable,
    )
}

/// A member's guild avatar: `guilds/{guild_id}/users/{user_id}/avatars/{hash}`.
pub fn guild_member_avatar_url(
    guild_id: Snowflake,
    user_id: Snowflake,
    hash: &str,
    opts: &CdnOptions,
) -> Result<String, InputError> {
    let mut path = id_path("guilds/", guild_id);
    path.push_str(&id_path("/users/", user_id));
    path.push_str("/avatars");
    image_url(&path, hash, opts, Formats::Animatable)
}

/// A member's guild avatar (the JS `memberAvatarUrl`); `Ok(None)` when the member has no
/// guild avatar, or carries no user (whose id the path needs).
pub fn member_avatar_url(
    guild_id: Snowflake,
    member: &Member,
    opts: &CdnOptions,
) -> Result<Option<String>, InputError> {
    match (&member.user, member.avatar.as_deref()) {
        (Some(user), Some(hash)) => {
            guild_member_avatar_url(guild_id, user.id, hash, opts).map(Some)
        }
        _ => Ok(None),
    }
}

/// The avatar to show for a member in a guild (the JS `memberDisplayAvatarUrl`): the guild
/// avatar if set, else the user's avatar, else their default avatar. `Ok(None)` when the
/// member carries no user to fall back on.
pub fn member_display_avatar_url(
    guild_id: Snowflake,
    member: &Member,
    opts: &CdnOptions,
) -> Result<Option<String>, InputError> {
    let Some(user) = &member.user else {
        return Ok(None);
    };
    match member_avatar_url(guild_id, member, opts)? {
        Some(url) => Ok(Some(url)),
        None => avatar_url(user, opts).map(Some),
    }
}

/// A member's guild banner: `guilds/{guild_id}/users/{user_id}/banners/{hash}`.
pub fn member_banner_url(
    guild_id: Snowflake,
    user_id: Snowflake,
    hash: &str,
    opts: &CdnOptions,
) -> Result<String, InputError> {
    let mut path = id_path("guilds/", guild_id);
    path.push_str(&id_path("/users/", user_id));
    path.push_str("/banners");
    image_url(&path, hash, opts, Formats::Animatable)
}

/// An application's icon: `app-icons/{application_id}/{hash}` (PNG, JPEG, WebP).
pub fn application_icon_url(
    application_id: Snowflake,
    hash: &str,
    opts: &CdnOptions,
) -> Result<String, InputError> {
    image_url(
        &id_path("app-icons/", application_id),
        hash,
        opts,
        Formats::Static,
    )
}

/// An application's icon, or `None` when it has none.
pub fn application_icon(
    app: &Application,
    opts: &CdnOptions,
) -> Result<Option<String>, InputError> {
    app.icon
        .as_deref()
        .map(|h| application_icon_url(app.id, h, opts))
        .transpose()
}

/// An avatar decoration preset: `avatar-decoration-presets/{asset}.png` (PNG only, even for
/// `a_` assets: animated decorations are APNG).
pub fn avatar_decoration_preset_url(asset: &str, opts: &CdnOptions) -> Result<String, InputError> {
    image_url("avatar-decoration-presets", asset, opts, Formats::PngOnly)
}

/// The user's avatar decoration, drawn over the avatar (the JS `avatarDecorationUrl`);
/// `Ok(None)` without one.
/// <https://discord.com/developers/docs/reference#image-formatting-cdn-endpoints>
pub fn avatar_decoration_url(user: &User, opts: &CdnOptions) -> Result<Option<String>, InputError> {
    user.avatar_decoration_data
        .as_ref()
        .map(|d| avatar_decoration_preset_url(&d.asset, opts))
        .transpose()
}

/// A server tag badge: `guild-tag-badges/{guild_id}/{badge}` (PNG, JPEG, WebP).
pub fn guild_tag_badge_image_url(
    guild_id: Snowflake,
    badge: &str,
    opts: &CdnOptions,
) -> Result<String, InputError> {
    image_url(
        &id_path("guild-tag-badges/", guild_id),
        badge,
        opts,
        Formats::Static,
    )
}

/// The badge of the server tag the user shows (the JS `guildTagBadgeUrl`); `Ok(None)`
/// without a primary guild, badge or guild id, and when `identity_enabled` is not `true`:
/// the user removed the tag (`false`) or Discord cleared it (`null`), so it is not on show.
/// <https://discord.com/developers/docs/resources/user#user-object-user-primary-guild>
pub fn guild_tag_badge_url(user: &User, opts: &CdnOptions) -> Result<Option<String>, InputError> {
    match &user.primary_guild {
        Some(pg) => shown_tag_badge_url(
            pg.identity_guild_id,
            pg.identity_enabled,
            pg.badge.as_deref(),
            opts,
        ),
        None => Ok(None),
    }
}

/// The badge URL from a primary guild's fields (see [`guild_tag_badge_url`]): `Ok(None)`
/// unless the tag is on show (`identity_enabled` is `true`) with a guild id and a badge.
pub fn shown_tag_badge_url(
    identity_guild_id: Option<Snowflake>,
    identity_enabled: Option<bool>,
    badge: Option<&str>,
    opts: &CdnOptions,
) -> Result<Option<String>, InputError> {
    match (identity_guild_id, identity_enabled, badge) {
        (Some(guild), Some(true), Some(badge)) => {
            guild_tag_badge_image_url(guild, badge, opts).map(Some)
        }
        _ => Ok(None),
    }
}

#[cfg(test)]
#[path = "cdn_tests.rs"]
mod tests;
