// The peer for the Worker benchmark: the same work as our Worker, written the usual way in
// JavaScript (WebCrypto, KV or Durable Objects, fetch), fairly: keys derived once per isolate,
// one store read and one AES-GCM decrypt per /auth/session, one upstream fetch per
// /api/users/@me, and one structured log line per request (console.log(JSON.stringify(...)))
// with the fields ours writes: route, method, status, duration, and the Discord call's status
// and rate-limit bucket.
// Routes: GET /auth/login, GET /auth/callback, GET /auth/session, GET /api/users/@me,
// POST /auth/logout.
//
// Two session stores, chosen like ours: with a Durable Object binding `SESSION_STORE` (class
// `PeerSessionStore` below, one object per session, named by the session's store key) the
// sessions live in the objects; without it, in Workers KV (`SESSIONS`). Either way the tokens
// are sealed (AES-GCM) before they are stored. A refresh (the access token expires within
// 60 s, or Discord answers 401) runs in the Worker in KV mode and inside the session's object
// in Durable Object mode, under `blockConcurrencyWhile`, so that two isolates asking at once
// send the refresh token to Discord once.
import { DurableObject } from "cloudflare:workers";

const enc = new TextEncoder();
const dec = new TextDecoder();
const b64u = {
  encode(bytes) {
    let s = "";
    for (const b of new Uint8Array(bytes)) s += String.fromCharCode(b);
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  },
  decode(str) {
    const s = atob(str.replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(s, (c) => c.charCodeAt(0));
  },
};

let keys; // per isolate
async function deriveKeys(secret) {
  if (keys) return keys;
  const base = await crypto.subtle.importKey("raw", enc.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const derive = async (label) => new Uint8Array(await crypto.subtle.sign("HMAC", base, enc.encode(label)));
  const [seal, kvKey] = await Promise.all([derive("peer seal"), derive("peer kv key")]);
  keys = {
    seal: await crypto.subtle.importKey("raw", seal, "AES-GCM", false, ["encrypt", "decrypt"]),
    kv: await crypto.subtle.importKey("raw", kvKey, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]),
  };
  return keys;
}

const json = (status, body, headers = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", "cache-control": "no-store", ...headers } });

function cookie(request, name) {
  for (const part of (request.headers.get("cookie") ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return v.join("=");
  }
  return null;
}

async function storeKeyFor(k, id) {
  return "s:" + b64u.encode(await crypto.subtle.sign("HMAC", k.kv, enc.encode(id)));
}

// What is stored for a session: { user, scopes, expires_at, iv, sealed } where `sealed` is the
// AES-GCM-sealed token set { access_token, refresh_token, expires_at (ms), scope }.
async function seal(k, fields, tokens) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, k.seal, enc.encode(JSON.stringify(tokens)));
  return { ...fields, iv: b64u.encode(iv), sealed: b64u.encode(sealed) };
}
async function open(k, stored) {
  const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: b64u.decode(stored.iv) }, k.seal, b64u.decode(stored.sealed));
  return JSON.parse(dec.decode(plain));
}

const SESSION_TTL_S = 30 * 86400;

// The refresh grant at Discord. Resolves to { tokens } (rotated), { gone: true } (Discord
// refused the refresh token: the session is over) or { failed: status } (try again later).
async function refreshAtDiscord(env, refreshToken, log) {
  const res = await fetch(env.DISCORD_API_BASE + "/oauth2/token", { method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", authorization: "Basic " + btoa(env.DISCORD_CLIENT_ID + ":" + env.DISCORD_CLIENT_SECRET) },
    body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken }) });
  if (log) traced(log, "POST /oauth2/token", res);
  if (res.status === 400 || res.status === 401) return { gone: true };
  if (!res.ok) return { failed: res.status };
  const t = await res.json();
  return { tokens: { access_token: t.access_token, refresh_token: t.refresh_token, expires_at: Date.now() + t.expires_in * 1000, scope: t.scope } };
}

// A session's Durable Object (Durable Object mode). Called over RPC by the Worker:
// get / put / delete, and refresh, which runs under blockConcurrencyWhile so that the
// object's other callers wait for the rotated tokens instead of refreshing again.
export class PeerSessionStore extends DurableObject {
  async get() {
    const stored = await this.ctx.storage.get("session");
    if (!stored) return null;
    if (Date.parse(stored.expires_at) <= Date.now()) { await this.delete(); return null; }
    return stored;
  }
  async put(stored) {
    await this.ctx.storage.put("session", stored);
    await this.ctx.storage.setAlarm(Date.parse(stored.expires_at)); // deletes it when it expires
  }
  async delete() {
    await this.ctx.storage.deleteAll();
    await this.ctx.storage.deleteAlarm();
  }
  async alarm() {
    await this.ctx.storage.deleteAll();
  }
  // Refreshes the session unless another caller already did: `seen` is the access token the
  // caller holds. Answers { stored } (the session to use now), { gone: true } or { failed }.
  async refresh(seen) {
    return this.ctx.blockConcurrencyWhile(async () => {
      const stored = await this.get();
      if (!stored) return { gone: true };
      const k = await deriveKeys(this.env.SESSION_SECRET);
      const tokens = await open(k, stored);
      if (tokens.access_token !== seen) return { stored }; // rotated meanwhile: adopt it
      const r = await refreshAtDiscord(this.env, tokens.refresh_token, null);
      if (r.gone) { await this.delete(); return { gone: true }; }
      if (r.failed) return { failed: r.failed };
      const next = await seal(k, { user: stored.user, scopes: stored.scopes, expires_at: stored.expires_at }, r.tokens);
      await this.put(next);
      return { stored: next };
    });
  }
}

// The session store of a request: the Durable Objects when the binding is there, else KV.
// Each method takes the session's store key (an HMAC of the cookie's id).
function storeOf(env) {
  if (env.SESSION_STORE) {
    const object = (key) => env.SESSION_STORE.get(env.SESSION_STORE.idFromName(key));
    return {
      get: (key) => object(key).get(),
      put: (key, stored) => object(key).put(stored),
      delete: (key) => object(key).delete(),
      refresh: (key, k, stored, tokens, log) => object(key).refresh(tokens.access_token),
    };
  }
  return {
    get: (key) => env.SESSIONS.get(key, "json"),
    put: (key, stored) => env.SESSIONS.put(key, JSON.stringify(stored), { expirationTtl: SESSION_TTL_S }),
    delete: (key) => env.SESSIONS.delete(key),
    // KV mode: the Worker refreshes and writes back. KV cannot serialize isolates; within one
    // isolate, concurrent requests of a session share one refresh (the Map below).
    refresh(key, k, stored, tokens, log) {
      let running = kvRefreshes.get(key);
      if (!running) {
        running = kvRefresh(env, key, k, stored, tokens, log).finally(() => kvRefreshes.delete(key));
        kvRefreshes.set(key, running);
      }
      return running;
    },
  };
}

const kvRefreshes = new Map(); // session store key -> the refresh running in this isolate
async function kvRefresh(env, key, k, stored, tokens, log) {
  const r = await refreshAtDiscord(env, tokens.refresh_token, log);
  if (r.gone) {
    // Another isolate may have rotated the refresh token first: adopt what it stored.
    const now = await env.SESSIONS.get(key, "json");
    if (now && now.sealed !== stored.sealed) return { stored: now };
    await env.SESSIONS.delete(key);
    return { gone: true };
  }
  if (r.failed) return { failed: r.failed };
  const next = await seal(k, { user: stored.user, scopes: stored.scopes, expires_at: stored.expires_at }, r.tokens);
  await env.SESSIONS.put(key, JSON.stringify(next), { expirationTtl: SESSION_TTL_S });
  return { stored: next };
}

async function loadSession(request, env, k) {
  const id = cookie(request, "__Host-peer_session");
  if (!id) return null;
  const key = await storeKeyFor(k, id);
  const stored = await storeOf(env).get(key);
  if (!stored) return null;
  return { key, stored, tokens: await open(k, stored) };
}

// A refresh of session `s` (in place); false when the session is gone.
class RefreshFailed extends Error {}
async function refreshSession(env, k, s, log) {
  const r = await storeOf(env).refresh(s.key, k, s.stored, s.tokens, log);
  if (r.gone) return false;
  if (r.failed) throw new RefreshFailed(`refresh failed: ${r.failed}`);
  s.stored = r.stored;
  s.tokens = await open(k, r.stored);
  return true;
}

export default {
  async fetch(request, env) {
    const started = Date.now();
    const log = { route: new URL(request.url).pathname, method: request.method, status: 0, duration_ms: 0, discord_calls: 0 };
    let res;
    try {
      res = await route(request, env, log);
    } catch (err) {
      // Discord failed during a refresh, or the upstream connection broke: a documented 502.
      res = json(502, { error: "discord_unavailable", message: err instanceof RefreshFailed ? "refresh failed" : "Discord failed" });
    }
    log.status = res.status;
    log.duration_ms = Date.now() - started;
    console.log(JSON.stringify(log));
    return res;
  },
};

// Records an upstream call in the request's log line.
function traced(log, path, res) {
  log.discord_calls += 1;
  log.discord_route = path;
  log.discord_status = res.status;
  log.discord_bucket = res.headers.get("x-ratelimit-bucket") ?? undefined;
  return res;
}

// The routes; `log` is the request's log line.
async function route(request, env, log) {
  const url = new URL(request.url);
  const k = await deriveKeys(env.SESSION_SECRET);
  const redirectUri = url.origin + "/auth/callback";
  if (url.pathname === "/auth/login") {
    const verifier = b64u.encode(crypto.getRandomValues(new Uint8Array(32)));
    const state = b64u.encode(crypto.getRandomValues(new Uint8Array(32)));
    const challenge = b64u.encode(await crypto.subtle.digest("SHA-256", enc.encode(verifier)));
    const target = new URL(env.DISCORD_AUTHORIZE_URL);
    for (const [n, v] of Object.entries({ response_type: "code", client_id: env.DISCORD_CLIENT_ID, scope: "identify",
      state, redirect_uri: redirectUri, code_challenge: challenge, code_challenge_method: "S256" })) target.searchParams.set(n, v);
    return new Response(null, { status: 302, headers: { location: target.href,
      "set-cookie": `__Host-peer_state=${state}.${verifier}; HttpOnly; Secure; SameSite=Lax; Path=/; Max-Age=600` } });
  }
  if (url.pathname === "/auth/callback") {
    const [state, verifier] = (cookie(request, "__Host-peer_state") ?? ".").split(".");
    if (!state || state !== url.searchParams.get("state")) return json(400, { error: "invalid_state", message: "state" });
    const res = traced(log, "POST /oauth2/token", await fetch(env.DISCORD_API_BASE + "/oauth2/token", { method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: "Basic " + btoa(env.DISCORD_CLIENT_ID + ":" + env.DISCORD_CLIENT_SECRET) },
      body: new URLSearchParams({ grant_type: "authorization_code", code: url.searchParams.get("code") ?? "", redirect_uri: redirectUri, code_verifier: verifier }) }));
    if (!res.ok) return json(400, { error: "invalid_grant", message: "exchange failed" });
    const tokens = await res.json();
    const me = traced(log, "GET /users/@me", await fetch(env.DISCORD_API_BASE + "/users/@me", { headers: { authorization: "Bearer " + tokens.access_token } }));
    const user = await me.json();
    const id = b64u.encode(crypto.getRandomValues(new Uint8Array(32)));
    const expires = Date.now() + SESSION_TTL_S * 1000;
    const stored = await seal(k, { user, scopes: tokens.scope.split(" "), expires_at: new Date(expires).toISOString() },
      { access_token: tokens.access_token, refresh_token: tokens.refresh_token, expires_at: Date.now() + tokens.expires_in * 1000, scope: tokens.scope });
    await storeOf(env).put(await storeKeyFor(k, id), stored);
    return new Response(null, { status: 302, headers: { location: "/",
      "set-cookie": `__Host-peer_session=${id}; HttpOnly; Secure; SameSite=Lax; Path=/; Max-Age=${SESSION_TTL_S}` } });
  }
  if (url.pathname === "/auth/session") {
    const s = await loadSession(request, env, k);
    if (!s) return json(401, { error: "unauthorized", message: "no session" });
    return json(200, { user: s.stored.user, scopes: s.stored.scopes, expires_at: s.stored.expires_at });
  }
  if (url.pathname === "/api/users/@me") {
    const s = await loadSession(request, env, k);
    if (!s) return json(401, { error: "unauthorized", message: "no session" });
    const gone = () => json(401, { error: "unauthorized", message: "session ended" }, { "set-cookie": CLEAR_SESSION });
    // Refresh first when the access token expires within 60 s.
    if (s.tokens.expires_at - Date.now() < 60_000 && !(await refreshSession(env, k, s, log))) return gone();
    const me = () => fetch(env.DISCORD_API_BASE + "/users/@me", { headers: { authorization: "Bearer " + s.tokens.access_token } });
    let res = traced(log, "GET /users/@me", await me());
    // A 401 may be a token Discord ended early: refresh once and retry once.
    if (res.status === 401) {
      if (!(await refreshSession(env, k, s, log))) return gone();
      res = traced(log, "GET /users/@me", await me());
    }
    if (res.status === 429) return json(429, { error: "rate_limited", retry_after: Number(res.headers.get("retry-after")), global: false });
    if (res.status >= 500) return json(502, { error: "discord_unavailable", message: "Discord failed" });
    return new Response(res.body, { status: res.status, headers: { "content-type": "application/json" } });
  }
  if (url.pathname === "/auth/logout" && request.method === "POST") {
    const s = await loadSession(request, env, k);
    if (s) {
      traced(log, "POST /oauth2/token/revoke", await fetch(env.DISCORD_API_BASE + "/oauth2/token/revoke", { method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", authorization: "Basic " + btoa(env.DISCORD_CLIENT_ID + ":" + env.DISCORD_CLIENT_SECRET) },
        body: new URLSearchParams({ token: s.tokens.refresh_token ?? s.tokens.access_token }) }));
      await storeOf(env).delete(s.key);
    }
    return new Response(null, { status: 204, headers: { "set-cookie": CLEAR_SESSION } });
  }
  return json(404, { error: "not_found", message: "no such route" });
}

const CLEAR_SESSION = "__Host-peer_session=; HttpOnly; Secure; SameSite=Lax; Path=/; Max-Age=0";
