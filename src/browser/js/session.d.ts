// Types of session.js: DiscordSession, the page's side of our own Worker (docs/browser.md).

import type {
  User, Guild, Connection, Member, DiscordSessionOptions, SessionLoginOptions, JoinGuildOptions,
  JoinGuildResult, HttpMethod, JsonValue, SessionInfo,
} from "./discord_oauth_wasm.js";

/**
 * The page's side of the Worker (backend-for-frontend): the Worker keeps the tokens, the page
 * sends only its HttpOnly session cookie. Every error is a {@link DiscordOAuthError} with the
 * Worker's own `code` (e.g. `guild_not_allowed`, `missing_scope`, `rate_limited`).
 */
export class DiscordSession {
  constructor(options?: DiscordSessionOptions);
  /** The Worker's base URL, without a trailing `/`. */
  readonly baseUrl: string;
  /**
   * The Worker's `/auth/login` URL with `return_to`, `scope`, `prompt`, the bot parameters
   * (`permissions`, `guild_id`, `disable_guild_select`, `integration_type`) and `data`.
   */
  loginUrl(options?: SessionLoginOptions): string;
  /** Navigates to {@link DiscordSession.loginUrl}. */
  login(options?: SessionLoginOptions): void;
  /** The signed-in user (`GET /auth/session`), or `null` without a session. */
  user(): Promise<User | null>;
  /**
   * The whole session (`GET /auth/session`): user, scopes, expiry, and the login's `guild`,
   * `webhook` (never its token) and `data`; `null` without a session.
   */
  session(): Promise<SessionInfo | null>;
  /** `GET /api/users/@me/guilds` through the Worker. */
  guilds(): Promise<Guild[]>;
  /** `GET /api/users/@me/connections` through the Worker. */
  connections(): Promise<Connection[]>;
  /** `GET /api/users/@me/guilds/{guildId}/member` through the Worker. */
  guildMember(guildId: string): Promise<Member>;
  /** `POST /api/guilds/{guildId}/join`: adds the user to an allowed guild with the bot. */
  joinGuild(guildId: string, options?: JoinGuildOptions): Promise<JoinGuildResult>;
  /**
   * Any Discord call the Worker's route table allows (`ANY /api/{route}`), with the session's
   * token added by the Worker: `route` is the Discord path and query, `body` sent as JSON.
   */
  request<T = unknown>(method: HttpMethod, route: string, body?: JsonValue): Promise<T>;
  /** `POST /auth/logout`: the Worker revokes the grant and forgets the session. */
  logout(): Promise<void>;
}
