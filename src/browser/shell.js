// The browser client's async shell; documented in shell.rs (this file ships as is).

export function dow_err(code, message, status, retryAfter, global, discordCode, description) {
  const e = new Error(message);
  e.name = "DiscordOAuthError";
  e.code = code;
  const x = { status, retryAfter, global, discordCode, description };
  for (const k in x) if (x[k] !== undefined) e[k] = x[k];
  return e;
}

const msg = (e) => (e instanceof Error ? e.message : typeof e == "string" ? e : "unknown error");
const fail = (m, e) => dow_err("storage_error", "storage error: " + m + msg(e));
const SS = "sessionStorage";

function area(n) {
  let s;
  try { s = globalThis[n]; } catch (e) { throw fail(n + ": ", e); }
  if (!s || typeof s.getItem != "function") throw fail(n + " is not available here", "");
  return s;
}
function sget(n, k) { const s = area(n); try { return s.getItem(k); } catch (e) { throw fail("read: ", e); } }
function sput(n, k, v) {
  const s = area(n);
  try { v == null ? s.removeItem(k) : s.setItem(k, v); } catch (e) { throw fail(v == null ? "remove: " : "write: ", e); }
}

let dbp = null;
function idb(mode, op) {
  if (!globalThis.indexedDB) return Promise.resolve();
  dbp = dbp || new Promise((res, rej) => {
    const r = indexedDB.open("discord-oauth-wasm", 1);
    r.onupgradeneeded = () => r.result.createObjectStore("tokens");
    r.onsuccess = () => res(r.result);
    r.onerror = () => { dbp = null; rej(r.error); };
  });
  return dbp.then((d) => new Promise((res, rej) => {
    const tx = d.transaction("tokens", mode);
    const r = op(tx.objectStore("tokens"));
    tx.oncomplete = () => res(r.result);
    tx.onerror = tx.onabort = () => rej(tx.error);
  }));
}
const idbPut = (S, v) => idb("readwrite", (s) => (v == null ? s.delete(S.p) : s.put(v, S.p)));

export function dow_client(P, prefix, mode) {
  return { P, p: prefix, k: prefix + ":", mode, area: mode == "local" ? "localStorage" : SS, shared: mode == "local", mem: null, busy: null };
}

const parse = (S, raw) => { if (raw == null) return null; try { return S.P(1, JSON.parse(raw)); } catch { return null; } };
const raw = (S) => (S.mode == "memory" ? S.mem : sget(S.area, S.k + "tokens"));
const read = (S) => parse(S, raw(S));
function put(S, v) { if (S.mode == "memory") S.mem = v; else sput(S.area, S.k + "tokens", v); }

async function write(S, t) {
  const v = t == null ? null : JSON.stringify(t);
  put(S, v);
  if (S.shared) await idbPut(S, v).catch((e) => { throw fail("", e); });
}

async function send(req, credentials, what) {
  let r, body;
  try {
    r = await fetch(new Request(req.url, { method: req.method, headers: req.headers, body: req.body, credentials }));
    body = await r.text();
  } catch (e) {
    throw dow_err("network_error", "network error: " + what + msg(e));
  }
  const headers = [];
  r.headers.forEach((v, k) => headers.push(k, v));
  return { status: r.status, headers, body };
}
const api = (req, what) => send(req, "omit", what + " failed: ");

async function refreshLocked(S, seen) {
  let cur, v;
  if (S.shared) {
    try { v = await idb("readonly", (s) => s.get(S.p)); } catch {}
    if (typeof v == "string") { put(S, v); cur = parse(S, v); }
  }
  if (typeof v != "string") cur = read(S);
  if (!cur) throw S.P(5, 0);
  const req = S.P(3, cur, seen);
  if (!req) return cur;
  const t = S.P(4, await api(req, "the token refresh"), true);
  await write(S, t);
  if (!t) throw S.P(5, 1);
  return t;
}

function refresh(S) {
  if (!S.busy) {
    const t = read(S);
    const seen = t ? t.refresh_token : undefined;
    const run = () => refreshLocked(S, seen);
    const locks = S.shared && globalThis.navigator && navigator.locks;
    S.busy = (locks ? locks.request(S.k + "refresh", run) : run()).finally(() => { S.busy = null; });
  }
  return S.busy;
}

async function accessToken(S) {
  const t = read(S);
  if (!t) throw S.P(5, 0);
  const phase = S.P(2, t);
  if (phase == 3) { await write(S, null); throw S.P(5, 2); }
  return phase == 1 ? (await refresh(S)).access_token : t.access_token;
}

async function call(S, method, route, body) {
  for (let retried = false; ; retried = true) {
    const req = S.P(6, await accessToken(S), [method, route, body]);
    const resp = await api(req, "the Discord API request");
    const [kind, v] = S.P(7, req, [resp, retried, resp.status == 401 ? read(S) : null]);
    if (kind == 1) { await refresh(S); continue; }
    if (kind == 2) await write(S, null);
    if (kind) throw v;
    return v;
  }
}

export const dow_call = (S, m, route, body) => call(S, m, route, body);
export const dow_access = (S) => accessToken(S);
export const dow_refresh = async (S) => refresh(S);
export const dow_read = (S) => read(S);
export function dow_is_auth(S) { try { const t = read(S); return !!t && S.P(2, t) != 3; } catch { return false; } }
export function dow_set(S, t) {
  const v = t == null ? null : JSON.stringify(t);
  put(S, v);
  if (S.shared) idbPut(S, v).catch(() => {});
}

function go(url) {
  const l = globalThis.location;
  if (!l) throw dow_err("config_error", "configuration error: no location to navigate");
  try { l.assign(url); } catch (e) { throw dow_err("config_error", "configuration error: " + msg(e)); }
}

export async function dow_begin(S, o, nav) {
  const v = S.P(12, o), c = globalThis.crypto && crypto.subtle;
  if (v != null && !c) throw dow_err("config_error", "configuration error: PKCE needs crypto.subtle, which browsers give only to secure contexts (https, or http on localhost)");
  const d = v == null ? null : new Uint8Array(await c.digest("SHA-256", new TextEncoder().encode(v)));
  const [url, pending] = S.P(13, o, [v, d]);
  sput(SS, S.k + "pending", pending);
  return nav ? go(url) : url;
}

export const dow_logout = async (S) => {
  const t = read(S);
  await write(S, null);
  if (t) S.P(9, await api(S.P(8, t), "the token revocation"));
};

export async function dow_redirect(S, url) {
  const l = globalThis.location, cur = typeof Location == "function" && l instanceof Location ? l.href : undefined;
  url = url == null ? cur : url;
  if (url == null) throw dow_err("config_error", "configuration error: handleRedirect: no URL given and no location");
  const clean = S.P(10, url);
  if (clean == null) return null;
  if (url === cur) try { history.replaceState(null, "", clean); } catch {}
  const pending = sget(SS, S.k + "pending");
  sput(SS, S.k + "pending", null);
  const [req, implicit, data] = S.P(11, url, pending);
  const t = req
    ? S.P(4, await send(req, "omit", "the token exchange could not reach Discord from the browser (blocked by CORS, or offline): make the application a Public Client, or use the Worker (DiscordSession) for the exchange. Cause: "), false)
    : implicit;
  await write(S, t);
  if (data != null) try { t.data = JSON.parse(data); } catch {}
  return t;
}

export const dow_session = async (P, url, method, body, kind) =>
  P(kind, await send({ url, method, body, headers: body == null ? {} : { "content-type": "application/json" } }, "same-origin", "the request to the Worker failed: "));

export function dow_go(url) { go(url); }
