// The discord-oauth-wasm demo: the two ways of logging in with Discord, side by side.
//
//   "Server session" (recommended): DiscordSession talks to the Worker's /auth/* and /api/*
//   routes. The Worker keeps the client secret and the tokens; the page holds an HttpOnly
//   cookie it cannot even read.
//
//   "Browser only": DiscordOAuthClient runs the authorization-code flow with PKCE in the page
//   and calls Discord's API directly. Only for applications switched to "Public Client".
//
// Plain DOM, no framework. Every error reaches the user in plain words (explain() below),
// never as a stack trace.
import init, {
  DiscordOAuthClient, DiscordSession, avatarUrl, bannerUrl, guildIconUrl,
  avatarDecorationUrl, guildTagBadgeUrl, displayName, accentColorHex,
  snowflakeTimestamp, hasPermission, userFlags,
} from "/pkg/index.js";

// ---------------------------------------------------------------------------------------------
// Configuration: /config.js (written by scripts/demo.sh, ignored by git), else the committed
// /config.default.js (the discord-emulator on its default port).

async function loadConfig() {
  try {
    return (await import("/config.js")).default;
  } catch {
    return (await import("/config.default.js")).default;
  }
}

const config = await loadConfig();

// The CDN helpers (avatarUrl, bannerUrl, guildIconUrl, avatarDecorationUrl, guildTagBadgeUrl)
// always build real Discord CDN URLs.
// The discord-emulator serves stand-in images under <emulator>/cdn/..., so with the emulator
// (config.cdnBase set) the origin is swapped here. With real Discord, cdnBase is null and the
// URLs are used as they are.
const DISCORD_CDN = "https://cdn.discordapp.com";
function cdn(url) {
  if (!url || !config.cdnBase || !url.startsWith(DISCORD_CDN + "/")) return url;
  return config.cdnBase.replace(/\/+$/, "") + url.slice(DISCORD_CDN.length);
}

// ---------------------------------------------------------------------------------------------
// Errors in plain words.

function seconds(s) {
  const n = Math.max(1, Math.ceil(Number(s) || 1));
  return n === 1 ? "a second" : `${n} seconds`;
}

/** A sentence for a DiscordOAuthError (or an OAuth error code string). `mode`: server|browser. */
function explain(err, mode, action = "") {
  const code = typeof err === "string" ? err : err?.code;
  switch (code) {
    case "access_denied":
      return "You cancelled the login on Discord, so nothing was shared with this app. You can log in again whenever you like.";
    case "rate_limited":
      return `Discord is asking us to slow down (rate limit). Please try again in ${seconds(err?.retryAfter)}.`;
    case "network_error":
      if (mode === "server") return "The server could not be reached. Check your connection and try again.";
      return action === "login"
        ? "Discord could not be reached to finish the login. Check your connection and try again; if it keeps failing, Discord may be blocking browser-only logins for this app: use the server session instead."
        : "Discord could not be reached. Check your connection and try again.";
    case "server_error":
    case "discord_unavailable":
    case "temporarily_unavailable":
      return "Discord is not answering right now. Please try again in a moment.";
    case "unauthorized":
      return "Your Discord login has ended (it expired or was revoked). Please log in again.";
    case "invalid_state":
      return "That login could not be verified: it may have expired or been started in another tab. Please try again.";
    case "invalid_grant":
      return "That login was already used or has expired. Please log in again.";
    case "invalid_scope":
      return "Discord did not accept the permissions this app asked for.";
    case "guild_not_allowed":
    case "forbidden":
      return action === "join" || code === "guild_not_allowed"
        ? "This server cannot be joined from here: the app is not allowed to add you to it."
        : "Discord refused this request: the app was not given permission for it.";
    case "missing_scope":
      return "This login did not give the app that permission: log out and log in again to grant it.";
    case "not_found":
      return "Discord did not find what we asked for.";
    case "storage_error":
      return "Your browser refused to store the login (private mode or blocked storage?).";
    case "config_error":
      return "This demo is not fully set up (check the Worker's settings or www/config.js).";
    default:
      return "Something went wrong. Please try again.";
  }
}

// ---------------------------------------------------------------------------------------------
// A tiny DOM builder (text always goes in as text, never as HTML).

function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v == null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "style") Object.assign(el.style, v);
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c != null && c !== false) el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

const SVG_NS = "http://www.w3.org/2000/svg";
function discordMark() {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", "mark");
  const path = document.createElementNS(SVG_NS, "path");
  path.setAttribute("d", "M4.5 6.5A2.5 2.5 0 0 1 7 4h10a2.5 2.5 0 0 1 2.5 2.5v8A2.5 2.5 0 0 1 17 17h-5.5L7 20.5V17a2.5 2.5 0 0 1-2.5-2.5z");
  path.setAttribute("fill", "currentColor");
  svg.append(path);
  for (const cx of ["9.5", "14.5"]) {
    const eye = document.createElementNS(SVG_NS, "circle");
    eye.setAttribute("cx", cx);
    eye.setAttribute("cy", "10.5");
    eye.setAttribute("r", "1.5");
    eye.setAttribute("fill", "#5865f2");
    svg.append(eye);
  }
  return svg;
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "long" });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
function fromNow(ms) {
  const s = (ms - Date.now()) / 1000;
  const units = [["day", 86400], ["hour", 3600], ["minute", 60], ["second", 1]];
  for (const [unit, size] of units) {
    if (Math.abs(s) >= size || unit === "second") return relative.format(Math.round(s / size), unit);
  }
  return "";
}

// ---------------------------------------------------------------------------------------------
// A mode's panel: an alert line and a body.

class Panel {
  constructor(id) {
    this.root = document.getElementById(id);
    this.alert = this.root.querySelector(".alert");
    this.body = this.root.querySelector(".mode-body");
  }

  show(...nodes) {
    this.body.replaceChildren(...nodes);
    this.root.setAttribute("aria-busy", "false");
  }

  busy(text) {
    this.root.setAttribute("aria-busy", "true");
    this.body.replaceChildren(h("p", { class: "loading" }, text));
  }

  /** kind: "error" | "success" | "info". */
  message(text, kind = "error") {
    this.alert.className = `alert alert-${kind}`;
    this.alert.setAttribute("role", kind === "error" ? "alert" : "status");
    this.alert.replaceChildren(
      h("span", { class: "alert-text" }, text),
      h("button", { type: "button", class: "alert-close", "aria-label": "Dismiss", onclick: () => this.clear() }, "×"),
    );
    this.alert.hidden = false;
  }

  clear() {
    this.alert.hidden = true;
    this.alert.replaceChildren();
  }
}

/** Removes query parameters from the address bar without reloading. */
function stripParams(names) {
  const url = new URL(location.href);
  let changed = false;
  for (const n of names) {
    if (url.searchParams.has(n)) {
      url.searchParams.delete(n);
      changed = true;
    }
  }
  if (changed) history.replaceState(history.state, "", url.pathname + url.search + url.hash);
}

// ---------------------------------------------------------------------------------------------
// Views shared by both modes.

const BADGES = {
  STAFF: "Discord Staff",
  PARTNER: "Partnered Server Owner",
  HYPESQUAD: "HypeSquad Events",
  BUG_HUNTER_LEVEL_1: "Bug Hunter",
  HYPESQUAD_ONLINE_HOUSE_1: "HypeSquad Bravery",
  HYPESQUAD_ONLINE_HOUSE_2: "HypeSquad Brilliance",
  HYPESQUAD_ONLINE_HOUSE_3: "HypeSquad Balance",
  PREMIUM_EARLY_SUPPORTER: "Early Supporter",
  TEAM_PSEUDO_USER: "Team",
  SYSTEM: "Official Discord System",
  BUG_HUNTER_LEVEL_2: "Bug Hunter Gold",
  VERIFIED_BOT: "Verified Bot",
  VERIFIED_DEVELOPER: "Early Verified Bot Developer",
  CERTIFIED_MODERATOR: "Moderator Programs Alumni",
  BOT_HTTP_INTERACTIONS: "HTTP Interactions",
  SPAMMER: "Flagged as likely spammer",
  ACTIVE_DEVELOPER: "Active Developer",
};
const NITRO = { 1: "Nitro Classic", 2: "Nitro", 3: "Nitro Basic" };

/** The server tag beside the name (Discord's "primary guild"): badge and text, when shown. */
function serverTag(user) {
  const pg = user.primary_guild;
  if (pg?.identity_enabled !== true || !pg.tag) return null;
  const badge = cdn(guildTagBadgeUrl(user, { size: 32 }));
  return h("span", { class: "server-tag", title: "Server tag" },
    badge ? h("img", { class: "server-tag-badge", src: badge, width: 14, height: 14, alt: "" }) : null,
    h("span", { class: "server-tag-text" }, pg.tag));
}

function userCard(user) {
  const banner = cdn(bannerUrl(user, { size: 512 }));
  const avatar = cdn(avatarUrl(user, { size: 128 }));
  // The avatar decoration is drawn over the avatar, 1.2 times its size, as Discord does.
  const decoration = cdn(avatarDecorationUrl(user, { size: 128 }));
  const since = dateFormat.format(new Date(snowflakeTimestamp(user.id)));
  const tag = user.discriminator && user.discriminator !== "0"
    ? `${user.username}#${user.discriminator}`
    : `@${user.username}`;
  const badges = userFlags(user.public_flags ?? user.flags ?? 0).map((f) =>
    h("li", { class: "badge", "data-flag": f }, BADGES[f] ?? f.toLowerCase().replaceAll("_", " ")));
  if (NITRO[user.premium_type]) badges.push(h("li", { class: "badge badge-nitro" }, NITRO[user.premium_type]));

  const bannerStyle = banner
    ? { backgroundImage: `url("${banner}")` }
    : { backgroundColor: user.banner_color ?? accentColorHex(user) ?? "#5865f2" };
  return h("article", { class: "user-card", "aria-label": "Your Discord account" },
    h("div", { class: "user-banner", style: bannerStyle }),
    h("div", { class: "user-main" },
      h("div", { class: "user-avatar-box" },
        h("img", { class: "user-avatar", src: avatar, width: 88, height: 88, alt: "" }),
        decoration
          ? h("img", { class: "user-decoration", src: decoration, width: 106, height: 106, alt: "" })
          : null),
      h("div", { class: "user-names" },
        h("p", { class: "user-global-name" }, displayName(user)),
        h("p", { class: "user-handle" },
          h("span", { class: "user-username" }, tag), serverTag(user))),
      badges.length ? h("ul", { class: "badges", "aria-label": "Badges" }, badges) : null,
      h("p", { class: "user-since" }, "Member since ", h("time", { datetime: new Date(snowflakeTimestamp(user.id)).toISOString() }, since)),
    ));
}

function initials(name) {
  return name.split(/\s+/).filter(Boolean).map((w) => [...w][0]).join("").slice(0, 3);
}

function guildItem(g) {
  const icon = cdn(guildIconUrl(g, { size: 64 }));
  let role = null;
  if (g.owner) role = h("span", { class: "pill pill-owner" }, "Owner");
  else if (g.permissions && hasPermission(g.permissions, "ADMINISTRATOR")) role = h("span", { class: "pill pill-admin" }, "Admin");
  else if (g.permissions && hasPermission(g.permissions, "MANAGE_GUILD")) role = h("span", { class: "pill" }, "Manager");
  const members = typeof g.approximate_member_count === "number"
    ? `${g.approximate_member_count} member${g.approximate_member_count === 1 ? "" : "s"}`
    : null;
  return h("li", { class: "guild", "data-guild-id": g.id },
    icon
      ? h("img", { class: "guild-icon", src: icon, width: 40, height: 40, alt: "" })
      : h("span", { class: "guild-icon guild-initials", "aria-hidden": "true" }, initials(g.name)),
    h("span", { class: "guild-text" },
      h("span", { class: "guild-name" }, g.name),
      members ? h("span", { class: "guild-meta" }, members) : null),
    role);
}

const SERVICES = {
  github: "GitHub", twitch: "Twitch", youtube: "YouTube", steam: "Steam", spotify: "Spotify",
  xbox: "Xbox", playstation: "PlayStation", reddit: "Reddit", twitter: "X", battlenet: "Battle.net",
  epicgames: "Epic Games", riotgames: "Riot Games", tiktok: "TikTok", bluesky: "Bluesky",
  bungie: "Bungie.net", ebay: "eBay", paypal: "PayPal", instagram: "Instagram", facebook: "Facebook",
  leagueoflegends: "League of Legends", crunchyroll: "Crunchyroll", domain: "Domain",
  roblox: "Roblox", mastodon: "Mastodon",
};

function connectionItem(c) {
  const service = SERVICES[c.type] ?? c.type;
  return h("li", { class: "connection", "data-type": c.type },
    h("span", { class: "connection-logo", "aria-hidden": "true" }, service.slice(0, 1)),
    h("span", { class: "connection-text" },
      h("span", { class: "connection-name" }, c.name),
      h("span", { class: "connection-meta" }, service, c.visibility === 0 ? " · only you" : "")),
    c.verified ? h("span", { class: "pill pill-verified", title: "Verified" }, "✓ Verified") : null);
}

/** A titled list that loads itself; failures show inside it, in plain words. */
function listSection({ title, cls, load, item, empty, mode }) {
  const count = h("span", { class: "count" });
  const list = h("ul", { class: `list ${cls}-list` }, h("li", { class: "list-loading" }, "Loading…"));
  const section = h("section", { class: `block ${cls}`, "aria-busy": "true" },
    h("h3", null, title, " ", count), list);
  const run = async () => {
    section.setAttribute("aria-busy", "true");
    try {
      const items = await load();
      count.textContent = String(items.length);
      list.replaceChildren(...(items.length ? items.map(item) : [h("li", { class: "list-empty" }, empty)]));
    } catch (e) {
      count.textContent = "";
      list.replaceChildren(h("li", { class: "list-error", role: "alert" },
        h("span", null, explain(e, mode)),
        h("button", { type: "button", class: "retry", onclick: run }, "Try again")));
    } finally {
      section.setAttribute("aria-busy", "false");
    }
  };
  section.reload = run;
  run();
  return section;
}

function loggedOut({ steps, onLogin, onError, label = "Log in with Discord" }) {
  const text = document.createTextNode(label);
  const button = h("button", { type: "button", class: "btn btn-discord login" }, discordMark(), text);
  button.addEventListener("click", async () => {
    button.disabled = true;
    text.textContent = "Opening Discord…";
    try {
      await onLogin();
    } catch (e) {
      button.disabled = false;
      text.textContent = label;
      onError(e);
    }
  });
  return h("div", { class: "signed-out" },
    h("ol", { class: "steps" }, steps.map((s) => h("li", null, s))),
    button);
}

function code(text) {
  return h("code", null, text);
}

// ---------------------------------------------------------------------------------------------
// "Server session": DiscordSession against the Worker.

// The session cookie is HttpOnly, so the page cannot see whether it has one. It only asks
// /auth/session when this browser logged in through the Worker before (this hint); a first
// visit therefore costs no request and no 401.
const SESSION_HINT = "discord-oauth-wasm-demo:server-login";

async function startServer() {
  const panel = new Panel("server-mode");
  const session = new DiscordSession({ baseUrl: config.workerBase ?? "" });

  const params = new URLSearchParams(location.search);
  const authError = params.get("auth_error");
  if (authError) {
    stripParams(["auth_error"]);
    panel.message(explain(authError, "server"), authError === "access_denied" ? "info" : "error");
  }

  const showLoggedOut = () => panel.show(loggedOut({
    steps: [
      h("span", null, code("/auth/login"), " sends you to Discord with PKCE and a signed state cookie."),
      h("span", null, "Discord sends you back to ", code("/auth/callback"), "; the Worker exchanges the code with its secret and stores the session in KV."),
      h("span", null, "This page reads ", code("/auth/session"), " and ", code("/api/…"), " and never sees a token."),
    ],
    onLogin: async () => {
      localStorage.setItem(SESSION_HINT, "1");
      session.login({ returnTo: "/", scopes: config.serverScopes ?? ["identify"] });
    },
    onError: (e) => panel.message(explain(e, "server")),
  }));

  const showUser = (user) => {
    const guilds = listSection({
      title: "Servers", cls: "guilds", mode: "server", item: guildItem,
      empty: "Not in any server (or the guilds scope was not granted).",
      load: () => session.guilds(),
    });
    const connections = listSection({
      title: "Connections", cls: "connections", mode: "server", item: connectionItem,
      empty: "No connected accounts.",
      load: () => session.connections(),
    });

    const actions = h("div", { class: "actions" });
    const join = config.joinGuild;
    if (join?.id) {
      const name = join.name ?? "our server";
      const button = h("button", { type: "button", class: "btn btn-primary join" }, `Join ${name}`);
      button.addEventListener("click", async () => {
        button.disabled = true;
        button.textContent = "Joining…";
        try {
          const result = await session.joinGuild(join.id);
          panel.message(result.joined ? `Welcome! You joined ${name}.` : `You are already a member of ${name}.`, "success");
          if (result.joined) guilds.reload();
        } catch (e) {
          panel.message(explain(e, "server", "join"));
        } finally {
          button.disabled = false;
          button.textContent = `Join ${name}`;
        }
      });
      actions.append(button);
    }
    const logout = h("button", { type: "button", class: "btn btn-secondary logout" }, "Log out");
    logout.addEventListener("click", async () => {
      logout.disabled = true;
      logout.textContent = "Logging out…";
      try {
        await session.logout();
        localStorage.removeItem(SESSION_HINT);
        panel.message("You are logged out. The Worker revoked the grant at Discord and forgot the session.", "info");
        showLoggedOut();
      } catch (e) {
        logout.disabled = false;
        logout.textContent = "Log out";
        panel.message(explain(e, "server"));
      }
    });
    actions.append(logout);

    panel.show(userCard(user), actions, h("div", { class: "blocks" }, guilds, connections));
  };

  if (authError || !localStorage.getItem(SESSION_HINT)) {
    localStorage.removeItem(SESSION_HINT);
    showLoggedOut();
    return;
  }
  try {
    const user = await session.user();
    if (user) {
      showUser(user);
    } else {
      // The Worker no longer knows this browser: expired, logged out elsewhere, or revoked.
      localStorage.removeItem(SESSION_HINT);
      panel.message("Your session has ended. Log in again to continue.", "info");
      showLoggedOut();
    }
  } catch (e) {
    panel.message(explain(e, "server"));
    showLoggedOut();
  }
}

// ---------------------------------------------------------------------------------------------
// "Browser only": DiscordOAuthClient with PKCE, calling Discord from the page.

const OAUTH_PARAMS = ["code", "state", "error", "error_description", "error_uri", "guild_id", "permissions"];

async function startBrowser() {
  const panel = new Panel("browser-mode");
  const cfg = config.browser;
  if (!cfg?.clientId) {
    panel.show(h("p", { class: "muted" },
      "Switched off in this configuration: browser-only login needs an application switched to “Public Client” (set ",
      code("browser.clientId"), " in ", code("www/config.js"), ")."));
    return;
  }
  const client = new DiscordOAuthClient({
    clientId: cfg.clientId,
    redirectUri: location.origin + "/",
    scopes: cfg.scopes ?? ["identify"],
    storage: "session",
    ...(cfg.apiBase ? { apiBase: cfg.apiBase } : {}),
    ...(cfg.authorizeEndpoint ? { authorizeEndpoint: cfg.authorizeEndpoint } : {}),
  });

  const params = new URLSearchParams(location.search);
  if (params.has("state") || params.has("code") || params.has("error") || location.hash.includes("access_token=")) {
    panel.busy("Finishing the login…");
    try {
      await client.handleRedirect();
    } catch (e) {
      panel.message(explain(e, "browser", "login"), e?.code === "access_denied" ? "info" : "error");
    } finally {
      stripParams(OAUTH_PARAMS);
    }
  }

  const showLoggedOut = () => panel.show(loggedOut({
    steps: [
      "The page makes a PKCE verifier and a random state, kept in sessionStorage.",
      "Discord sends you back to this page with a one-time code.",
      "The page exchanges the code (no secret) and calls Discord’s API itself.",
    ],
    onLogin: () => client.login(),
    onError: (e) => panel.message(explain(e, "browser")),
  }));

  const showUser = (user) => {
    const tokens = client.tokens();
    const info = tokens
      ? h("p", { class: "token-info" },
        "Access token expires ", fromNow(tokens.expires_at), " · scopes: ",
        tokens.scope.split(" ").filter(Boolean).map((s) => h("span", { class: "scope" }, s)))
      : null;
    const logout = h("button", { type: "button", class: "btn btn-secondary logout" }, "Log out");
    logout.addEventListener("click", async () => {
      logout.disabled = true;
      logout.textContent = "Logging out…";
      try {
        await client.logout();
        panel.message("You are logged out. The token was revoked at Discord and removed from this tab.", "info");
      } catch (e) {
        panel.message(explain(e, "browser"));
      }
      showLoggedOut();
    });
    panel.show(
      userCard(user),
      h("div", { class: "actions" }, logout),
      info,
      h("div", { class: "blocks" },
        listSection({
          title: "Servers", cls: "guilds", mode: "browser", item: guildItem,
          empty: "Not in any server (or the guilds scope was not granted).",
          load: () => client.fetchGuilds(),
        }),
        listSection({
          title: "Connections", cls: "connections", mode: "browser", item: connectionItem,
          empty: "No connected accounts.",
          load: () => client.fetchConnections(),
        })),
    );
  };

  if (!client.isAuthenticated) {
    showLoggedOut();
    return;
  }
  try {
    showUser(await client.fetchUser());
  } catch (e) {
    panel.message(explain(e, "browser"));
    if (!client.isAuthenticated || e?.code === "unauthorized") {
      await client.setTokens(null);
    }
    showLoggedOut();
  }
}

// ---------------------------------------------------------------------------------------------

if (config.backend) {
  const backend = document.getElementById("backend");
  backend.textContent = `Logging in with ${config.backend}`;
  backend.hidden = false;
}

let ready = true;
try {
  await init();
} catch {
  ready = false;
  for (const id of ["server-mode", "browser-mode"]) {
    new Panel(id).show(h("p", { class: "list-error" },
      "The WebAssembly package did not load. Build it with scripts/build-web.sh and reload."));
  }
}
if (ready) await Promise.all([startServer(), startBrowser()]);
document.documentElement.dataset.ready = String(ready);
