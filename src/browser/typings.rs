//! The TypeScript declarations of every option, return value and model, emitted into the
//! package's `.d.ts` beside the classes wasm-bindgen generates.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS: &'static str = r#"
/**
 * The stable `code` of every {@link DiscordOAuthError}: the core's codes, then the codes only
 * the Worker answers with (which `DiscordSession` passes on as they came).
 */
export type DiscordOAuthErrorCode =
  | "access_denied" | "invalid_state" | "invalid_request" | "invalid_grant" | "invalid_scope"
  | "unauthorized" | "forbidden" | "not_found" | "rate_limited" | "server_error"
  | "network_error" | "config_error" | "storage_error"
  | "discord_unavailable" | "storage_unavailable" | "missing_scope" | "guild_not_allowed"
  | "invalid_return_to" | "method_not_allowed" | "payload_too_large" | "assets_unavailable"
  | "internal_error" | "invalid_signature" | "login_aborted" | "role_connection_refused";

/** What every method throws (rejects with): an `Error` named `"DiscordOAuthError"`. */
export interface DiscordOAuthError extends Error {
  name: "DiscordOAuthError";
  code: DiscordOAuthErrorCode;
  /** The HTTP status Discord (or the Worker) answered, when there was one. */
  status?: number;
  /** Seconds to wait, for `rate_limited`. */
  retryAfter?: number;
  /** Whether a rate limit is Discord's global one. */
  global?: boolean;
  /** Discord's JSON error code (e.g. 50001), for API errors. */
  discordCode?: number;
  /** Discord's `error_description` or API `message`. */
  description?: string;
  /** A rate limit's `X-RateLimit-Bucket`. */
  bucket?: string;
  /** A rate limit's `X-RateLimit-Scope`: `user`, `global` or `shared`. */
  scope?: string;
  /** Discord's JSON body of a 429, whole. */
  body?: JsonValue;
}

/** What `onRequest` is called with after each request to Discord (never a token). */
export interface RequestTrace {
  method: HttpMethod;
  /** The rate-limit route key, e.g. `"GET /users/@me/guilds/{guild_id}/member"`. */
  route: string;
  /** Discord's status; 0 when no answer came back. */
  status: number;
  /** `X-RateLimit-Bucket`, when Discord sent one. */
  bucket?: string;
  durationMs: number;
}

/** The options of `request()`. */
export interface RequestOptions {
  /** `false`: send no token (a public route). Default `true`. */
  auth?: boolean;
}

/** Any JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** An OAuth2 scope Discord documents (other strings are refused with `invalid_scope`). */
export type Scope =
  | "identify" | "identify.premium" | "email" | "connections" | "guilds" | "guilds.join" | "guilds.members.read"
  | "gdm.join" | "bot" | "applications.commands" | "applications.commands.update"
  | "applications.commands.permissions.update" | "applications.builds.read"
  | "applications.builds.upload" | "applications.entitlements" | "applications.store.update"
  | "activities.read" | "activities.write" | "messages.read" | "relationships.read"
  | "relationships.write" | "role_connections.write" | "rpc" | "rpc.activities.write"
  | "rpc.notifications.read" | "rpc.video.read" | "rpc.video.write" | "rpc.voice.read" | "rpc.voice.write" | "rpc.screenshare.read"
  | "rpc.screenshare.write" | "voice" | "webhook.incoming" | "dm_channels.read"
  | "dm_channels.messages.read" | "dm_channels.messages.write" | "openid" | "gateway.connect"
  | "lobbies.write" | "presences.read" | "presences.write" | "account.global_name.update"
  | "sdk.social_layer" | "sdk.social_layer_presence";

/** Where the client keeps its tokens. */
export type TokenStorage = "memory" | "session" | "local";

export interface DiscordOAuthClientOptions {
  /** The application id (Developer Portal, OAuth2 page). */
  clientId: string;
  /** A redirect URI registered for the application. */
  redirectUri: string;
  /** Default `["identify"]`. */
  scopes?: Scope[];
  /** Default `"session"`. PKCE verifier and state always go to `sessionStorage`. */
  storage?: TokenStorage;
  /** Default `"https://discord.com/api/v10"`. */
  apiBase?: string;
  /** Default `"https://discord.com/oauth2/authorize"`. */
  authorizeEndpoint?: string;
  /** The expected OpenID Connect issuer (the redirect's `iss` and the id_token's); default:
   * the origin of `apiBase` (`"https://discord.com"`). */
  issuer?: string;
  /** Called after each request to Discord with its method, route, status, bucket and
   * duration (never a token): the `http_trace` of the Python libraries. */
  onRequest?: (trace: RequestTrace) => void;
}

export interface AuthorizeOptions {
  /** `"code"` (default, PKCE) or `"token"` (implicit grant). */
  responseType?: "code" | "token";
  /** Default: the client's scopes. */
  scopes?: Scope[];
  prompt?: "consent" | "none";
  /** Your own state value; default: 256 random bits. It is checked on the redirect either way. */
  state?: string;
  /** Bot permissions (decimal string), with the `bot` scope. */
  permissions?: string | number | bigint;
  guildId?: string;
  disableGuildSelect?: boolean;
  /** 0: guild install, 1: user install. */
  integrationType?: 0 | 1;
  /** Default: the client's `redirectUri`. */
  redirectUri?: string;
  /** Any JSON value, kept beside the state and returned once as `TokenSet.data`. */
  data?: JsonValue;
}

export interface TokenSet {
  access_token: string;
  token_type: string;
  /** Milliseconds since the epoch. */
  expires_at: number;
  refresh_token?: string;
  /** Space-separated, as Discord sends it. */
  scope: string;
  /** The guild the bot was added to (`bot` scope). */
  guild?: Guild;
  /** The webhook created (`webhook.incoming` scope). */
  webhook?: Webhook;
  /** The OpenID Connect ID token (`openid` scope). */
  id_token?: string;
  /** The id_token's claims, verified (signature, issuer, audience, expiry, nonce), on the
   * TokenSet `handleRedirect` returns only. */
  claims?: IdTokenClaims;
  /** The `data` given to `authorizeUrl`, on the TokenSet `handleRedirect` returns only. */
  data?: JsonValue;
}

/** The claims of Discord's OpenID Connect id_token. */
export interface IdTokenClaims {
  /** The issuer (`"https://discord.com"`). */
  iss: string;
  /** The user id. */
  sub: string;
  /** The client id (or a list holding it). */
  aud: string | string[];
  /** Seconds since the epoch. */
  exp: number;
  /** Seconds since the epoch. */
  iat: number;
  auth_time?: number;
  at_hash?: string;
  nonce?: string;
  /** With the `email` scope. */
  email?: string | null;
  email_verified?: boolean;
  [claim: string]: JsonValue | undefined;
}

/** `GET /oauth2/userinfo` (`openid` scope). */
export interface UserInfo {
  /** The user id. */
  sub: string;
  preferred_username?: string;
  nickname?: string | null;
  picture?: string | null;
  locale?: string;
  /** With the `email` scope. */
  email?: string | null;
  email_verified?: boolean;
  [claim: string]: JsonValue | undefined;
}

/** https://discord.com/developers/docs/resources/user#avatar-decoration-data-object */
export interface AvatarDecorationData {
  /** Use `avatarDecorationUrl(user)`. */
  asset: string;
  /** `null` is allowed by Discord's OpenAPI description. */
  sku_id: string | null;
  /** Unix seconds, for a time-limited decoration. */
  expires_at?: number | null;
}

/** https://discord.com/developers/docs/resources/user#nameplate */
export interface Nameplate {
  sku_id: string | null;
  /** Path of the nameplate asset, e.g. `"nameplates/nameplates/twilight/"`. */
  asset: string;
  /** Currently unused (often `""`). */
  label: string;
  /** Background colour. */
  palette: "crimson" | "berry" | "sky" | "teal" | "forest" | "bubble_gum" | "violet"
    | "cobalt" | "clover" | "lemon" | "white" | (string & {});
}

/** https://discord.com/developers/docs/resources/user#collectibles */
export interface Collectibles {
  nameplate?: Nameplate | null;
}

/** The server tag shown beside the name.
 * https://discord.com/developers/docs/resources/user#user-object-user-primary-guild */
export interface PrimaryGuild {
  identity_guild_id: string | null;
  /** `false`: the user removed the tag; `null`: Discord cleared it. Shown only when `true`. */
  identity_enabled: boolean | null;
  /** At most 4 characters. */
  tag: string | null;
  /** Use `guildTagBadgeUrl(user)`. */
  badge: string | null;
}

export interface User {
  id: string;
  username: string;
  discriminator: string;
  global_name: string | null;
  avatar: string | null;
  bot?: boolean;
  system?: boolean;
  mfa_enabled?: boolean;
  banner?: string | null;
  /** `0xRRGGBB`; use `accentColorHex(user)`. */
  accent_color?: number | null;
  locale?: string;
  verified?: boolean;
  email?: string | null;
  flags?: number;
  /** `0` unless the login had the `identify.premium` scope. */
  premium_type?: number;
  public_flags?: number;
  avatar_decoration_data?: AvatarDecorationData | null;
  /** A hex colour string Discord sends beside `accent_color` (not in its user object table). */
  banner_color?: string | null;
  collectibles?: Collectibles | null;
  primary_guild?: PrimaryGuild | null;
}

export interface Guild {
  id: string;
  name: string;
  icon: string | null;
  banner?: string | null;
  owner?: boolean;
  /** Decimal string: use `hasPermission`. */
  permissions?: string;
  features: string[];
  /** With `with_counts=true`; `null` allowed by Discord's OpenAPI description. */
  approximate_member_count?: number | null;
  approximate_presence_count?: number | null;
}

export interface Member {
  user?: User;
  nick?: string | null;
  avatar?: string | null;
  banner?: string | null;
  roles: string[];
  joined_at: string;
  premium_since?: string | null;
  deaf: boolean;
  mute: boolean;
  flags: number;
  pending?: boolean;
  permissions?: string;
  communication_disabled_until?: string | null;
  avatar_decoration_data?: AvatarDecorationData | null;
  /** The member's guild collectibles (a guild nameplate). */
  collectibles?: Collectibles | null;
  /** ISO 8601: until when the member is flagged for unusual DM activity. */
  unusual_dm_activity_until?: string | null;
}

/** The account behind an integration (an id on the other service, not a snowflake). */
export interface IntegrationAccount {
  id: string;
  /** `null` is allowed by Discord's OpenAPI description. */
  name: string | null;
}

/** A partial guild integration, as a connection carries it. */
export interface ConnectionIntegration {
  id: string;
  name?: string;
  type?: string;
  enabled?: boolean;
  syncing?: boolean;
  role_id?: string;
  enable_emoticons?: boolean;
  /** 0: remove role, 1: kick. */
  expire_behavior?: number;
  /** Days. */
  expire_grace_period?: number;
  user?: User;
  /** `name` may be `null` (Discord's OpenAPI description). */
  account?: IntegrationAccount;
  /** ISO 8601. */
  synced_at?: string;
  subscriber_count?: number;
  revoked?: boolean;
  scopes?: string[];
  /** The bot/OAuth2 application of a `discord` integration (id, name, icon, description, bot). */
  application?: Application;
  /** The guild the integration is in (partial). */
  guild?: { id: string; name: string; icon: string | null };
}

export interface Connection {
  id: string;
  /** `null` is allowed by Discord's OpenAPI description. */
  name: string | null;
  type: string;
  revoked?: boolean;
  integrations?: ConnectionIntegration[];
  verified: boolean;
  friend_sync: boolean;
  show_activity: boolean;
  two_way_link: boolean;
  /** 0: only you, 1: everyone; use `isConnectionVisible(connection)`. */
  visibility: number;
}

/** https://discord.com/developers/docs/resources/application#install-params-object */
export interface InstallParams {
  scopes: string[];
  /** Decimal string. */
  permissions: string;
}

export interface Application {
  id: string;
  name: string;
  icon: string | null;
  description: string;
  rpc_origins?: string[];
  bot_public?: boolean;
  bot_require_code_grant?: boolean;
  /** The bot user of the application. */
  bot?: User;
  terms_of_service_url?: string;
  privacy_policy_url?: string;
  owner?: User;
  verify_key?: string;
  guild_id?: string;
  primary_sku_id?: string;
  slug?: string;
  cover_image?: string;
  /** Legacy flags (bits 0–30). */
  flags?: number;
  /** Every flag bit, as a decimal string (bits beyond 30 appear only here). */
  flags_new?: string;
  /** `4` (guild role subscriptions) or `null`. */
  type?: number | null;
  max_participants?: number | null;
  approximate_guild_count?: number;
  approximate_user_install_count?: number;
  approximate_user_authorization_count?: number;
  redirect_uris?: string[];
  interactions_endpoint_url?: string | null;
  role_connections_verification_url?: string | null;
  event_webhooks_url?: string | null;
  /** 1: disabled, 2: enabled, 3: disabled by Discord. */
  event_webhooks_status?: number;
  event_webhooks_types?: string[];
  tags?: string[];
  install_params?: InstallParams;
  /** Keyed by integration type: `"0"` guild install, `"1"` user install. */
  integration_types_config?: { [type: string]: { oauth2_install_params?: InstallParams } };
  custom_install_url?: string;
  /** `0` disabled, `1` media of all members scanned. */
  explicit_content_filter?: number;
  /** The developer team owning the app; `null` when one user owns it. */
  team?: Team | null;
  /** The OAuth2 scopes the app may ask for (`/oauth2/applications/@me`). */
  eligible_oauth2_scopes?: string[];
  /** Deprecated by Discord (an empty string); sent in `/oauth2/@me`'s partial application. */
  summary?: string;
  /** Sent as `true` in `/oauth2/@me`'s partial application. */
  hook?: boolean;
}

/** https://discord.com/developers/docs/topics/teams#data-models-team-object */
export interface Team {
  id: string;
  icon: string | null;
  name: string;
  owner_user_id: string;
  members: TeamMember[];
}

/** https://discord.com/developers/docs/topics/teams#data-models-team-member-object */
export interface TeamMember {
  user: User;
  team_id: string;
  /** `1` invited, `2` accepted. */
  membership_state: number;
  /** Left out in Discord's own example application. */
  role?: "admin" | "developer" | "read_only" | (string & {});
  permissions: string[];
}

/** The user's Linked Roles data for an app (`role_connections.write`).
 * https://discord.com/developers/docs/resources/user#application-role-connection-object */
export interface ApplicationRoleConnection {
  /** Shown on the user's profile; up to 50 characters. */
  platform_name?: string | null;
  platform_username?: string | null;
  /** Values for the app's metadata keys, as strings (up to 100 characters each). */
  metadata?: { [key: string]: string };
}

/** One Linked Roles condition of an app.
 * https://discord.com/developers/docs/resources/application-role-connection-metadata#application-role-connection-metadata-object */
export interface ApplicationRoleConnectionMetadata {
  /** 1–8: integer/datetime/boolean comparisons. */
  type: number;
  /** `a-z`, `0-9` or `_`, 1–50 characters. */
  key: string;
  name: string;
  name_localizations?: { [locale: string]: string } | null;
  description: string;
  description_localizations?: { [locale: string]: string } | null;
}

export interface AuthorizationInfo {
  application: Application;
  scopes: Scope[];
  /** ISO 8601. */
  expires: string;
  user?: User;
}

export interface Webhook {
  id: string;
  type: number;
  guild_id?: string | null;
  channel_id: string | null;
  name: string | null;
  avatar: string | null;
  token?: string;
  application_id: string | null;
  url?: string;
}

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface ImageOptions {
  /** A power of two, 16 to 4096. */
  size?: 16 | 32 | 64 | 128 | 256 | 512 | 1024 | 2048 | 4096;
  /** Default `"png"`, or `"gif"` for an animated (`a_`) hash. */
  format?: "png" | "jpg" | "jpeg" | "webp" | "gif";
}

export interface DiscordSessionOptions {
  /** Where the Worker is; default `""` (this origin). */
  baseUrl?: string;
}

export interface SessionLoginOptions {
  /** A same-origin path to come back to; default `/`. */
  returnTo?: string;
  scopes?: Scope[];
  prompt?: "consent" | "none";
  /** The bot's permissions (a decimal string, or a bigint), with the `bot` scope. */
  permissions?: string | bigint;
  /** Pre-selects the server to add the bot to. */
  guildId?: string;
  /** With `guildId`: the user cannot pick another server. */
  disableGuildSelect?: boolean;
  /** `0` guild install, `1` user install. */
  integrationType?: 0 | 1;
  /** Any JSON (at most 1024 bytes as sent): kept sealed by the Worker, back in `session().data`. */
  data?: JsonValue;
}

/** `GET /auth/session`: what the Worker knows of the session (never a token). */
export interface SessionInfo {
  user: User;
  scopes: Scope[];
  /** RFC 3339: when the session ends. */
  expires_at: string;
  /** The server the bot was added to at login (`bot` scope). */
  guild?: Guild;
  /** The webhook created at login (`webhook.incoming`), without its token and URL. */
  webhook?: { id: string; channel_id: string; guild_id: string; name: string | null };
  /** The `data` given at login. */
  data?: JsonValue;
}

export interface JoinGuildOptions {
  nick?: string;
  roles?: string[];
  mute?: boolean;
  deaf?: boolean;
}

export interface JoinGuildResult {
  /** `false` when the user already was a member. */
  joined: boolean;
  member?: Member;
}

export type PermissionName =
  | "CREATE_INSTANT_INVITE" | "KICK_MEMBERS" | "BAN_MEMBERS" | "ADMINISTRATOR"
  | "MANAGE_CHANNELS" | "MANAGE_GUILD" | "ADD_REACTIONS" | "VIEW_AUDIT_LOG"
  | "PRIORITY_SPEAKER" | "STREAM" | "VIEW_CHANNEL" | "SEND_MESSAGES" | "SEND_TTS_MESSAGES"
  | "MANAGE_MESSAGES" | "EMBED_LINKS" | "ATTACH_FILES" | "READ_MESSAGE_HISTORY"
  | "MENTION_EVERYONE" | "USE_EXTERNAL_EMOJIS" | "VIEW_GUILD_INSIGHTS" | "CONNECT" | "SPEAK"
  | "MUTE_MEMBERS" | "DEAFEN_MEMBERS" | "MOVE_MEMBERS" | "USE_VAD" | "CHANGE_NICKNAME"
  | "MANAGE_NICKNAMES" | "MANAGE_ROLES" | "MANAGE_WEBHOOKS" | "MANAGE_GUILD_EXPRESSIONS"
  | "USE_APPLICATION_COMMANDS" | "REQUEST_TO_SPEAK" | "MANAGE_EVENTS" | "MANAGE_THREADS"
  | "CREATE_PUBLIC_THREADS" | "CREATE_PRIVATE_THREADS" | "USE_EXTERNAL_STICKERS"
  | "SEND_MESSAGES_IN_THREADS" | "USE_EMBEDDED_ACTIVITIES" | "MODERATE_MEMBERS"
  | "VIEW_CREATOR_MONETIZATION_ANALYTICS" | "USE_SOUNDBOARD" | "CREATE_GUILD_EXPRESSIONS"
  | "CREATE_EVENTS" | "USE_EXTERNAL_SOUNDS" | "SEND_VOICE_MESSAGES" | "SET_VOICE_CHANNEL_STATUS" | "SEND_POLLS"
  | "USE_EXTERNAL_APPS" | "PIN_MESSAGES" | "BYPASS_SLOWMODE";

export type UserFlagName =
  | "STAFF" | "PARTNER" | "HYPESQUAD" | "BUG_HUNTER_LEVEL_1" | "HYPESQUAD_ONLINE_HOUSE_1"
  | "HYPESQUAD_ONLINE_HOUSE_2" | "HYPESQUAD_ONLINE_HOUSE_3" | "PREMIUM_EARLY_SUPPORTER"
  | "TEAM_PSEUDO_USER" | "SYSTEM" | "BUG_HUNTER_LEVEL_2" | "VERIFIED_BOT"
  | "VERIFIED_DEVELOPER" | "CERTIFIED_MODERATOR" | "BOT_HTTP_INTERACTIONS" | "SPAMMER"
  | "ACTIVE_DEVELOPER";
"#;
