// Sessions in Durable Objects (docs/contract.md §9), in workerd with real SQLite-backed
// objects, two isolates ("a" and "b") over one object namespace, against the emulator: what KV
// cannot promise, each shown here.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  startWorker, defaultBindings, resetEmulator, counters, fault, expireTokens, request, login, emu,
  errorBody, sessionKey, SESSION_COOKIE, USER, PLAIN_USER,
  workerNamed,
} from "../support/worker.mjs";

const OBJECTS = (owner) => ({
  SESSION_STORE: { className: "DiscordSessionStore", useSQLite: true, ...(owner ? {} : { scriptName: "a" }) },
});

let mf, a, b;
before(async () => {
  await resetEmulator();
  // No KV binding at all: the objects are the store.
  mf = startWorker({
    bindings: defaultBindings(),
    workers: [
      { name: "a", kvNamespaces: [], durableObjects: OBJECTS(true) },
      { name: "b", kvNamespaces: [], durableObjects: OBJECTS(false) },
    ],
  });
  a = workerNamed(mf, "a");
  b = workerNamed(mf, "b");
});
after(async () => {
  await mf?.dispose();
  await resetEmulator();
});

const get = (w, path, session) => request(w, path, { cookies: { [SESSION_COOKIE]: session } });

test("a session created on one isolate answers on the other at once", async () => {
  const { session } = await login(a);
  const res = await get(b, "/auth/session", session);
  assert.equal(res.status, 200);
  assert.equal((await res.json()).user.id, USER);
  assert.equal((await get(b, "/api/users/@me", session)).status, 200);
});

test("logout on isolate a: the same cookie on isolate b answers 401 at once", async () => {
  const { session } = await login(a);
  assert.equal((await get(b, "/auth/session", session)).status, 200);
  const out = await request(a, "/auth/logout", { method: "POST", cookies: { [SESSION_COOKIE]: session } });
  assert.equal(out.status, 204);
  const res = await get(b, "/auth/session", session);
  assert.equal(res.status, 401);
  assert.equal((await get(b, "/api/users/@me", session)).status, 401);
});

test("ten concurrent reads over two isolates after expiry: exactly one refresh, no refresh token sent twice", async () => {
  // The emulator's default bucket for /users/@me is Discord-sized (5 per window): widen it so
  // that only the refresh is under test.
  await emu("rate-limits", { route: "GET /api/v10/users/@me", limit: 100, window_ms: 1000 });
  const { session } = await login(a);
  await expireTokens();
  const before = await counters();
  const answers = await Promise.all(
    Array.from({ length: 10 }, (_, i) => get(i % 2 ? b : a, "/api/users/@me", session)),
  );
  for (const res of answers) assert.equal(res.status, 200, await res.clone().text());
  const after = await counters();
  assert.equal(after.refreshes - before.refreshes, 1, "exactly one refresh reached Discord");
  assert.equal(
    after.requests["POST /api/v10/oauth2/token"] - (before.requests["POST /api/v10/oauth2/token"] ?? 0), 1,
    "one request at the token endpoint: a rotated refresh token was never sent again",
  );
  // Both isolates go on with the rotated tokens without another refresh.
  assert.equal((await get(b, "/api/users/@me", session)).status, 200);
  assert.equal((await get(a, "/api/users/@me", session)).status, 200);
  assert.equal((await counters()).refreshes - before.refreshes, 1);
});

test("a refresh Discord refuses ends the session on every isolate", async () => {
  const { session } = await login(a);
  await expireTokens();
  await fault({
    route: "POST /api/v10/oauth2/token", kind: "status", status: 400,
    body: { error: "invalid_grant", error_description: "Invalid \"refresh_token\" in request." },
  });
  const res = await get(b, "/api/users/@me", session);
  assert.equal(res.status, 401);
  assert.equal((await errorBody(res)).error, "unauthorized");
  const cleared = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=;`));
  assert.ok(cleared, "the cookie is cleared");
  assert.equal((await get(a, "/auth/session", session)).status, 401);
  assert.equal((await get(b, "/auth/session", session)).status, 401);
});

test("a refresh Discord rate-limits keeps the session: 429 with Retry-After, then it works", async () => {
  const { session } = await login(a);
  await expireTokens();
  await fault({ route: "POST /api/v10/oauth2/token", kind: "status", status: 429, retry_after: 1 });
  const res = await get(a, "/api/users/@me", session);
  assert.equal(res.status, 429);
  const body = await errorBody(res);
  assert.equal(body.error, "rate_limited");
  assert.ok(body.retry_after > 0);
  assert.equal((await get(b, "/auth/session", session)).status, 200, "the session survives");
  // The token endpoint's bucket is closed for the announced second: wait it out.
  await new Promise((r) => setTimeout(r, 1100));
  assert.equal((await get(a, "/api/users/@me", session)).status, 200);
});

test("every session of a user ends with one call (the per-user index), another user's survives", async () => {
  const first = await login(a);
  const second = await login(b);
  const other = await login(a, { user_id: PLAIN_USER });
  // The host Worker's library call, through the deployable Worker's events route once it has
  // one; here the index is driven by its own route in the objects (see objects.rs).
  const ns = await mf.getDurableObjectNamespace("SESSION_STORE", "a");
  const index = ns.get(ns.idFromName(`user:${USER}`));
  const ended = await index.fetch("https://session-store/index", { method: "DELETE" });
  assert.equal(ended.status, 200);
  assert.ok(Number(await ended.text()) >= 2);
  for (const s of [first.session, second.session]) {
    assert.equal((await get(a, "/auth/session", s)).status, 401);
    assert.equal((await get(b, "/auth/session", s)).status, 401);
  }
  assert.equal((await get(b, "/auth/session", other.session)).status, 200);
});

test("the session's object holds it sealed, under a key that is not the cookie", async () => {
  const { session } = await login(a);
  const ns = await mf.getDurableObjectNamespace("SESSION_STORE", "a");
  const key = sessionKey(defaultBindings().SESSION_SECRET, session);
  assert.ok(!key.includes(session));
  const res = await ns.get(ns.idFromName(key)).fetch("https://session-store/session");
  assert.equal(res.status, 200);
  const value = await res.text();
  const stored = JSON.parse(value);
  assert.equal(stored.user.id, USER);
  assert.equal(typeof stored.tokens, "string", "the tokens are one sealed string");
  // No token of this grant appears in the clear: the emulator's tokens are long random strings;
  // the sealed field is base64url of AES-GCM output.
  assert.doesNotMatch(value, /"access_token"|"refresh_token"/);
  // Logged out: the object forgets it.
  await request(a, "/auth/logout", { method: "POST", cookies: { [SESSION_COOKIE]: session } });
  assert.equal((await ns.get(ns.idFromName(key)).fetch("https://session-store/session")).status, 404);
});
