// The library's hooks (docs/contract.md §12, "Library equivalents"; docs/worker.md): a host
// Worker's own session store (DiscordAuth::with_store), on_login and on_request, through
// examples/host-worker (src/hooks.rs; built by scripts/build-host-example.sh), in workerd
// against the emulator. With STORE_PREFIX set, the example keeps sessions in KV under that
// prefix (its store `Prefixed`, a wrapper over KvStore), even in Durable Object mode.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  startWorker, defaultBindings, login, startLogin, approve, request, resetEmulator, expireTokens,
  errorBody, setCookies, sessionEntries, STORE, USER, OWNED_GUILD, ORIGIN, SESSION_COOKIE, STATE_COOKIE,
} from "../support/worker.mjs";

const HOST = "examples/host-worker/build/index.js";
const PREFIX = "app1:";
// The example's hooks and the library's default store (KV, or Durable Objects in `worker-do`).
const plain = startWorker({ scriptPath: HOST });
// The example's own store.
const custom = startWorker({ scriptPath: HOST, bindings: defaultBindings({ STORE_PREFIX: PREFIX }) });
after(() => Promise.all([plain.dispose(), custom.dispose()]));
before(() => resetEmulator());

const get = async (mf, path, cookies = {}) => {
  const res = await request(mf, path, { cookies });
  const text = await res.text();
  assert.equal(res.status, 200, `${path}: ${text}`);
  return JSON.parse(text);
};
const kvKeys = async (mf) => (await (await mf.getKVNamespace("SESSIONS")).list()).keys.map((k) => k.name);
const kvGet = async (mf, key) => (await mf.getKVNamespace("SESSIONS")).get(key);
const ops = (mf) => get(mf, "/hooks/ops");

test("with_store: the host's store holds the sessions, under its own keys, in both modes", async () => {
  const { cookies } = await login(custom);
  const keys = await kvKeys(custom);
  const sessions = keys.filter((k) => k.startsWith(`${PREFIX}session:`));
  assert.equal(sessions.length, 1, JSON.stringify(keys));
  assert.deepEqual(keys.filter((k) => k.startsWith("session:")), [], "nothing under the library's own keys");
  // The value is sealed: no token, the user in the clear.
  const value = JSON.parse(await kvGet(custom, sessions[0]));
  assert.equal(value.user.id, USER);
  assert.equal(typeof value.tokens, "string");
  assert.doesNotMatch(JSON.stringify(value), /access_token|refresh_token/);
  if (STORE === "do") {
    // A bound SESSION_STORE is not used once the host gave its own store.
    const ns = await custom.getDurableObjectNamespace("SESSION_STORE");
    const listed = await (await ns.get(ns.idFromName(`user:${USER}`)).fetch("https://session-store/index")).json();
    assert.deepEqual(listed, []);
  }
  const session = await get(custom, "/auth/session", cookies);
  assert.equal(session.user.id, USER);
  const seen = await ops(custom);
  for (const op of ["create", "index_add", "load"]) assert.ok(seen.includes(op), `${op} in ${seen}`);
  assert.ok(!seen.includes("update_user"), "a fresh user is not written again");
});

test("with_store: a refresh writes the rotated tokens through replace_tokens; logout deletes through the store", async () => {
  const earlier = new Set(await kvKeys(custom));
  const { cookies } = await login(custom);
  const key = (await kvKeys(custom)).find((k) => k.startsWith(`${PREFIX}session:`) && !earlier.has(k));
  assert.ok(key, "the new session is under the prefix");
  const before = await kvGet(custom, key);
  await expireTokens();
  const me = await get(custom, "/api/users/@me", cookies);
  assert.equal(me.id, USER);
  assert.ok((await ops(custom)).includes("replace_tokens"));
  // Read from outside the Worker, KV may show the write a moment later.
  let after = await kvGet(custom, key);
  for (let i = 0; i < 40 && after === before; i++) {
    await new Promise((r) => setTimeout(r, 100));
    after = await kvGet(custom, key);
  }
  assert.notEqual(JSON.parse(after).tokens, JSON.parse(before).tokens, "the sealed tokens were replaced");
  const out = await request(custom, "/auth/logout", { method: "POST", cookies, headers: { origin: ORIGIN } });
  assert.equal(out.status, 204);
  assert.equal(await kvGet(custom, key), null);
  assert.ok((await ops(custom)).includes("delete"));
  assert.equal((await request(custom, "/auth/session", { cookies })).status, 401);
});

test("with_store: end_user_sessions finds the user's sessions through the store's index", async () => {
  const a = (await login(custom)).cookies, b = (await login(custom)).cookies;
  const res = await get(custom, `/hooks/end-user?user=${USER}`);
  assert.ok(res.ended >= 2, JSON.stringify(res));
  for (const cookies of [a, b]) assert.equal((await request(custom, "/auth/session", { cookies })).status, 401);
  assert.deepEqual((await kvKeys(custom)).filter((k) => k.startsWith(`${PREFIX}session:`)), []);
});

/** A login whose callback is answered (not thrown on): the callback's response. */
async function callback(mf, query) {
  const { location, state } = await startLogin(mf, query);
  const back = await approve(location);
  return request(mf, back, { cookies: { [STATE_COOKIE]: state } });
}

const stored = async (mf) =>
  mf === custom ? (await kvKeys(mf)).filter((k) => k.startsWith(`${PREFIX}session:`)).length : (await sessionEntries(mf)).length;

for (const [name, mf] of [["default store", plain], ["host's store", custom]]) {
  test(`on_login: an Err aborts the login with 500 login_aborted, no session stored, no cookie (${name})`, async () => {
    const before = await stored(mf);
    const res = await callback(mf, `?${new URLSearchParams({ data: JSON.stringify({ refuse: true }) })}`);
    assert.equal(res.status, 500);
    const body = await errorBody(res);
    assert.equal(body.error, "login_aborted");
    assert.equal(setCookies(res)[SESSION_COOKIE], undefined);
    assert.equal(res.headers.get("location"), null);
    assert.equal(await stored(mf), before, "nothing stored");
    // The hook saw the login it refused.
    const logins = await get(mf, "/hooks/logins");
    assert.deepEqual(logins.at(-1).data, { refuse: true });
  });
}

test("on_login: the hook gets the user, scopes, guild, the webhook with its token, and the data", async () => {
  const query = `?${new URLSearchParams({ scope: "webhook.incoming", guild_id: OWNED_GUILD, data: JSON.stringify({ plan: "pro" }) })}`;
  const res = await callback(plain, query);
  assert.equal(res.status, 302, await res.text());
  const event = (await get(plain, "/hooks/logins")).at(-1);
  assert.equal(event.user_id, USER);
  assert.ok(event.scopes.includes("identify") && event.scopes.includes("webhook.incoming"), event.scopes);
  assert.ok(event.webhook_id, JSON.stringify(event));
  assert.equal(event.webhook_has_token, true);
  assert.equal(event.debug_shows_token, false, "Debug of a LoginEvent hides the webhook token");
  assert.deepEqual(event.data, { plan: "pro" });
});

test("on_request: every call to Discord is traced (method, route, status, bucket, duration), never a token", async () => {
  const { cookies } = await login(plain);
  await get(plain, "/api/users/@me", cookies);
  await get(plain, "/raw/me", cookies);
  const traces = await get(plain, "/hooks/traces");
  const routes = traces.map((t) => `${t.route} ${t.status}`);
  assert.ok(routes.includes("POST /oauth2/token 200"), routes.join("\n"));
  assert.ok(routes.filter((r) => r === "GET /users/@me 200").length >= 2, routes.join("\n"));
  for (const t of traces) {
    assert.deepEqual(Object.keys(t).sort(), ["bucket", "debug", "duration_ms", "method", "route", "status"]);
    assert.match(t.route, /^(GET|POST|PUT|PATCH|DELETE) \/[\w@/{}.-]*$/, "a route key: no query, no session key");
    assert.ok(Number.isInteger(t.duration_ms) && t.duration_ms >= 0);
    for (const s of ["emulator-client-secret", "emulator-bot-token", "Bearer", "session:", "test-session-secret"]) {
      assert.ok(!t.debug.includes(s), `${s} in ${t.debug}`);
    }
  }
  assert.ok(traces.some((t) => typeof t.bucket === "string"), "the emulator's X-RateLimit-Bucket is traced");
  // The Worker checks its own secrets (the session's tokens, the login webhook's token).
  const leaks = await get(plain, "/hooks/leaks", cookies);
  assert.ok(leaks.secrets_checked >= 2, JSON.stringify(leaks));
  assert.equal(leaks.leaks, false);
});

test("on_request: a refresh run by this isolate is traced (the host's store has no refresh of its own)", async () => {
  const { cookies } = await login(custom);
  const tokenCalls = async () => (await get(custom, "/hooks/traces")).filter((t) => t.route === "POST /oauth2/token");
  const before = (await tokenCalls()).length;
  await expireTokens();
  await get(custom, "/api/users/@me", cookies);
  const calls = await tokenCalls();
  assert.equal(calls.length, before + 1, "one refresh, traced");
  assert.equal(calls.at(-1).status, 200);
  const leaks = await get(custom, "/hooks/leaks", cookies);
  assert.equal(leaks.leaks, false);
});
