// The peer for the Worker benchmark: the same work as our Worker, written the usual way in
// JavaScript (WebCrypto, KV, fetch), fairly: keys derived once per isolate, one KV read and one
// AES-GCM decrypt per /auth/session, one upstream fetch per /api/users/@me, and one structured
// log line per request (console.log(JSON.stringify(...))) with the fields ours writes: route,
// method, status, duration, and the Discord call's status and rate-limit bucket.
// Routes: GET /auth/login, GET /auth/callback, GET /auth/session, GET /api/users/@me.

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

async function kvKeyFor(k, id) {
  return "s:" + b64u.encode(await crypto.subtle.sign("HMAC", k.kv, enc.encode(id)));
}

async function loadSession(request, env, k) {
  const id = cookie(request, "__Host-peer_session");
  if (!id) return null;
  const stored = await env.SESSIONS.get(await kvKeyFor(k, id), "json");
  if (!stored) return null;
  const iv = b64u.decode(stored.iv);
  const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv }, k.seal, b64u.decode(stored.sealed));
  return { ...stored, tokens: JSON.parse(dec.decode(plain)) };
}

export default {
  async fetch(request, env) {
    const started = Date.now();
    const log = { route: new URL(request.url).pathname, method: request.method, status: 0, duration_ms: 0, discord_calls: 0 };
    const res = await route(request, env, log);
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
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, k.seal, enc.encode(JSON.stringify(tokens)));
    const expires = Date.now() + 30 * 86400e3;
    await env.SESSIONS.put(await kvKeyFor(k, id), JSON.stringify({ user, scopes: tokens.scope.split(" "),
      expires_at: new Date(expires).toISOString(), iv: b64u.encode(iv), sealed: b64u.encode(sealed) }), { expirationTtl: 30 * 86400 });
    return new Response(null, { status: 302, headers: { location: "/",
      "set-cookie": `__Host-peer_session=${id}; HttpOnly; Secure; SameSite=Lax; Path=/; Max-Age=${30 * 86400}` } });
  }
  if (url.pathname === "/auth/session") {
    const s = await loadSession(request, env, k);
    if (!s) return json(401, { error: "unauthorized", message: "no session" });
    return json(200, { user: s.user, scopes: s.scopes, expires_at: s.expires_at });
  }
  if (url.pathname === "/api/users/@me") {
    const s = await loadSession(request, env, k);
    if (!s) return json(401, { error: "unauthorized", message: "no session" });
    const res = traced(log, "GET /users/@me", await fetch(env.DISCORD_API_BASE + "/users/@me", { headers: { authorization: "Bearer " + s.tokens.access_token } }));
    if (res.status === 429) return json(429, { error: "rate_limited", retry_after: Number(res.headers.get("retry-after")), global: false });
    if (res.status >= 500) return json(502, { error: "discord_unavailable", message: "Discord failed" });
    return new Response(res.body, { status: res.status, headers: { "content-type": "application/json" } });
  }
  return json(404, { error: "not_found", message: "no such route" });
}
