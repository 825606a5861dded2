// The browser client's async shell (docs/browser.md). It runs fetch, Web Storage, IndexedDB,
// Web Locks and navigation, and makes no protocol decision: every decision comes from the
// client's core (ClientCore, src/browser/core.rs) by name, and the token lifecycle is a loop
// over the core's named actions (docs/lifecycle.md).

/** A `DiscordOAuthError`: `name`, a stable `code`, and the details that are known. */
export function dow_err(code, message, status, retryAfter, global, discordCode, description) {
  const error = new Error(message);
  error.name = "DiscordOAuthError";
  error.code = code;
  const details = { status, retryAfter, global, discordCode, description };
  for (const key in details) if (details[key] !== undefined) error[key] = details[key];
  return error;
}

/** A rate limit's details on its error: `bucket`, `scope` and Discord's `body` (parsed). */
export function dow_err_limits(error, bucket, scope, body) {
  if (bucket !== undefined) error.bucket = bucket;
  if (scope !== undefined) error.scope = scope;
  if (body !== undefined) {
    try {
      error.body = JSON.parse(body);
    } catch {
      error.body = body;
    }
  }
}

const messageOf = (e) => (e instanceof Error ? e.message : typeof e === "string" ? e : "unknown error");
const storageError = (what, cause) => dow_err("storage_error", "storage error: " + what + messageOf(cause));

// ---- Web Storage: looked up on every access (reading the property can throw in private modes).

function storageArea(name) {
  let area;
  try {
    area = globalThis[name];
  } catch (e) {
    throw storageError(name + ": ", e);
  }
  if (!area || typeof area.getItem !== "function") throw storageError(name + " is not available here", "");
  return area;
}

function storageGet(name, key) {
  const area = storageArea(name);
  try {
    return area.getItem(key);
  } catch (e) {
    throw storageError("read: ", e);
  }
}

function storagePut(name, key, value) {
  const area = storageArea(name);
  try {
    if (value == null) area.removeItem(key);
    else area.setItem(key, value);
  } catch (e) {
    throw storageError(value == null ? "remove: " : "write: ", e);
  }
}

// ---- IndexedDB: the freshest TokenSet across tabs (Chromium caches localStorage per renderer).

let database = null;

function indexedDb(mode, operation) {
  if (!globalThis.indexedDB) return Promise.resolve();
  database = database || new Promise((resolve, reject) => {
    const open = indexedDB.open("discord-oauth-wasm", 1);
    open.onupgradeneeded = () => open.result.createObjectStore("tokens");
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => {
      database = null;
      reject(open.error);
    };
  });
  return database.then((db) => new Promise((resolve, reject) => {
    const tx = db.transaction("tokens", mode);
    const request = operation(tx.objectStore("tokens"));
    tx.oncomplete = () => resolve(request.result);
    tx.onerror = tx.onabort = () => reject(tx.error);
  }));
}

const indexedDbPut = (S, json) =>
  indexedDb("readwrite", (store) => (json == null ? store.delete(S.prefix) : store.put(json, S.prefix)));

// ---- The client's state and its stored tokens.

/** The shell state of one client: its core, storage keys and mode, the refresh in flight. */
export function dow_client(core, prefix, mode, onRequest) {
  return {
    core,
    onRequest, // the `onRequest` trace option: called after each request to Discord
    prefix,
    keys: prefix + ":",
    mode,
    area: mode === "local" ? "localStorage" : "sessionStorage",
    shared: mode === "local", // tabs share the tokens: Web Locks and IndexedDB coordinate them
    memory: null,
    refreshing: null,
    publicKeys: new Map(), // WebCrypto keys imported for the id_token check, by the core's JWK object
  };
}

function parseTokens(S, json) {
  if (json == null) return null;
  try {
    return S.core.normalize(JSON.parse(json));
  } catch {
    return null;
  }
}

const storedJson = (S) => (S.mode === "memory" ? S.memory : storageGet(S.area, S.keys + "tokens"));
const readTokens = (S) => parseTokens(S, storedJson(S));

function putJson(S, json) {
  if (S.mode === "memory") S.memory = json;
  else storagePut(S.area, S.keys + "tokens", json);
}

async function writeTokens(S, tokens) {
  const json = tokens == null ? null : JSON.stringify(tokens);
  putJson(S, json);
  if (S.shared) await indexedDbPut(S, json).catch((e) => { throw storageError("", e); });
}

/** The freshest stored tokens: another tab's write may be in IndexedDB before localStorage. */
async function freshestTokens(S) {
  if (S.shared) {
    let json;
    try {
      json = await indexedDb("readonly", (store) => store.get(S.prefix));
    } catch {}
    if (typeof json === "string") {
      putJson(S, json);
      return parseTokens(S, json);
    }
  }
  return readTokens(S);
}

// ---- fetch.

/** Sends a core request; `{status, headers: [name, value, …], body}` (body: a Uint8Array). Throws `network_error`. */
async function send(request, credentials, what) {
  let response, body;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      credentials,
    });
    // The bytes, not `text()`: a string crosses into the wasm character by character, bytes
    // in one copy (docs/browser.md, "Crossing rules"); the core decodes them as `text()` would.
    body = new Uint8Array(await response.arrayBuffer());
  } catch (e) {
    throw dow_err("network_error", "network error: " + what + messageOf(e));
  }
  const headers = [];
  response.headers.forEach((value, name) => headers.push(name, value));
  return { status: response.status, headers, body };
}

/**
 * Sends a core request to Discord and reports it to `onRequest` (method, route, status,
 * rate-limit bucket, duration; never a token). A throwing trace function is ignored.
 */
async function sendToDiscord(S, request, what, failure = what + " failed: ") {
  const started = performance.now();
  let status = 0, bucket;
  try {
    const answer = await send(request, "omit", failure);
    status = answer.status;
    for (let i = 0; i < answer.headers.length; i += 2) {
      if (answer.headers[i] === "x-ratelimit-bucket") bucket = answer.headers[i + 1];
    }
    return answer;
  } finally {
    if (typeof S.onRequest === "function") {
      try {
        S.onRequest({ method: request.method, route: request.route, status, bucket, durationMs: performance.now() - started });
      } catch {}
    }
  }
}

// ---- The token lifecycle: a loop over the core's named actions.

/** Runs one call (a CallDriver) to its end: the answer, or the error it throws. */
async function runCall(S, call) {
  try {
    let step = call.start(readTokens(S));
    for (;;) {
      switch (step.action) {
        case "send":
          step = call.onResponse(await sendToDiscord(S, step.request, "the Discord API request"));
          break;
        case "refresh":
          step = call.onRefreshed(await refresh(S, call.tokens()));
          break;
        case "forget":
          await writeTokens(S, null);
          step = call.onForgotten();
          break;
        case "done":
          return step.value;
        default:
          throw dow_err("config_error", "unknown lifecycle action: " + step.action);
      }
    }
  } finally {
    call.free();
  }
}

/** The page's single flight (one refresh promise), under a Web Lock across tabs. */
function refresh(S, seen) {
  if (!S.refreshing) {
    const lead = () => leadRefresh(S, seen);
    const locks = S.shared && globalThis.navigator && navigator.locks;
    S.refreshing = (locks ? locks.request(S.keys + "refresh", lead) : lead())
      .finally(() => { S.refreshing = null; });
  }
  return S.refreshing;
}

/** Runs one refresh (a RefreshDriver) as the leader; resolves to its outcome. */
async function leadRefresh(S, seen) {
  const driver = S.core.refresh(seen);
  try {
    let step = driver.start(await freshestTokens(S));
    for (;;) {
      switch (step.action) {
        case "send": {
          let answer;
          try {
            answer = await sendToDiscord(S, step.request, "the token refresh");
          } catch (e) {
            step = driver.onNetworkError(messageOf(e));
            break;
          }
          step = driver.onResponse(answer);
          break;
        }
        case "persist":
          await writeTokens(S, step.tokens);
          step = driver.onPersisted();
          break;
        case "reread":
          step = driver.onReread(await freshestTokens(S));
          break;
        case "settled":
          return step.outcome;
        default:
          throw dow_err("config_error", "unknown refresh action: " + step.action);
      }
    }
  } finally {
    driver.free();
  }
}

export const dow_call = (S, method, route, body, anonymous) =>
  Promise.resolve().then(() => runCall(S, S.core.call(method, route, body, anonymous)));
export const dow_access = (S) => runCall(S, S.core.accessToken()).then((tokens) => tokens.access_token);
export const dow_refresh = async (S) => runCall(S, S.core.refreshNow());
export const dow_read = (S) => readTokens(S);

export function dow_is_auth(S) {
  try {
    return S.core.usable(readTokens(S));
  } catch {
    return false;
  }
}

export function dow_set(S, tokens) {
  const json = tokens == null ? null : JSON.stringify(tokens);
  putJson(S, json);
  if (S.shared) indexedDbPut(S, json).catch(() => {});
}

// ---- Login, redirect, logout.

function navigate(url) {
  const location = globalThis.location;
  if (!location) throw dow_err("config_error", "configuration error: no location to navigate");
  try {
    location.assign(url);
  } catch (e) {
    throw dow_err("config_error", "configuration error: " + messageOf(e));
  }
}

/** `authorizeUrl(options)` / `login(options)`: the PKCE verifier hashed, the pending login kept. */
export async function dow_begin(S, options, shouldNavigate) {
  const verifier = S.core.newVerifier(options);
  let digest;
  if (verifier != null) {
    const subtle = globalThis.crypto && crypto.subtle;
    if (!subtle) {
      throw dow_err("config_error", "configuration error: PKCE needs crypto.subtle, which browsers give only to secure contexts (https, or http on localhost)");
    }
    digest = new Uint8Array(await subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  }
  const { url, pending } = S.core.authorize(options, verifier, digest);
  storagePut("sessionStorage", S.keys + "pending", pending);
  return shouldNavigate ? navigate(url) : url;
}

const RS256 = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
/** The id_token goes to the core as UTF-8 bytes: one copy, where a string is copied character by character. */
const utf8 = new TextEncoder();
/** A long string's UTF-8 bytes, for the core's JSON reader (src/browser/json.rs, `string_of`). */
export const dow_utf8 = (s) => utf8.encode(s);

/**
 * The WebCrypto key for the public key the core chose (`{kty, n, e, alg}`), imported once per
 * client. The core hands the same JWK object for the same fetched key (a refetch makes new
 * ones), so the object itself is the map's key. The choice stays the core's; this only spares
 * a second import of the same key (bench/id-token.mjs).
 */
function importedKey(S, jwk) {
  let key = S.publicKeys.get(jwk);
  if (!key) {
    if (S.publicKeys.size >= 8) S.publicKeys.clear();
    key = crypto.subtle.importKey("jwk", jwk, RS256, false, ["verify"]);
    key.catch(() => S.publicKeys.delete(jwk));
    S.publicKeys.set(jwk, key);
  }
  return key;
}

/**
 * Runs an id_token check (an IdTokenDriver) to its end: `fetch` the keys, `verify` the RS256
 * signature with WebCrypto (RSASSA-PKCS1-v1_5, SHA-256), `done` with the verified claims.
 */
async function verifyIdToken(S, driver) {
  try {
    let step = driver.start();
    for (;;) {
      switch (step.action) {
        case "fetch":
          step = driver.onJwks(await sendToDiscord(S, step.request, "the OpenID Connect keys request"));
          break;
        case "verify": {
          let ok = false;
          try {
            ok = await crypto.subtle.verify(RS256, await importedKey(S, step.key), step.signature, step.data);
          } catch {}
          step = driver.onVerified(ok);
          break;
        }
        case "done": // the verified claims as the token's JSON text, or null without an id_token
          return step.claims == null ? null : JSON.parse(step.claims);
        default:
          throw dow_err("config_error", "unknown id_token action: " + step.action);
      }
    }
  } finally {
    driver.free();
  }
}

/**
 * The id_token check of `handleRedirect`: the core's IdTokenDriver for `tokens` and the login's
 * `nonce`, run to its end. Internal: index.js does not re-export the shell and no .d.ts names
 * it; bench/id-token.mjs imports it from the package's snippet to measure this exact path.
 */
export const dow_id_token = (S, tokens, nonce) =>
  verifyIdToken(S, S.core.idToken(tokens.id_token == null ? null : utf8.encode(tokens.id_token), nonce));

/** `logout()`: local tokens go first, so the user is logged out even when Discord is down. */
export async function dow_logout(S) {
  const tokens = readTokens(S);
  await writeTokens(S, null);
  if (tokens) S.core.revoked(await sendToDiscord(S, S.core.revokeRequest(tokens), "the token revocation"));
}

/** `handleRedirect(url)`: `null` without OAuth2 parameters; else the TokenSet. */
export async function dow_redirect(S, url) {
  const location = globalThis.location;
  const current = typeof Location === "function" && location instanceof Location ? location.href : undefined;
  url = url == null ? current : url;
  if (url == null) throw dow_err("config_error", "configuration error: handleRedirect: no URL given and no location");
  const clean = S.core.cleanRedirect(url);
  if (clean == null) return null;
  if (url === current) {
    try {
      history.replaceState(null, "", clean);
    } catch {}
  }
  const pending = storageGet("sessionStorage", S.keys + "pending");
  storagePut("sessionStorage", S.keys + "pending", null);
  const { exchange, tokens: implicit, data, nonce } = S.core.redirect(url, pending);
  const tokens = exchange
    ? S.core.exchanged(await sendToDiscord(S, exchange, "the token exchange", "the token exchange could not reach Discord from the browser (blocked by CORS, or offline): make the application a Public Client, or use the Worker (DiscordSession) for the exchange. Cause: "))
    : implicit;
  // OpenID Connect: the id_token is verified before anything is stored (docs/oidc.md).
  const claims = exchange ? await dow_id_token(S, tokens, nonce) : null;
  await writeTokens(S, tokens);
  if (claims != null) tokens.claims = claims;
  if (data != null) {
    try {
      tokens.data = JSON.parse(data);
    } catch {}
  }
  return tokens;
}
