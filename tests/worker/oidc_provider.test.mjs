// The Worker as an OpenID Connect provider backed by Discord (docs/oidc-provider.md), in
// workerd with real SQLite-backed Durable Objects, against the emulator as Discord: an
// independent relying party (oauth4webapi, with its own checks of discovery, the RFC 9207
// `iss`, the id_token's claims and RS256 signature, and userinfo), and each bad input.
// In KV mode the provider is off by design (a code must be single-use everywhere, which KV
// cannot promise): the routes answer config_error naming SESSION_STORE, and the Durable Object
// tests are skipped with that reason.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash, randomBytes, webcrypto } from "node:crypto";
import * as oauth from "oauth4webapi";
import {
  startWorker, defaultBindings, resetEmulator, request, approve, setCookies, emu, STORE, ORIGIN,
  EMULATOR, SESSION_COOKIE, USER, PLAIN_USER, OWNED_GUILD, ADMIN_GUILD,
  workerNamed,
} from "../support/worker.mjs";

const DO = STORE === "do";
const SKIP = DO ? false : "the OpenID provider needs Durable Objects (run with WORKER_STORE=do)";
const RP = "https://rp.example/callback";
const SECRET = "access-client-secret-0123456789";
const OTHER = "http://localhost:3000/login/generic_oauth";
// A guild the fixture users are not in: its roles claim must be absent.
const FOREIGN_GUILD = "1160000000000000099";

// The signing key comes from the script the docs tell operators to run.
const KEY = execFileSync(process.execPath, ["scripts/oidc-keygen.mjs"], { encoding: "utf8" }).trim();
const CLIENTS = JSON.stringify([
  { client_id: "access", client_secret: SECRET, redirect_uris: [RP], guilds: true, role_guilds: [OWNED_GUILD, FOREIGN_GUILD] },
  { client_id: "grafana", client_secret: "grafana-client-secret-0123", redirect_uris: [OTHER] },
]);
const bindings = (extra = {}) => defaultBindings({ OIDC_CLIENTS: CLIENTS, OIDC_SIGNING_KEY: KEY, ...extra });

const OBJECTS = (first) => ({
  SESSION_STORE: { className: "DiscordSessionStore", useSQLite: true, ...(first ? {} : { scriptName: "a" }) },
});

let mf, pair, a, b, short;
before(async () => {
  await resetEmulator();
  // The member reads of several logins in a row: widen the emulator's per-route bucket so
  // that only the provider is under test.
  for (const route of ["GET /api/v10/users/@me", "GET /api/v10/users/@me/guilds", "GET /api/v10/users/@me/guilds/{guild_id}/member"]) {
    await emu("rate-limits", { route, limit: 100, window_ms: 1000 });
  }
  mf = startWorker({ bindings: bindings() });
  if (!DO) return;
  pair = startWorker({
    bindings: bindings(),
    workers: [
      { name: "a", kvNamespaces: [], durableObjects: OBJECTS(true) },
      { name: "b", kvNamespaces: [], durableObjects: OBJECTS(false) },
    ],
  });
  a = workerNamed(pair, "a");
  b = workerNamed(pair, "b");
  short = startWorker({ bindings: bindings({ OIDC_CODE_TTL_SECONDS: "1" }) });
});
after(async () => {
  await mf?.dispose();
  await pair?.dispose();
  await short?.dispose();
  await resetEmulator();
});

const b64url = (buf) => Buffer.from(buf).toString("base64url");
const pkce = () => {
  const verifier = b64url(randomBytes(32));
  return { verifier, challenge: b64url(createHash("sha256").update(verifier).digest()) };
};

function authorizeQuery(over = {}) {
  const p = {
    response_type: "code", client_id: "access", redirect_uri: RP, scope: "openid email guilds roles",
    state: "st-" + b64url(randomBytes(6)), nonce: "n-" + b64url(randomBytes(6)), ...over,
  };
  for (const [k, v] of Object.entries(p)) if (v === undefined) delete p[k];
  return new URLSearchParams(p).toString();
}

/**
 * The browser: GET /oidc/authorize, then every redirect (the Worker's login, Discord's consent
 * through the emulator, the callback, back to /oidc/authorize) until one leaves for the relying
 * party. Returns that URL and the cookie jar.
 */
async function browse(w, path, { user_id, jar = {} } = {}) {
  let res = await request(w, path, { cookies: jar });
  for (let hops = 0; hops < 6; hops++) {
    for (const [name, c] of Object.entries(setCookies(res))) {
      if (c.value) jar[name] = c.value;
      else delete jar[name];
    }
    if (res.status !== 302) return { res, jar };
    const to = new URL(res.headers.get("location"), ORIGIN);
    if (to.href.startsWith(EMULATOR)) {
      res = await request(w, await approve(to, { user_id }), { cookies: jar });
    } else if (to.origin === ORIGIN) {
      res = await request(w, to.pathname + to.search, { cookies: jar });
    } else {
      return { rp: to, res, jar };
    }
  }
  throw new Error("too many redirects");
}

/** A code for `query` (signing in as `user_id`). */
async function code(w, over = {}, opts = {}) {
  const { verifier, challenge } = pkce();
  const q = authorizeQuery({ code_challenge: challenge, code_challenge_method: "S256", ...over });
  const { rp, jar } = await browse(w, `/oidc/authorize?${q}`, opts);
  assert.ok(rp, "redirected to the relying party");
  assert.equal(rp.searchParams.get("error"), null, rp.href);
  return { code: rp.searchParams.get("code"), verifier, rp, jar, query: new URLSearchParams(q) };
}

/**
 * POST /oidc/token with the length of its body declared, as a relying party's HTTP client
 * sends it (the Worker's entry then reads it in one call); `chunked` leaves it out, as
 * Miniflare's dispatchFetch does by itself (the full path then reads it chunk by chunk).
 */
function post(w, body, headers, { chunked = false } = {}) {
  const length = chunked ? {} : { "content-length": String(Buffer.byteLength(body)) };
  return request(w, "/oidc/token", { method: "POST", headers: { ...length, ...headers }, body });
}

function tokenRequest(w, form, { id = "access", secret = SECRET, post: inBody = false, chunked = false } = {}) {
  const headers = { "content-type": "application/x-www-form-urlencoded" };
  const body = new URLSearchParams(form);
  if (inBody) {
    body.set("client_id", id);
    body.set("client_secret", secret);
  } else {
    headers.authorization = "Basic " + Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString("base64");
  }
  return post(w, body.toString(), headers, { chunked });
}

const exchange = (w, c, extra = {}, auth = {}) =>
  tokenRequest(w, { grant_type: "authorization_code", code: c.code, redirect_uri: RP, code_verifier: c.verifier, ...extra }, auth);

const userinfo = (w, token) => request(w, "/oidc/userinfo", { headers: token ? { authorization: `Bearer ${token}` } : {} });

async function oauthError(res, status, error) {
  assert.equal(res.status, status, `status of ${error}`);
  assert.equal(res.headers.get("location"), null, "never a redirect");
  const body = await res.json();
  assert.equal(body.error, error, JSON.stringify(body));
  assert.equal(typeof body.error_description, "string");
  return body;
}

// --- KV mode ------------------------------------------------------------------------------

test("KV mode: every provider route answers config_error naming SESSION_STORE", { skip: DO ? "Durable Object mode" : false }, async () => {
  for (const [path, init] of [
    ["/.well-known/openid-configuration", {}],
    ["/oidc/jwks.json", {}],
    [`/oidc/authorize?${authorizeQuery()}`, {}],
    ["/oidc/token", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "grant_type=authorization_code" }],
    ["/oidc/userinfo", {}],
  ]) {
    const res = await request(mf, path, init);
    assert.equal(res.status, 500, path);
    const body = await res.json();
    assert.equal(body.error, "config_error");
    assert.match(body.error_description, /SESSION_STORE/);
  }
  // The rest of the Worker works on.
  assert.equal((await request(mf, "/auth/session")).status, 401);
});

// --- settings -----------------------------------------------------------------------------

test("without OIDC_CLIENTS the provider routes are 404; a bad key is config_error on them only", async () => {
  const off = startWorker({ bindings: defaultBindings() });
  const bad = startWorker({ bindings: bindings({ OIDC_SIGNING_KEY: '{"kty":"RSA","n":"AQAB","e":"AQAB"}' }) });
  try {
    assert.equal((await request(off, "/oidc/jwks.json")).status, 404);
    assert.equal((await request(off, "/.well-known/openid-configuration")).status, 404);
    const res = await request(bad, "/oidc/jwks.json");
    assert.equal(res.status, 500);
    const body = await res.json();
    assert.equal(body.error, "config_error");
    assert.match(body.error_description, /OIDC_SIGNING_KEY/);
    assert.equal((await request(bad, "/auth/session")).status, 401, "other routes unaffected");
  } finally {
    await off.dispose();
    await bad.dispose();
  }
});

// --- the independent relying party ----------------------------------------------------------

test("conformance: oauth4webapi discovers the Worker, runs code + PKCE, validates the id_token, its signature and userinfo", { skip: SKIP }, async () => {
  // oauth4webapi talks to the Worker through Miniflare (no port); its own fetch checks apply.
  const fetchVia = async (url, init) => {
    const r = await mf.dispatchFetch(url, { method: init.method, headers: Object.fromEntries(new Headers(init.headers)), body: init.body, redirect: "manual" });
    return new Response(r.status === 204 ? null : await r.arrayBuffer(), { status: r.status, headers: new Headers([...r.headers]) });
  };
  const opts = { [oauth.allowInsecureRequests]: true, [oauth.customFetch]: fetchVia };
  const issuer = new URL(ORIGIN);
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, opts));
  assert.equal(as.issuer, ORIGIN);
  const client = { client_id: "access", id_token_signed_response_alg: "RS256" };
  const verifier = oauth.generateRandomCodeVerifier();
  const nonce = oauth.generateRandomNonce();
  const state = oauth.generateRandomState();
  const url = new URL(as.authorization_endpoint);
  url.searchParams.set("client_id", client.client_id);
  url.searchParams.set("redirect_uri", RP);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("scope", "openid email guilds roles");
  url.searchParams.set("code_challenge", await oauth.calculatePKCECodeChallenge(verifier));
  url.searchParams.set("code_challenge_method", "S256");
  url.searchParams.set("nonce", nonce);
  url.searchParams.set("state", state);

  const { rp, jar } = await browse(mf, url.pathname + url.search, { user_id: USER });
  assert.ok(jar[SESSION_COOKIE], "signed in through the Worker's own login");
  // RFC 9207 `iss` and `state` checked by the library.
  const params = oauth.validateAuthResponse(as, client, rp, state);
  const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.ClientSecretBasic(SECRET), params, RP, verifier, opts);
  const result = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: nonce, requireIdToken: true });
  // The RS256 signature against the published JWKS.
  await oauth.validateApplicationLevelSignature(as, response, opts);
  const claims = oauth.getValidatedIdTokenClaims(result);
  assert.equal(claims.iss, ORIGIN);
  assert.equal(claims.sub, USER);
  assert.equal(claims.aud, "access");
  assert.equal(claims.nonce, nonce);
  assert.ok(claims.exp - claims.iat <= 600, "an id_token lives 10 minutes at most");
  assert.ok(claims.auth_time <= claims.iat);
  assert.equal(typeof claims.preferred_username, "string");
  assert.equal(typeof claims.name, "string");
  assert.match(claims.picture, /^https:\/\//);
  assert.equal(typeof claims.email, "string");
  assert.equal(typeof claims.email_verified, "boolean");
  assert.ok(claims.guilds.includes(OWNED_GUILD) && claims.guilds.includes(ADMIN_GUILD));
  assert.deepEqual(claims[`roles:${OWNED_GUILD}`], ["1180000000000000001"]);
  assert.equal(claims[`roles:${FOREIGN_GUILD}`], undefined, "absent where the user is no member");
  assert.equal(result.token_type.toLowerCase(), "bearer");
  assert.ok(!result.access_token.includes("emulator"), "our own opaque token, never Discord's");

  const info = await oauth.processUserInfoResponse(as, client, claims.sub, await oauth.userInfoRequest(as, client, result.access_token, opts));
  assert.equal(info.sub, USER);
  assert.equal(info.email, claims.email);
  assert.deepEqual(info[`roles:${OWNED_GUILD}`], ["1180000000000000001"]);
  const raw = await (await userinfo(mf, result.access_token)).text();
  assert.ok(raw.startsWith('{"sub":'), "sub first");

  // The kid is the RFC 7638 thumbprint of the published key, computed here.
  const jwks = await (await request(mf, "/oidc/jwks.json")).json();
  const [key] = jwks.keys;
  const thumb = b64url(createHash("sha256").update(`{"e":"${key.e}","kty":"RSA","n":"${key.n}"}`).digest());
  assert.equal(key.kid, thumb);
  assert.equal(key.d, undefined);
  const header = JSON.parse(Buffer.from(result.id_token.split(".")[0], "base64url"));
  assert.deepEqual([header.alg, header.kid], ["RS256", thumb]);
  // And once more with WebCrypto directly.
  const pub = await webcrypto.subtle.importKey("jwk", { kty: "RSA", n: key.n, e: key.e }, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["verify"]);
  const [h, p, s] = result.id_token.split(".");
  assert.ok(await webcrypto.subtle.verify("RSASSA-PKCS1-v1_5", pub, Buffer.from(s, "base64url"), Buffer.from(`${h}.${p}`)));
});

test("client_secret_post, a client without guilds, and a reused session (no second Discord login)", { skip: SKIP }, async () => {
  const first = await code(mf, { client_id: "grafana", redirect_uri: OTHER, scope: "openid guilds roles" }, { user_id: PLAIN_USER });
  const logins = (await emu("counters")).requests?.["POST /api/v10/oauth2/token"] ?? 0;
  const again = await code(mf, { client_id: "grafana", redirect_uri: OTHER, scope: "openid" }, { jar: first.jar });
  assert.equal((await emu("counters")).requests?.["POST /api/v10/oauth2/token"] ?? 0, logins, "the session was reused");
  const res = await tokenRequest(mf, { grant_type: "authorization_code", code: again.code, redirect_uri: OTHER, code_verifier: again.verifier }, { id: "grafana", secret: "grafana-client-secret-0123", post: true });
  assert.equal(res.status, 200, await res.clone().text());
  const body = await res.json();
  const claims = JSON.parse(Buffer.from(body.id_token.split(".")[1], "base64url"));
  assert.equal(claims.sub, PLAIN_USER);
  assert.equal(claims.guilds, undefined, "this client may not have guilds");
  assert.equal(Object.keys(claims).some((k) => k.startsWith("roles:")), false);
  assert.equal(body.scope, "openid");
});

// --- bad input ------------------------------------------------------------------------------

test("authorize: unknown client, unregistered or another client's redirect_uri: 400 JSON, never a redirect", { skip: SKIP }, async () => {
  for (const over of [
    { client_id: "nobody" },
    { redirect_uri: "https://evil.example/callback" },
    { redirect_uri: RP + "/" },
    { redirect_uri: OTHER },
    { redirect_uri: undefined },
  ]) {
    const res = await request(mf, `/oidc/authorize?${authorizeQuery(over)}`);
    await oauthError(res, 400, "invalid_request");
  }
});

test("authorize: missing openid, plain PKCE, a challenge without method: error back to the client with state and iss", { skip: SKIP }, async () => {
  const { challenge } = pkce();
  for (const [over, error] of [
    [{ scope: "email" }, "invalid_scope"],
    [{ code_challenge: challenge, code_challenge_method: "plain" }, "invalid_request"],
    [{ code_challenge: challenge }, "invalid_request"],
    [{ response_type: "token" }, "unsupported_response_type"],
  ]) {
    const q = authorizeQuery(over);
    const res = await request(mf, `/oidc/authorize?${q}`);
    assert.equal(res.status, 302);
    const to = new URL(res.headers.get("location"));
    assert.equal(to.origin + to.pathname, RP);
    assert.equal(to.searchParams.get("error"), error, JSON.stringify(over));
    assert.equal(to.searchParams.get("state"), new URLSearchParams(q).get("state"));
    assert.equal(to.searchParams.get("iss"), ORIGIN);
    assert.equal(to.searchParams.get("code"), null);
  }
  // prompt=none without a session: login_required, no login page.
  const res = await request(mf, `/oidc/authorize?${authorizeQuery({ prompt: "none" })}`);
  assert.equal(new URL(res.headers.get("location")).searchParams.get("error"), "login_required");
});

test("token: a bad secret or an unknown client is 401 invalid_client and does not use up the code", { skip: SKIP }, async () => {
  const c = await code(mf);
  let res = await exchange(mf, c, {}, { secret: "wrong-secret-0123456789" });
  await oauthError(res, 401, "invalid_client");
  assert.match(res.headers.get("www-authenticate"), /^Basic/);
  res = await exchange(mf, c, {}, { id: "nobody" });
  await oauthError(res, 401, "invalid_client");
  res = await exchange(mf, c, {}, { secret: "wrong-secret-0123456789", post: true });
  await oauthError(res, 401, "invalid_client");
  res = await exchange(mf, c);
  assert.equal(res.status, 200, "the code still works");
});

test("token: a reused code is invalid_grant and the access token issued from it is revoked", { skip: SKIP }, async () => {
  const c = await code(mf);
  const first = await exchange(mf, c);
  assert.equal(first.status, 200);
  const { access_token } = await first.json();
  assert.equal((await userinfo(mf, access_token)).status, 200);
  await oauthError(await exchange(mf, c), 400, "invalid_grant");
  const res = await userinfo(mf, access_token);
  await oauthError(res, 401, "invalid_token");
  assert.equal(res.headers.get("www-authenticate"), 'Bearer error="invalid_token"');
});

test("token: a wrong verifier, a missing one, another redirect_uri, another client, an unknown code: invalid_grant", { skip: SKIP }, async () => {
  await oauthError(await exchange(mf, await code(mf), { code_verifier: pkce().verifier }), 400, "invalid_grant");
  await oauthError(await exchange(mf, await code(mf), { code_verifier: undefined }), 400, "invalid_grant");
  await oauthError(await exchange(mf, await code(mf), { redirect_uri: OTHER }), 400, "invalid_grant");
  const c = await code(mf);
  await oauthError(await tokenRequest(mf, { grant_type: "authorization_code", code: c.code, redirect_uri: RP, code_verifier: c.verifier }, { id: "grafana", secret: "grafana-client-secret-0123" }), 400, "invalid_grant");
  await oauthError(await exchange(mf, { code: "A".repeat(22) + "." + "B".repeat(43), verifier: c.verifier }), 400, "invalid_grant");
  await oauthError(await exchange(mf, { code: "garbage", verifier: c.verifier }), 400, "invalid_grant");
  await oauthError(await exchange(mf, c, { grant_type: "refresh_token" }), 400, "unsupported_grant_type");
  await oauthError(await post(mf, "{}", { "content-type": "application/json" }), 400, "invalid_request");
});

test("token: the same answers whether the body's length is declared or the body is chunked", { skip: SKIP }, async () => {
  // The deployable Worker answers a declared length on the runtime's own request and
  // response (src/worker/oidc/token.rs) and a chunked body through DiscordAuth::handle: one
  // route function, two ways in. Each case through both, compared whole but for the tokens.
  const headersOf = (res) => Object.fromEntries(["content-type", "cache-control", "pragma", "www-authenticate", "location"].map((h) => [h, res.headers.get(h)]));
  const cases = {
    "bad secret": (c, o) => exchange(mf, c, {}, { secret: "wrong-secret-0123456789", ...o }),
    "unknown client, secret in the body": (c, o) => exchange(mf, c, {}, { id: "nobody", post: true, ...o }),
    "unsupported grant_type": (c, o) => exchange(mf, c, { grant_type: "refresh_token" }, o),
    "wrong verifier": (c, o) => exchange(mf, c, { code_verifier: pkce().verifier }, o),
    "JSON body": (c, o) => post(mf, "{}", { "content-type": "application/json" }, o),
    "too large": (c, o) => post(mf, "a=" + "b".repeat(17 * 1024), { "content-type": "application/x-www-form-urlencoded" }, o),
    "exchanged": (c, o) => exchange(mf, c, {}, o),
  };
  const jar = {}; // one Discord login: each code after the first reuses its session
  for (const [name, send] of Object.entries(cases)) {
    const seen = [];
    for (const chunked of [false, true]) {
      const res = await send(await code(mf, {}, { jar }), { chunked });
      const body = await res.json();
      const shape = Object.fromEntries(Object.entries(body).map(([k, v]) => [k, ["access_token", "id_token"].includes(k) ? typeof v : v]));
      seen.push({ status: res.status, headers: headersOf(res), body: shape });
    }
    assert.deepEqual(seen[0], seen[1], name);
  }
});

test("token: an expired code is invalid_grant", { skip: SKIP }, async () => {
  const c = await code(short);
  await new Promise((r) => setTimeout(r, 1500));
  await oauthError(await exchange(short, c), 400, "invalid_grant");
});

test("a code is used once across two isolates: exactly one of two concurrent exchanges succeeds", { skip: SKIP }, async () => {
  const c = await code(a);
  const answers = await Promise.all([exchange(a, c), exchange(b, c)]);
  const statuses = answers.map((r) => r.status).sort();
  assert.deepEqual(statuses, [200, 400]);
  for (const r of answers) await r.arrayBuffer();
});

test("userinfo: no token, a malformed one, and a token whose session logged out: 401 invalid_token", { skip: SKIP }, async () => {
  for (const t of [undefined, "nope", "A".repeat(22) + "." + "B".repeat(43)]) {
    const res = await userinfo(mf, t);
    await oauthError(res, 401, "invalid_token");
    assert.equal(res.headers.get("www-authenticate"), 'Bearer error="invalid_token"');
  }
  const c = await code(mf);
  const { access_token } = await (await exchange(mf, c)).json();
  assert.equal((await userinfo(mf, access_token)).status, 200);
  const out = await request(mf, "/auth/logout", { method: "POST", cookies: { [SESSION_COOKIE]: c.jar[SESSION_COOKIE] } });
  assert.equal(out.status, 204);
  await oauthError(await userinfo(mf, access_token), 401, "invalid_token");
});

test("through DiscordAuth::handle: a host Worker (examples/host-worker) is the same provider", { skip: SKIP }, async () => {
  const host = startWorker({ bindings: bindings(), scriptPath: "examples/host-worker/build/index.js" });
  try {
    const d = await (await request(host, "/.well-known/openid-configuration")).json();
    assert.equal(d.issuer, ORIGIN);
    assert.equal(d.token_endpoint, `${ORIGIN}/oidc/token`);
    const c = await code(host);
    const res = await exchange(host, c);
    assert.equal(res.status, 200, await res.clone().text());
    const { access_token, id_token } = await res.json();
    assert.equal(JSON.parse(Buffer.from(id_token.split(".")[1], "base64url")).sub, USER);
    assert.equal((await userinfo(host, access_token)).status, 200);
    await oauthError(await exchange(host, c), 400, "invalid_grant");
  } finally {
    await host.dispose();
  }
});
