// Helpers over Discord's models for pages: CDN image URLs, display names, mentions, colours,
// snowflake times, permission and user flags (docs/browser.md, "Model helpers").
//
// Plain JavaScript: they make no protocol decision and talk to nothing, so they need no wasm
// (issue 13 moved them out of it; a page that only draws avatars can import
// `discord-oauth-wasm/helpers` without loading the .wasm). The Rust face has the same helpers
// by the same names (src/discord/helpers.rs, src/discord/cdn.rs). Both are held to one set of
// fixtures, tests/fixtures/helpers.json: the native tests run it through the core, the
// helpers test (tests/helpers/) through this file, so the two cannot drift apart.
//
// Failures throw a `DiscordOAuthError` with code `config_error` and the message the core gives.

/** Discord's CDN. <https://discord.com/developers/docs/reference#image-formatting> */
const CDN_BASE = "https://cdn.discordapp.com";

/** The Discord epoch, the first millisecond of 2015. <https://discord.com/developers/docs/reference#snowflakes> */
const DISCORD_EPOCH_MS = 1420070400000n;

const U64_MAX = (1n << 64n) - 1n;

/**
 * Permission bits by name, lowest first.
 * <https://discord.com/developers/docs/topics/permissions#permissions-bitwise-permission-flags>
 */
const PERMISSIONS = [
  "CREATE_INSTANT_INVITE", "KICK_MEMBERS", "BAN_MEMBERS", "ADMINISTRATOR", "MANAGE_CHANNELS",
  "MANAGE_GUILD", "ADD_REACTIONS", "VIEW_AUDIT_LOG", "PRIORITY_SPEAKER", "STREAM",
  "VIEW_CHANNEL", "SEND_MESSAGES", "SEND_TTS_MESSAGES", "MANAGE_MESSAGES", "EMBED_LINKS",
  "ATTACH_FILES", "READ_MESSAGE_HISTORY", "MENTION_EVERYONE", "USE_EXTERNAL_EMOJIS",
  "VIEW_GUILD_INSIGHTS", "CONNECT", "SPEAK", "MUTE_MEMBERS", "DEAFEN_MEMBERS", "MOVE_MEMBERS",
  "USE_VAD", "CHANGE_NICKNAME", "MANAGE_NICKNAMES", "MANAGE_ROLES", "MANAGE_WEBHOOKS",
  "MANAGE_GUILD_EXPRESSIONS", "USE_APPLICATION_COMMANDS", "REQUEST_TO_SPEAK", "MANAGE_EVENTS",
  "MANAGE_THREADS", "CREATE_PUBLIC_THREADS", "CREATE_PRIVATE_THREADS", "USE_EXTERNAL_STICKERS",
  "SEND_MESSAGES_IN_THREADS", "USE_EMBEDDED_ACTIVITIES", "MODERATE_MEMBERS",
  "VIEW_CREATOR_MONETIZATION_ANALYTICS", "USE_SOUNDBOARD", "CREATE_GUILD_EXPRESSIONS",
  "CREATE_EVENTS", "USE_EXTERNAL_SOUNDS", "SEND_VOICE_MESSAGES",
  // Bit 47 is not assigned in Discord's documentation.
  null,
  "SET_VOICE_CHANNEL_STATUS", "SEND_POLLS", "USE_EXTERNAL_APPS", "PIN_MESSAGES",
  "BYPASS_SLOWMODE",
].reduce((bits, name, bit) => (name ? bits.set(name, 1n << BigInt(bit)) : bits), new Map());

/** Former names Discord has renamed, still accepted by `hasPermission`. */
const PERMISSION_ALIASES = new Map([
  ["MANAGE_EMOJIS", "MANAGE_GUILD_EXPRESSIONS"],
  ["MANAGE_EMOJIS_AND_STICKERS", "MANAGE_GUILD_EXPRESSIONS"],
  ["USE_SLASH_COMMANDS", "USE_APPLICATION_COMMANDS"],
  ["USE_PUBLIC_THREADS", "CREATE_PUBLIC_THREADS"],
  ["USE_PRIVATE_THREADS", "CREATE_PRIVATE_THREADS"],
  ["START_EMBEDDED_ACTIVITIES", "USE_EMBEDDED_ACTIVITIES"],
  ["READ_MESSAGES", "VIEW_CHANNEL"],
]);

/**
 * User flag bits by name, lowest first. `SYSTEM` (1 << 12) and `SPAMMER` (1 << 20) are not
 * documented but named, as every Discord library does.
 * <https://discord.com/developers/docs/resources/user#user-object-user-flags>
 */
const USER_FLAGS = [
  ["STAFF", 0], ["PARTNER", 1], ["HYPESQUAD", 2], ["BUG_HUNTER_LEVEL_1", 3],
  ["HYPESQUAD_ONLINE_HOUSE_1", 6], ["HYPESQUAD_ONLINE_HOUSE_2", 7],
  ["HYPESQUAD_ONLINE_HOUSE_3", 8], ["PREMIUM_EARLY_SUPPORTER", 9], ["TEAM_PSEUDO_USER", 10],
  ["SYSTEM", 12], ["BUG_HUNTER_LEVEL_2", 14], ["VERIFIED_BOT", 16], ["VERIFIED_DEVELOPER", 17],
  ["CERTIFIED_MODERATOR", 18], ["BOT_HTTP_INTERACTIONS", 19], ["SPAMMER", 20],
  ["ACTIVE_DEVELOPER", 22],
];

// ---- errors ----

/** A `DiscordOAuthError` with code `config_error`, as the wasm client throws them. */
function configError(message) {
  const error = new Error(message);
  error.name = "DiscordOAuthError";
  error.code = "config_error";
  return error;
}

/** A caller's mistake: "configuration error: …". */
const misconfigured = (what) => configError("configuration error: " + what);

/** A value outside what Discord accepts: "invalid {field}: {reason}". */
const invalid = (field, reason) => configError("invalid " + field + ": " + reason);

/** Lower- and upper-casing of ASCII letters only, as the core does (`to_ascii_lowercase`). */
const asciiLower = (text) => text.replace(/[A-Z]/g, (c) => c.toLowerCase());
const asciiUpper = (text) => text.replace(/[a-z]/g, (c) => c.toUpperCase());

// ---- reading the fields of a plain object ----

/** `obj[key]`, or `undefined` when `obj` is not an object. */
const field = (obj, key) => (typeof obj === "object" && obj !== null ? obj[key] : undefined);

const wrongType = (key, what) => misconfigured("option `" + key + "` must be " + what);

/** An optional field of the JavaScript type `type`: `undefined` when absent or `null`. */
function typedField(obj, key, type) {
  const value = field(obj, key);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== type) throw wrongType(key, "a " + type);
  return value;
}

const stringField = (obj, key) => typedField(obj, key, "string");
const numberField = (obj, key) => typedField(obj, key, "number");
const booleanField = (obj, key) => typedField(obj, key, "boolean");

/** An id field: a decimal string, or a safe integer, or a bigint. */
function idField(obj, key) {
  const value = field(obj, key);
  if (typeof value === "number") {
    if (!Number.isInteger(value) || value < 0 || value > Number.MAX_SAFE_INTEGER) {
      throw wrongType(key, "a non-negative integer or a decimal string");
    }
    return BigInt(value);
  }
  const text = typeof value === "bigint" ? value.toString() : stringField(obj, key);
  if (text === undefined) throw misconfigured("`" + key + "` is required");
  return parseU64(text);
}

/**
 * A decimal u64 as Discord writes ids and permissions: digits only, at most 2^64 - 1. Read
 * digit by digit so that the first problem found is the one the core reports.
 */
function parseU64(text) {
  if (text.length === 0) throw misconfigured("a snowflake cannot be empty");
  let value = 0n;
  for (const c of text) {
    if (c < "0" || c > "9") throw misconfigured("a snowflake holds only the digits 0-9");
    value = value * 10n + BigInt(c.charCodeAt(0) - 48);
    if (value > U64_MAX) throw misconfigured("a snowflake must fit in 64 bits");
  }
  return value;
}

// ---- CDN images ----

const ANIMATABLE = "animatable"; // png, jpg, webp, and gif for `a_` hashes
const STATIC = "static"; // png, jpg, webp
const PNG_ONLY = "png"; // png only

const EXTENSIONS = new Map([["png", "png"], ["jpg", "jpg"], ["jpeg", "jpg"], ["webp", "webp"], ["gif", "gif"]]);

/** `size` and `format` of an `ImageOptions` object, checked as the core checks them. */
function imageOptions(options) {
  if (options === undefined || options === null) return {};
  const size = numberField(options, "size");
  if (size !== undefined && !(Number.isInteger(size) && size >= 0 && size <= 65535)) {
    throw misconfigured("`size` must be a power of two from 16 to 4096");
  }
  const formatText = stringField(options, "format");
  let format;
  if (formatText !== undefined) {
    // png, jpg/jpeg, webp or gif, in any case, with or without a leading dot.
    const name = formatText.trim().replace(/^\.+/, "");
    format = EXTENSIONS.get(asciiLower(name));
    if (format === undefined) {
      throw invalid("format", 'unknown image format "' + name + '"; use png, jpg, webp or gif');
    }
  }
  return { size, format };
}

/** Whether an image hash names an animated image: the `a_` prefix. */
const animated = (hash) => hash.startsWith("a_");

/** A size is a power of two from 16 to 4096 (Discord's rule for `?size=`). */
function checkSize(size) {
  if (size !== undefined && (size < 16 || size > 4096 || (size & (size - 1)) !== 0)) {
    throw invalid("size", "must be a power of two from 16 to 4096, got " + size);
  }
}

/**
 * `{CDN}/{path}/{hash}.{ext}[?size=N]`. Hashes are plain `[A-Za-z0-9_]` so that nothing else
 * lands in the path; `a_` hashes default to GIF where the endpoint animates, PNG otherwise;
 * GIF only for animated hashes; avatar decorations are PNG only (animated ones are APNG).
 */
function imageUrl(path, hash, options, formats) {
  if (!/^[A-Za-z0-9_]{1,128}$/.test(hash)) throw invalid("hash", "not an image hash");
  checkSize(options.size);
  let format = options.format;
  if (format === undefined) {
    format = formats === ANIMATABLE && animated(hash) ? "gif" : "png";
  } else if (formats === PNG_ONLY && format !== "png") {
    throw invalid("format", "only png is served here, not " + format);
  } else if (format === "gif" && formats === STATIC) {
    throw invalid("format", "gif is not served for this image");
  } else if (format === "gif" && !animated(hash)) {
    throw invalid("format", "gif is only served for animated (a_) hashes");
  }
  const url = CDN_BASE + "/" + path + "/" + hash + "." + format;
  return options.size === undefined ? url : url + "?size=" + options.size;
}

/**
 * A default avatar, PNG only: `(id >> 22) % 6` on the new username system (discriminator
 * `"0"`), `discriminator % 5` for legacy accounts.
 * <https://discord.com/developers/docs/reference#image-formatting-cdn-endpoints>
 */
function defaultAvatarUrl(id, discriminator) {
  const legacy = legacyDiscriminator(discriminator);
  const index = legacy === undefined ? Number((id >> 22n) % 6n) : legacy % 5;
  return CDN_BASE + "/embed/avatars/" + index + ".png";
}

/**
 * A legacy discriminator read as the core reads it (a u16: an optional `+`, then digits);
 * `undefined` for `"0"` (the new username system) and anything unreadable.
 */
function legacyDiscriminator(text) {
  if (text === "0" || !/^\+?[0-9]+$/.test(text)) return undefined;
  const value = BigInt(text.replace("+", ""));
  return value <= 65535n ? Number(value) : undefined;
}

/** A user's avatar or, without one, their default avatar. */
function userAvatar(user, options) {
  const id = idField(user, "id");
  const hash = stringField(user, "avatar");
  if (hash !== undefined) return imageUrl("avatars/" + id, hash, options, ANIMATABLE);
  return defaultAvatarUrl(id, stringField(user, "discriminator") ?? "");
}

/** The member's `user`, or the object itself for a user. */
function userOf(who) {
  const user = field(who, "user");
  return typeof user === "object" && user !== null ? user : who;
}

/**
 * The user's avatar URL; the default avatar when `avatar` is null. `a_` hashes are animated
 * and default to GIF.
 */
export function avatarUrl(user, options) {
  return userAvatar(user, imageOptions(options));
}

/** The user's banner URL, or `null` when there is none. */
export function bannerUrl(user, options) {
  const hash = stringField(user, "banner");
  if (hash === undefined) return null;
  return imageUrl("banners/" + idField(user, "id"), hash, imageOptions(options), ANIMATABLE);
}

/** The guild's icon URL, or `null` when there is none. */
export function guildIconUrl(guild, options) {
  const hash = stringField(guild, "icon");
  if (hash === undefined) return null;
  return imageUrl("icons/" + idField(guild, "id"), hash, imageOptions(options), ANIMATABLE);
}

/**
 * The avatar decoration to draw over the user's avatar
 * (`avatar-decoration-presets/{asset}.png`, PNG only), or `null` without one.
 */
export function avatarDecorationUrl(user, options) {
  const asset = stringField(field(user, "avatar_decoration_data"), "asset");
  if (asset === undefined) return null;
  return imageUrl("avatar-decoration-presets", asset, imageOptions(options), PNG_ONLY);
}

/**
 * The badge of the server tag the user shows (`guild-tag-badges/{guild_id}/{badge}`), or
 * `null` when they show none: no primary guild or badge, or `identity_enabled` not `true`
 * (removed by the user, or cleared by Discord).
 * <https://discord.com/developers/docs/resources/user#user-object-user-primary-guild>
 */
export function guildTagBadgeUrl(user, options) {
  const primary = field(user, "primary_guild");
  const guildText = stringField(primary, "identity_guild_id");
  const guild = guildText === undefined ? undefined : parseU64(guildText);
  const enabled = booleanField(primary, "identity_enabled");
  const badge = stringField(primary, "badge");
  const checked = imageOptions(options);
  if (guild === undefined || enabled !== true || badge === undefined) return null;
  return imageUrl("guild-tag-badges/" + guild, badge, checked, STATIC);
}

/**
 * The member's guild avatar (`guilds/{guild_id}/users/{user_id}/avatars/{hash}`), or `null`
 * when the member has none (or carries no user).
 */
export function memberAvatarUrl(guildId, member, options) {
  const guild = parseU64(String(guildId));
  const user = field(member, "user");
  const hash = stringField(member, "avatar");
  if (hash === undefined || typeof user !== "object" || user === null) return null;
  const path = "guilds/" + guild + "/users/" + idField(user, "id") + "/avatars";
  return imageUrl(path, hash, imageOptions(options), ANIMATABLE);
}

/**
 * The avatar to show for a member: the guild avatar, else the user's avatar, else their
 * default avatar; `null` when the member carries no user.
 */
export function memberDisplayAvatarUrl(guildId, member, options) {
  const own = memberAvatarUrl(guildId, member, options);
  if (own !== null) return own;
  const user = field(member, "user");
  if (typeof user !== "object" || user === null) return null;
  return userAvatar(user, imageOptions(options));
}

// ---- names, mentions, colours ----

/** The name to show: a member's `nick`, else `global_name`, else `username`. */
export function displayName(who) {
  const user = userOf(who);
  const nick = stringField(who, "nick");
  const globalName = stringField(user, "global_name");
  const username = stringField(user, "username") ?? "";
  return [nick, globalName].find((name) => name !== undefined && name !== "") ?? username;
}

/** `<@id>`: the user's (or member's user's) mention in message content. */
export function mention(who) {
  return "<@" + idField(userOf(who), "id") + ">";
}

/** Whether an image hash is animated (`a_` prefix); `false` for `null`. */
export function isAvatarAnimated(hash) {
  return typeof hash === "string" && animated(hash);
}

/** The user's banner colour as `#rrggbb`, or `null` without one. */
export function accentColorHex(user) {
  const color = numberField(user, "accent_color");
  if (color === undefined) return null;
  if (!Number.isInteger(color) || color < 0 || color > 0xffffff) {
    throw misconfigured("`accent_color` must be an integer from 0 to 0xffffff");
  }
  return "#" + color.toString(16).padStart(6, "0");
}

/** Whether everyone can see the connection (`visibility` 1); 0 is the user only. */
export function isConnectionVisible(connection) {
  return field(connection, "visibility") === 1;
}

// ---- snowflakes and flags ----

/** When a snowflake was created, in milliseconds since the Unix epoch: `(id >> 22) + epoch`. */
export function snowflakeTimestamp(id) {
  return Number((parseU64(String(id)) >> 22n) + DISCORD_EPOCH_MS);
}

/**
 * Whether a permissions string (decimal, as Discord sends it: permissions pass 2^53) grants
 * `permission`; `ADMINISTRATOR` grants everything, as Discord computes base permissions.
 * Names ignore case and may be former names (`USE_SLASH_COMMANDS`, …).
 * <https://discord.com/developers/docs/topics/permissions#permission-overwrites>
 */
export function hasPermission(permissions, permission) {
  const granted = parseU64(String(permissions));
  const upper = asciiUpper(String(permission).trim());
  const bit = PERMISSIONS.get(upper) ?? PERMISSIONS.get(PERMISSION_ALIASES.get(upper));
  if (bit === undefined) throw invalid("permission", 'unknown permission name "' + permission + '"');
  const admin = PERMISSIONS.get("ADMINISTRATOR");
  return (granted & admin) === admin || (granted & bit) === bit;
}

/** The names of the documented flags set in a user's `flags` / `public_flags`, lowest first. */
export function userFlags(flags) {
  const value = +flags;
  if (!Number.isInteger(value) || value < 0 || value > Number.MAX_SAFE_INTEGER) {
    throw misconfigured("flags must be a non-negative integer");
  }
  const bits = BigInt(value);
  return USER_FLAGS.filter(([, bit]) => (bits >> BigInt(bit)) & 1n).map(([name]) => name);
}
