// Configuration errors (every route answers 500 config_error naming the setting), settings
// that change behaviour (session TTL), and the callback's failure mapping.
import { test, before, beforeEach, after } from "node:test";
import assert from "node:assert/strict";
import {
  startWorker, defaultBindings, resetEmulator, counters, fault, request, startLogin, approve, login,
  sessionEntries, errorBody, setCookies, SESSION_COOKIE, STATE_COOKIE,
  workerNamed,
} from "../support/worker.mjs";

const CASES = {
  no_client_id: [{ DISCORD_CLIENT_ID: undefined }, "DISCORD_CLIENT_ID"],
  bad_client_id: [{ DISCORD_CLIENT_ID: "my-app" }, "DISCORD_CLIENT_ID"],
  no_secret: [{ DISCORD_CLIENT_SECRET: undefined }, "DISCORD_CLIENT_SECRET"],
  no_session_secret: [{ SESSION_SECRET: undefined }, "SESSION_SECRET"],
  short_session_secret: [{ SESSION_SECRET: "0123456789abcdef0123456789abcde" }, "SESSION_SECRET"],
  bad_ttl: [{ SESSION_TTL_SECONDS: "30" }, "SESSION_TTL_SECONDS"],
  bad_api_base: [{ DISCORD_API_BASE: "discord.com" }, "DISCORD_API_BASE"],
  bad_scopes: [{ DISCORD_SCOPES: "identify nonsense" }, "DISCORD_SCOPES"],
  bad_allowlist: [{ JOIN_GUILD_ALLOWLIST: "123,abc" }, "JOIN_GUILD_ALLOWLIST"],
  bad_timeout: [{ UPSTREAM_TIMEOUT_MS: "5" }, "UPSTREAM_TIMEOUT_MS"],
};

const mf = startWorker({
  workers: [
    ...Object.entries(CASES).map(([name, [overrides]]) => ({ name, bindings: defaultBindings(overrides) })),
    { name: "no_kv", bindings: defaultBindings(), kvNamespaces: [], durableObjects: {} }, // neither store
    { name: "short_ttl", bindings: defaultBindings({ SESSION_TTL_SECONDS: "60", DISCORD_SCOPES: "identify,email" }) },
    { name: "fast_timeout", bindings: defaultBindings({ UPSTREAM_TIMEOUT_MS: "300" }) },
    { name: "guild_cache", bindings: defaultBindings({ GUILDS_CACHE_SECONDS: "30" }) },
  ],
});
beforeEach(resetEmulator);
after(() => mf.dispose());

const on = async (name) => workerNamed(mf, name);

for (const [name, [, setting]] of [...Object.entries(CASES), ["no_kv", [null, "SESSIONS"]]]) {
  test(`config ${name}: every route answers 500 config_error naming ${setting}`, async () => {
    const w = await on(name);
    for (const [method, path] of [["GET", "/auth/login"], ["GET", "/auth/session"], ["GET", "/auth/callback?code=x&state=y"], ["POST", "/auth/logout"], ["GET", "/api/users/@me"], ["POST", "/api/guilds/1/join"]]) {
      const res = await request(w, path, { method });
      assert.equal(res.status, 500, `${method} ${path}`);
      const body = await errorBody(res);
      assert.equal(body.error, "config_error");
      assert.ok(body.message.includes(setting), body.message);
      assert.ok(!body.message.includes("emulator-client-secret"));
      assert.ok(!body.message.includes("test-session-secret"));
    }
  });
}

test("SESSION_TTL_SECONDS and DISCORD_SCOPES shape the session", async () => {
  const w = await on("short_ttl");
  const { location } = await startLogin(w);
  assert.deepEqual(location.searchParams.get("scope").split(" ").sort(), ["email", "identify"]);
  const { session, res } = await login(w);
  assert.ok(setCookies(res)[SESSION_COOKIE].attrs.includes("Max-Age=60"));
  const s = await request(w, "/auth/session", { cookies: { [SESSION_COOKIE]: session } });
  const body = await s.json();
  assert.deepEqual(body.scopes.sort(), ["email", "identify"]);
  const ttl = Date.parse(body.expires_at) - Date.now();
  assert.ok(ttl > 50e3 && ttl <= 61e3, `${ttl}`);
});

test("Discord slower than UPSTREAM_TIMEOUT_MS: 504 with a JSON body, session intact", async () => {
  const w = await on("fast_timeout");
  const { session } = await login(w);
  await fault({ route: "GET /api/v10/users/@me", kind: "delay", delay_ms: 1500 });
  const res = await request(w, "/api/users/@me", { cookies: { [SESSION_COOKIE]: session } });
  assert.equal(res.status, 504);
  assert.equal((await errorBody(res)).error, "discord_unavailable");
  const s = await request(w, "/auth/session", { cookies: { [SESSION_COOKIE]: session } });
  assert.equal(s.status, 200);
});

test("GUILDS_CACHE_SECONDS: a session's guild list is served from the isolate's cache", async () => {
  const w = await on("guild_cache");
  const { session } = await login(w, { query: "?scope=identify%20guilds" });
  const c0 = await counters();
  for (let i = 0; i < 3; i++) {
    const res = await request(w, "/api/users/@me/guilds", { cookies: { [SESSION_COOKIE]: session } });
    assert.equal(res.status, 200);
    assert.ok(Array.isArray(await res.json()));
  }
  const c1 = await counters();
  const route = "GET /api/v10/users/@me/guilds";
  assert.equal((c1.requests[route] ?? 0) - (c0.requests[route] ?? 0), 1);
  // Another session does not see it.
  const other = await login(w, { query: "?scope=identify%20guilds" });
  await request(w, "/api/users/@me/guilds", { cookies: { [SESSION_COOKIE]: other.session } });
  assert.equal(((await counters()).requests[route] ?? 0) - (c0.requests[route] ?? 0), 2);
});

// --- the callback's failures ---------------------------------------------------------------

const ok = startWorker();
after(() => ok.dispose());

async function callbackWith(f) {
  const { location, state } = await startLogin(ok);
  const cb = await approve(location);
  const n = (await sessionEntries(ok)).length;
  if (f) await fault(f);
  const answer = await request(ok, cb, { cookies: { [STATE_COOKIE]: state } });
  // Read the answer before the store is listed: under load Miniflare may cancel a response
  // body left unread while other requests run ("Body is unusable").
  const res = new Response(await answer.arrayBuffer(), { status: answer.status, headers: answer.headers });
  assert.equal((await sessionEntries(ok)).length, n, "nothing stored");
  assert.equal(setCookies(res)[SESSION_COOKIE], undefined);
  return res;
}

test("callback: Discord refuses the code → 400 invalid_grant", async () => {
  const res = await callbackWith({
    route: "POST /api/v10/oauth2/token", kind: "status", status: 400,
    body: { error: "invalid_grant", error_description: "Invalid \"code\" in request." },
  });
  assert.equal(res.status, 400);
  assert.equal((await errorBody(res)).error, "invalid_grant");
});

test("callback: Discord 429 on the token endpoint → 503 with Retry-After", async () => {
  const res = await callbackWith({ route: "POST /api/v10/oauth2/token", kind: "status", status: 429, retry_after: 0.4 });
  assert.equal(res.status, 503);
  assert.equal(res.headers.get("retry-after"), "1");
  const body = await errorBody(res);
  assert.equal(body.error, "rate_limited");
  assert.equal(body.retry_after, 0.4);
  await new Promise((r) => setTimeout(r, 1100)); // let the isolate's bucket reopen
});

test("callback: Discord 5xx, dropped connection or malformed answer → 502 discord_unavailable", async () => {
  for (const f of [
    { route: "POST /api/v10/oauth2/token", kind: "status", status: 500 },
    { route: "POST /api/v10/oauth2/token", kind: "drop" },
    { route: "POST /api/v10/oauth2/token", kind: "malformed" },
    { route: "GET /api/v10/users/@me", kind: "status", status: 502 },
  ]) {
    const res = await callbackWith(f);
    assert.equal(res.status, 502, JSON.stringify(f));
    assert.equal((await errorBody(res)).error, "discord_unavailable");
  }
});

test("callback: a wrong client secret is the integrator's config_error, never echoed", async () => {
  const bad = startWorker({ bindings: defaultBindings({ DISCORD_CLIENT_SECRET: "wrong-secret-value" }) });
  try {
    const { location, state } = await startLogin(bad);
    const cb = await approve(location);
    const res = await request(bad, cb, { cookies: { [STATE_COOKIE]: state } });
    assert.equal(res.status, 500);
    const body = await errorBody(res);
    assert.equal(body.error, "config_error");
    assert.ok(!JSON.stringify(body).includes("wrong-secret-value"));
  } finally {
    await bad.dispose();
  }
});
