// Types of activity.js. The Embedded App SDK is typed structurally: any object with the
// `clientId` and the two commands below fits, `DiscordSDK` and `DiscordSDKMock` of
// @discord/embedded-app-sdk included, and this package does not depend on the SDK.

import type { DiscordOAuthErrorCode } from "./discord_oauth_wasm.js";

/** What `sdk.commands.authorize` is called with (the SDK's `AuthorizeInput`); `S` is the
 * SDK's scope type (its `OAuthScopes`), inferred from the SDK given. */
export interface ActivityAuthorizeArgs<S extends string = string> {
  client_id: string;
  response_type: "code";
  state: string;
  prompt?: "none";
  scope: S[];
}

/** What `sdk.commands.authenticate` resolves to (as the SDK types it). */
export interface ActivityAuthenticateResult {
  access_token: string;
  user: {
    id: string;
    username: string;
    discriminator: string;
    public_flags: number;
    avatar?: string | null;
    global_name?: string | null;
  };
  scopes: (string | number)[];
  expires: string;
  application: {
    id: string;
    name: string;
    description: string;
    icon?: string | null;
    rpc_origins?: string[];
  };
}

/** The part of the SDK's `DiscordSDK` that {@link activityLogin} uses: `R` is what its
 * `authenticate` resolves to, `S` its scope names. */
export interface ActivitySdk<R = ActivityAuthenticateResult, S extends string = string> {
  readonly clientId: string;
  readonly commands: {
    authorize: (args: ActivityAuthorizeArgs<S>) => Promise<{ code: string }>;
    authenticate: (args: { access_token?: string | null }) => Promise<R>;
  };
}

/** Options of {@link activityLogin}. */
export interface ActivityLoginOptions<S extends string = string> {
  /** The scopes to authorize, e.g. `["identify", "guilds"]` (checked against the SDK's list). */
  scopes: S[];
  /** The Worker's token route as the Activity reaches it; default `"/.proxy/api/token"`. */
  tokenUrl?: string;
  /** Passed to `authorize`; default `"none"` (no consent modal when already authorized). */
  prompt?: "none" | null;
}

/** The codes an {@link activityLogin} failure can carry: the package's, and the Worker's own. */
export type ActivityLoginErrorCode =
  | DiscordOAuthErrorCode
  | "discord_unavailable"
  | "internal_error"
  | "method_not_allowed";

/** What {@link activityLogin} rejects with: an `Error` named `"DiscordOAuthError"`. */
export interface ActivityLoginError extends Error {
  name: "DiscordOAuthError";
  code: ActivityLoginErrorCode;
  /** The token route's HTTP status, when it answered. */
  status?: number;
  /** Seconds to wait (`Retry-After` of a 503 or 429). */
  retryAfter?: number;
  /** The SDK's numeric RPC error code, when `authorize` or `authenticate` refused. */
  discordCode?: number;
  /** The human text of the refusal. */
  description?: string;
}

/**
 * Logs the user in from inside a Discord Activity: the SDK's `authorize`, the code to the
 * Worker's `POST /api/token` (which keeps the refresh token and sets the partitioned session
 * cookie), then the SDK's `authenticate` with the access token. Resolves to the `authenticate`
 * result. Rejects with an {@link ActivityLoginError} (`access_denied` when authorize is refused).
 */
export function activityLogin<R = ActivityAuthenticateResult, S extends string = string>(
  sdk: ActivitySdk<R, S>,
  options: ActivityLoginOptions<NoInfer<S>>,
): Promise<R>;
