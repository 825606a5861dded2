// Types of helpers.js: the model helpers, plain JavaScript held to the core's fixtures
// (docs/browser.md, "Model helpers"). Each throws a DiscordOAuthError with code `config_error`
// on a malformed argument.

import type {
  User, Guild, Member, Connection, ImageOptions, PermissionName, UserFlagName,
} from "./discord_oauth_wasm.js";

/**
 * The user's avatar URL; the default avatar when `avatar` is null (new usernames:
 * `(id >> 22) % 6`, legacy: `discriminator % 5`); `a_` hashes are animated (gif).
 */
export function avatarUrl(user: Pick<User, "id" | "avatar"> & { discriminator?: string }, options?: ImageOptions): string;
/** The user's banner URL, or `null` when there is none. */
export function bannerUrl(user: Pick<User, "id" | "banner">, options?: ImageOptions): string | null;
/** The guild's icon URL, or `null` when there is none. */
export function guildIconUrl(guild: Pick<Guild, "id" | "icon">, options?: ImageOptions): string | null;
/**
 * The avatar decoration to draw over the user's avatar
 * (`avatar-decoration-presets/{asset}.png`, PNG only), or `null` without one.
 */
export function avatarDecorationUrl(user: Pick<User, "avatar_decoration_data">, options?: ImageOptions): string | null;
/**
 * The badge of the server tag the user shows (`guild-tag-badges/{guild_id}/{badge}.png`),
 * or `null` when they show none (no primary guild or badge, `identity_enabled` not true).
 */
export function guildTagBadgeUrl(user: Pick<User, "primary_guild">, options?: ImageOptions): string | null;
/**
 * The member's guild avatar (`guilds/{guild_id}/users/{user_id}/avatars/{hash}`), or `null`
 * when the member has none (or carries no user).
 */
export function memberAvatarUrl(guildId: string, member: Pick<Member, "avatar" | "user">, options?: ImageOptions): string | null;
/**
 * The avatar to show for a member: the guild avatar, else the user's avatar, else their
 * default avatar; `null` when the member carries no user.
 */
export function memberDisplayAvatarUrl(guildId: string, member: Pick<Member, "avatar" | "user">, options?: ImageOptions): string | null;
/** The name to show: a member's `nick`, else `global_name`, else `username`. */
export function displayName(who: User | Member): string;
/** `<@id>`: the user's (or member's user's) mention in message content. */
export function mention(who: User | Member): string;
/** Whether an image hash is animated (`a_` prefix); `false` for `null`. */
export function isAvatarAnimated(hash?: string | null): boolean;
/** The user's banner colour as `#rrggbb`, or `null` without one. */
export function accentColorHex(user: Pick<User, "accent_color">): string | null;
/** Whether everyone can see the connection (`visibility` 1); 0 is the user only. */
export function isConnectionVisible(connection: Pick<Connection, "visibility">): boolean;
/** When a snowflake was created, in milliseconds since the epoch. */
export function snowflakeTimestamp(id: string): number;
/**
 * Whether a permissions string (decimal, as Discord sends it) grants `permission`
 * (`ADMINISTRATOR` grants everything).
 */
export function hasPermission(permissions: string, permission: PermissionName): boolean;
/** The names of the documented flags set in a user's `flags` / `public_flags`. */
export function userFlags(flags: number): UserFlagName[];
