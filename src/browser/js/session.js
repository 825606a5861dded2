// DiscordSession: the page's side of our own Worker (docs/browser.md). It talks only to the
// Worker's routes (docs/contract.md §4), never to Discord, so it is plain JS: the Worker holds
// the tokens and makes every protocol decision. Errors are `DiscordOAuthError`s with the
// Worker's own `code` (the one vocabulary of docs/errors.md), never collapsed.

/** The Worker's error answer as a `DiscordOAuthError`: its `code`, `message` and status. */
function workerError(status, body, headers) {
  const error = new Error((body && body.message) || (body && body.error) || "HTTP " + status);
  error.name = "DiscordOAuthError";
  error.code = (body && typeof body.error === "string" && body.error) || (status >= 500 ? "server_error" : "invalid_request");
  error.status = status;
  if (status === 429 || error.code === "rate_limited") {
    const retryAfter = body && typeof body.retry_after === "number" ? body.retry_after : Number(headers.get("retry-after"));
    if (Number.isFinite(retryAfter)) error.retryAfter = retryAfter;
    if (body && typeof body.global === "boolean") error.global = body.global;
  }
  return error;
}

function networkError(cause) {
  const error = new Error("network error: the request to the Worker failed: " + (cause && cause.message ? cause.message : String(cause)));
  error.name = "DiscordOAuthError";
  error.code = "network_error";
  return error;
}

export class DiscordSession {
  /** A session client for the Worker at `baseUrl` (default `""`: this origin). */
  constructor(options = {}) {
    const baseUrl = options.baseUrl ?? "";
    if (typeof baseUrl !== "string") {
      const error = new Error("configuration error: option `baseUrl` must be a string");
      error.name = "DiscordOAuthError";
      error.code = "config_error";
      throw error;
    }
    this.baseUrl = baseUrl.replace(/\/+$/, "");
  }

  /**
   * The URL of the Worker's `/auth/login` with its query (docs/contract.md §4, §12): `return_to`,
   * `scope`, `prompt`, and Discord's authorize parameters for adding the bot (`permissions`,
   * `guild_id`, `disable_guild_select`, `integration_type`) and `data`, which the Worker keeps
   * sealed and gives back in `session()`. The Worker validates every value (400 otherwise).
   */
  loginUrl(options = {}) {
    const query = new URLSearchParams();
    if (options.returnTo != null) query.set("return_to", options.returnTo);
    if (options.scopes != null) query.set("scope", [].concat(options.scopes).join(" "));
    if (options.prompt != null) query.set("prompt", options.prompt);
    if (options.permissions != null) query.set("permissions", String(options.permissions));
    if (options.guildId != null) query.set("guild_id", String(options.guildId));
    if (options.disableGuildSelect != null) query.set("disable_guild_select", String(Boolean(options.disableGuildSelect)));
    if (options.integrationType != null) query.set("integration_type", String(options.integrationType));
    if (options.data !== undefined) query.set("data", JSON.stringify(options.data));
    const q = query.toString();
    return this.baseUrl + "/auth/login" + (q ? "?" + q : "");
  }

  /** Navigates to `loginUrl(options)`. */
  login(options) {
    globalThis.location.assign(this.loginUrl(options));
  }

  /** The signed-in user, or `null` when there is no session. */
  async user() {
    const answer = await this.session();
    return answer === null ? null : answer.user;
  }

  /**
   * The whole session (`GET /auth/session`): the user, the granted scopes, the expiry, and what
   * the login returned (the `guild` the bot was added to, the `webhook` without its token, the
   * login's `data`); `null` when there is no session.
   */
  session() {
    return this.#call("GET", "/auth/session", undefined, { nullOn401: true });
  }

  /** `GET /api/users/@me/guilds`. */
  guilds() {
    return this.#call("GET", "/api/users/@me/guilds");
  }

  /** `GET /api/users/@me/connections`. */
  connections() {
    return this.#call("GET", "/api/users/@me/connections");
  }

  /** `GET /api/users/@me/guilds/{guildId}/member`. */
  guildMember(guildId) {
    return this.#call("GET", "/api/users/@me/guilds/" + encodeURIComponent(guildId) + "/member");
  }

  /** `POST /api/guilds/{guildId}/join` with `{nick, roles, mute, deaf}`. */
  joinGuild(guildId, options = {}) {
    const body = {};
    for (const key of ["nick", "roles", "mute", "deaf"]) if (options[key] !== undefined) body[key] = options[key];
    return this.#call("POST", "/api/guilds/" + encodeURIComponent(guildId) + "/join", body);
  }

  /**
   * Any Discord call the Worker's route table allows (`ANY /api/{route}`): `route` is the
   * Discord path with its query (`"/users/@me/guilds?limit=10"`), `body` sent as JSON. The
   * Worker adds the session's token; by default it allows the user-token reads, and its
   * `API_ROUTES` setting adds more. Errors as for the fixed routes (404 for a route not in the
   * table, 405 for a method it does not list).
   */
  request(method, route, body) {
    if (typeof route !== "string" || !route.startsWith("/")) {
      const error = new Error("configuration error: route must start with `/`");
      error.name = "DiscordOAuthError";
      error.code = "config_error";
      return Promise.reject(error);
    }
    return this.#call(String(method).toUpperCase(), "/api" + route, body);
  }

  /** `POST /auth/logout`: the Worker revokes the grant and forgets the session. */
  async logout() {
    await this.#call("POST", "/auth/logout", undefined, { noBody: true });
  }

  async #call(method, path, body, { nullOn401 = false, noBody = false } = {}) {
    let response, text;
    try {
      response = await fetch(this.baseUrl + path, {
        method,
        credentials: "include", // the session cookie, also for a trusted cross-origin Worker
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      text = await response.text();
    } catch (e) {
      throw networkError(e);
    }
    if (nullOn401 && response.status === 401) return null;
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {}
    if (!response.ok) throw workerError(response.status, json, response.headers);
    if (noBody) return undefined;
    if (json === null && text) throw workerError(502, { error: "server_error", message: "the Worker's answer is not JSON" }, response.headers);
    return json;
  }
}
