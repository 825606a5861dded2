// The /api reads against the emulator: pass-through, refresh (single flight), revoked
// sessions, scripted 429 / 5xx / malformed answers, forged cookies, 404 and 405.
import { test, beforeEach, after } from "node:test";
import assert from "node:assert/strict";
import {
  startWorker, resetEmulator, counters, fault, emu, expireTokens, tokenLifetime, request, login,
  sessionEntries, errorBody, SESSION_COOKIE, USER, OWNED_GUILD,
  workerNamed,
} from "../support/worker.mjs";

const mf = startWorker();
beforeEach(resetEmulator);
after(() => mf.dispose());

const get = (path, session) =>
  request(mf, path, { cookies: session ? { [SESSION_COOKIE]: session } : {} });

async function sessionAlive(session) {
  const res = await get("/auth/session", session);
  await res.body?.cancel();
  return res.status === 200;
}

test("the five reads pass Discord's JSON through", async () => {
  const { session } = await login(mf, { query: "?scope=identify%20guilds%20connections%20guilds.members.read" });
  let res = await get("/api/users/@me", session);
  assert.equal(res.status, 200);
  // Discord's rate-limit headers are passed on (the Worker reads them by name, transport.rs).
  for (const h of ["x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "x-ratelimit-reset-after", "x-ratelimit-bucket"]) {
    assert.ok(res.headers.get(h), `${h} passed on`);
  }
  assert.equal((await res.json()).id, USER);
  res = await get("/api/users/@me/guilds", session);
  assert.equal(res.status, 200);
  const guilds = await res.json();
  assert.ok(Array.isArray(guilds) && guilds.some((g) => g.id === OWNED_GUILD));
  res = await get("/api/users/@me/connections", session);
  assert.equal(res.status, 200);
  assert.ok(Array.isArray(await res.json()));
  res = await get(`/api/users/@me/guilds/${OWNED_GUILD}/member`, session);
  assert.equal(res.status, 200);
  assert.ok((await res.json()).joined_at);
  res = await get("/api/oauth2/@me", session);
  assert.equal(res.status, 200);
  const info = await res.json();
  assert.equal(info.user.id, USER);
  assert.ok(!JSON.stringify(info).includes("access_token"));
});

test("reads without a session, or with a forged or truncated cookie: 401 unauthorized", async () => {
  const { session } = await login(mf);
  for (const cookie of [undefined, session.slice(0, 42), `${session}x`, "A".repeat(43), "../../etc", ""]) {
    for (const path of ["/api/users/@me", "/auth/session"]) {
      const res = await get(path, cookie);
      assert.equal(res.status, 401, `${path} with ${cookie}`);
      assert.equal((await errorBody(res)).error, "unauthorized");
    }
  }
  // The KV key itself as a cookie is no session either.
  const [{ name }] = (await sessionEntries(mf)).slice(-1);
  const res = await get("/api/users/@me", name);
  assert.equal(res.status, 401);
  assert.ok(await sessionAlive(session));
});

test("a scope the session lacks: Discord's 403 is passed on, session kept", async () => {
  const { session } = await login(mf); // identify only
  const res = await get("/api/users/@me/guilds", session);
  assert.equal(res.status, 403);
  assert.equal((await errorBody(res)).error, "forbidden");
  assert.ok(await sessionAlive(session));
});

test("Discord 404 stays 404 with a JSON body, and the session survives", async () => {
  const { session } = await login(mf, { query: "?scope=identify%20guilds.members.read" });
  const res = await get("/api/users/@me/guilds/1234567890123/member", session);
  assert.equal(res.status, 404);
  assert.equal((await errorBody(res)).error, "not_found");
  assert.ok(await sessionAlive(session));
});

test("scripted 429: 429 with Retry-After and the rate_limited body; session intact", async () => {
  const { session } = await login(mf);
  const kvBefore = await sessionEntries(mf);
  await fault({ route: "GET /api/v10/users/@me", kind: "status", status: 429, retry_after: 2.5, global: false });
  const res = await get("/api/users/@me", session);
  assert.equal(res.status, 429);
  assert.equal(res.headers.get("retry-after"), "3");
  const body = await errorBody(res);
  assert.equal(body.error, "rate_limited");
  assert.equal(body.retry_after, 2.5);
  assert.equal(body.global, false);
  assert.ok(await sessionAlive(session));
  assert.deepEqual(await sessionEntries(mf), kvBefore, "nothing in KV changed");
  // The isolate now knows the bucket is empty and answers 429 without calling Discord.
  const c1 = await counters();
  const again = await get("/api/users/@me", session);
  assert.equal(again.status, 429);
  assert.equal((await errorBody(again)).error, "rate_limited");
  const c2 = await counters();
  assert.equal(c2.requests["GET /api/v10/users/@me"], c1.requests["GET /api/v10/users/@me"]);
});

test("scripted global 429 is reported as global", async () => {
  const { session } = await login(mf, { query: "?scope=identify%20connections" });
  await fault({ route: "GET /api/v10/users/@me/connections", kind: "status", status: 429, retry_after: 0.5, global: true });
  const res = await get("/api/users/@me/connections", session);
  assert.equal(res.status, 429);
  const body = await errorBody(res);
  assert.equal(body.global, true);
  const wait = Number(res.headers.get("retry-after"));
  assert.ok(wait >= 1);
  // The global limit holds every call of this isolate until it passes.
  const other = await login(mf).catch((e) => e);
  assert.match(String(other), /503/);
  await new Promise((r) => setTimeout(r, wait * 1000 + 100));
});

for (const status of [500, 502, 503]) {
  test(`scripted ${status}: 502 discord_unavailable, session intact`, async () => {
    const { session } = await login(mf);
    const kvBefore = await sessionEntries(mf);
    await fault({ route: "GET /api/v10/oauth2/@me", kind: "status", status });
    const res = await get("/api/oauth2/@me", session);
    assert.equal(res.status, 502);
    assert.equal((await errorBody(res)).error, "discord_unavailable");
    assert.ok(await sessionAlive(session));
    assert.deepEqual(await sessionEntries(mf), kvBefore);
    const ok = await get("/api/oauth2/@me", session);
    assert.equal(ok.status, 200);
  });
}

test("a malformed, non-UTF-8 or dropped answer: 502 discord_unavailable, session intact", async () => {
  const { session } = await login(mf);
  await fault({ route: "GET /api/v10/oauth2/@me", kind: "malformed" });
  let res = await get("/api/oauth2/@me", session);
  assert.equal(res.status, 502);
  assert.equal((await errorBody(res)).error, "discord_unavailable");
  // JSON must be UTF-8 (RFC 8259 §8.1): other bytes are refused, never decoded lossily.
  await fault({ route: "GET /api/v10/users/@me", kind: "not_utf8" });
  res = await get("/api/users/@me", session);
  assert.equal(res.status, 502);
  assert.equal((await errorBody(res)).error, "discord_unavailable");
  await fault({ route: "GET /api/v10/oauth2/@me", kind: "drop" });
  res = await get("/api/oauth2/@me", session);
  assert.equal(res.status, 502);
  assert.equal((await errorBody(res)).error, "discord_unavailable");
  assert.ok(await sessionAlive(session));
});

test("an access token expired early (Discord 401): one refresh, one retry, 200", async () => {
  const { session } = await login(mf);
  const before = await counters();
  await expireTokens();
  const res = await get("/api/users/@me", session);
  assert.equal(res.status, 200);
  const after = await counters();
  assert.equal(after.refreshes - before.refreshes, 1);
  // The rotated tokens were stored: the next read needs no refresh.
  assert.equal((await get("/api/users/@me", session)).status, 200);
  assert.equal((await counters()).refreshes - before.refreshes, 1);
});

test("ten concurrent reads with an expiring token cause exactly one refresh", async () => {
  await emu("rate-limits", { route: "GET /api/v10/users/@me", limit: 100, window_ms: 1000 });
  await tokenLifetime(30); // under the 60 s margin: the Worker refreshes before calling
  const { session } = await login(mf);
  await tokenLifetime(604800);
  const before = await counters();
  const all = await Promise.all(Array.from({ length: 10 }, () => get("/api/users/@me", session)));
  for (const res of all) {
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal((await res.json()).id, USER);
  }
  const after = await counters();
  assert.equal(after.refreshes - before.refreshes, 1, "exactly one refresh reached Discord");
  assert.equal(after.requests["POST /api/v10/oauth2/token"] - before.requests["POST /api/v10/oauth2/token"], 1);
  assert.equal((after.grants.refresh_token ?? 0) - (before.grants.refresh_token ?? 0), 1);
  // The old refresh token was never sent again: no invalid_grant on the token endpoint.
  assert.ok(await sessionAlive(session));
  assert.equal((await get("/api/users/@me", session)).status, 200);
  assert.equal((await counters()).refreshes - before.refreshes, 1);
  await resetEmulator();
});

test("two isolates over one KV: a rotated refresh token is picked up after invalid_grant", async () => {
  const two = startWorker({
    workers: [{ name: "a", kvNamespaces: { SESSIONS: "shared" } }, { name: "b", kvNamespaces: { SESSIONS: "shared" } }],
  });
  try {
    const a = workerNamed(two, "a");
    const b = workerNamed(two, "b");
    const { session } = await login(a);
    await expireTokens();
    // Isolate a refreshes (rotating the refresh token) and writes KV.
    let res = await request(a, "/api/users/@me", { cookies: { [SESSION_COOKIE]: session } });
    assert.equal(res.status, 200);
    await expireTokens();
    // Isolate b reads the session from KV: its tokens are the rotated ones, so it refreshes fine.
    res = await request(b, "/api/users/@me", { cookies: { [SESSION_COOKIE]: session } });
    assert.equal(res.status, 200, await res.clone().text());
    res = await request(a, "/auth/session", { cookies: { [SESSION_COOKIE]: session } });
    assert.equal(res.status, 200);
  } finally {
    await two.dispose();
  }
});

test("a revoked grant: refresh refused, session deleted, cookie cleared, 401", async () => {
  const { session } = await login(mf);
  const kvBefore = (await sessionEntries(mf)).length;
  // Discord no longer honours the grant: the API answers 401 and the refresh invalid_grant.
  await scriptRevocation();
  const res = await get("/api/users/@me", session);
  assert.equal(res.status, 401);
  assert.equal((await errorBody(res)).error, "unauthorized");
  const cleared = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=;`));
  assert.ok(cleared && cleared.includes("Secure") && cleared.includes("Path=/"));
  assert.equal((await sessionEntries(mf)).length, kvBefore - 1);
  assert.equal((await get("/auth/session", session)).status, 401);
});

// The answers of a revoked grant, scripted: the next read is 401 and the next refresh is
// refused with invalid_grant.
async function scriptRevocation() {
  await fault({ route: "GET /api/v10/users/@me", kind: "status", status: 401, body: { message: "401: Unauthorized", code: 0 } });
  await fault({ route: "POST /api/v10/oauth2/token", kind: "status", status: 400, body: { error: "invalid_grant", error_description: "Invalid \"refresh_token\" in request." } });
}

test("unknown routes under /auth and /api are 404 JSON; wrong methods 405 JSON", async () => {
  for (const path of ["/api/nothing", "/auth/nope", "/api", "/auth", "/api/users/@me/other", "/api/guilds/1/join/x"]) {
    const res = await request(mf, path);
    assert.equal(res.status, 404, path);
    assert.equal((await errorBody(res)).error, "not_found");
  }
  for (const [method, path] of [["POST", "/auth/session"], ["GET", "/auth/logout"], ["DELETE", "/api/users/@me"], ["GET", "/api/guilds/1/join"], ["POST", "/auth/login"]]) {
    const res = await request(mf, path, { method });
    assert.equal(res.status, 405, `${method} ${path}`);
    assert.equal((await errorBody(res)).error, "method_not_allowed");
    assert.ok(res.headers.get("allow"));
  }
});

test("paths outside /auth and /api are not the Worker's routes (no assets here: 404)", async () => {
  const res = await request(mf, "/index.html");
  assert.equal(res.status, 404);
});
