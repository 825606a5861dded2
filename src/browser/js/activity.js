// activityLogin: logs the user in from inside a Discord Activity (docs/contract.md §8).
//
// An Activity runs in an iframe at https://{client_id}.discordsays.com inside Discord. The
// Embedded App SDK's `authorize` command gives it an OAuth2 code (issued without a
// redirect_uri); the Worker's POST /api/token exchanges that code, keeps the refresh token and
// the session server-side (a partitioned HttpOnly cookie), and answers the access token, which
// the SDK's `authenticate` command needs.
// https://discord.com/developers/docs/activities/development-guides/user-actions#authorizing-and-authenticating-users
//
// Plain JavaScript on purpose: it only talks to the SDK object it is given and to our own
// Worker, so it needs none of the wasm module. The SDK is typed structurally (activity.d.ts):
// this package never imports or bundles @discord/embedded-app-sdk.

/** Where the Activity reaches the Worker: Discord's proxy maps `/.proxy/` to the URL mapping
 * whose prefix is `/` (the Worker's host, set in the Developer Portal). */
const DEFAULT_TOKEN_URL = "/.proxy/api/token";

/** An `Error` named "DiscordOAuthError" with a stable `code`, like every error of the package. */
function oauthError(code, message, extra = {}) {
  const e = new Error(message);
  e.name = "DiscordOAuthError";
  e.code = code;
  for (const [key, value] of Object.entries(extra)) {
    if (value !== undefined && value !== null) e[key] = value;
  }
  return e;
}

/** 128 bits of randomness, base64url: the `state` passed to `authorize`. */
function randomState() {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** `Retry-After` in seconds, when the answer carried one. */
function retryAfter(res) {
  const v = Number(res.headers.get("retry-after"));
  return Number.isFinite(v) && v >= 0 && res.headers.has("retry-after") ? v : undefined;
}

/**
 * Logs the user in from inside a Discord Activity: `authorize` through the SDK, the code to the
 * Worker's token route (with credentials, so the Worker's session cookie is kept), then
 * `authenticate` with the access token. Resolves to what `authenticate` resolves to:
 * `{ access_token, user, scopes, expires, application }`.
 *
 * Rejects with a DiscordOAuthError: `access_denied` when the user (or Discord) refuses
 * `authorize`; the token route's own `error` code (`forbidden`, `invalid_request`,
 * `invalid_grant`, `discord_unavailable`, `rate_limited`, …) when the Worker refuses;
 * `network_error` when the Worker cannot be reached; `unauthorized` when `authenticate` refuses
 * the token; `config_error` for bad arguments.
 */
export async function activityLogin(sdk, options = {}) {
  const { scopes, tokenUrl = DEFAULT_TOKEN_URL, prompt = "none" } = options ?? {};
  const commands = sdk?.commands;
  if (typeof commands?.authorize !== "function" || typeof commands?.authenticate !== "function") {
    throw oauthError("config_error",
      "activityLogin needs the DiscordSDK of @discord/embedded-app-sdk (after `await sdk.ready()`)");
  }
  if (typeof sdk.clientId !== "string" || sdk.clientId === "") {
    throw oauthError("config_error", "the DiscordSDK has no clientId");
  }
  if (!Array.isArray(scopes) || scopes.length === 0 ||
      !scopes.every((s) => typeof s === "string" && s !== "")) {
    throw oauthError("config_error", "scopes must be a non-empty array of scope names, e.g. [\"identify\"]");
  }

  const args = { client_id: sdk.clientId, response_type: "code", state: randomState(), scope: scopes };
  if (prompt !== undefined && prompt !== null) args.prompt = prompt;
  let code;
  try {
    ({ code } = await commands.authorize(args));
  } catch (e) {
    // The SDK rejects with `{ code, message }` (Discord's RPC error) when the user closes the
    // consent modal or Discord refuses the request.
    throw oauthError("access_denied", "the Activity was not authorized" + (e?.message ? `: ${e.message}` : ""), {
      description: typeof e?.message === "string" ? e.message : undefined,
      discordCode: typeof e?.code === "number" ? e.code : undefined,
    });
  }
  if (typeof code !== "string" || code === "") {
    throw oauthError("access_denied", "authorize gave no code");
  }

  let res;
  try {
    res = await fetch(tokenUrl, {
      method: "POST",
      credentials: "include",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ code }),
    });
  } catch (e) {
    throw oauthError("network_error", `the token route (${tokenUrl}) could not be reached: ${e?.message ?? e}`);
  }
  let body = null;
  try {
    body = await res.json();
  } catch {
    // Not JSON: handled below by status.
  }
  if (!res.ok) {
    const error = typeof body?.error === "string" ? body.error
      : res.status >= 500 ? "server_error" : "invalid_request";
    const message = typeof body?.message === "string" ? body.message : `the token route answered ${res.status}`;
    throw oauthError(error, message, { status: res.status, retryAfter: retryAfter(res), description: message });
  }
  if (typeof body?.access_token !== "string" || body.access_token === "") {
    throw oauthError("server_error", "the token route answered without an access_token", { status: res.status });
  }

  try {
    return await commands.authenticate({ access_token: body.access_token });
  } catch (e) {
    throw oauthError("unauthorized", "Discord refused the access token" + (e?.message ? `: ${e.message}` : ""), {
      description: typeof e?.message === "string" ? e.message : undefined,
      discordCode: typeof e?.code === "number" ? e.code : undefined,
    });
  }
}
