// docs/contract.md §11's Worker fixes, in workerd against the emulator: HEAD /auth/callback changes
// nothing, and a 429's log line names Discord's X-RateLimit-Scope and whether it counts toward
// the invalid-request ban.
import { test, beforeEach, after } from "node:test";
import assert from "node:assert/strict";
import {
  startWorker, resetEmulator, counters, fault, request, startLogin, approve, login, setCookies,
  kvEntries, SESSION_COOKIE, STATE_COOKIE,
  sessionEntries,
} from "../support/worker.mjs";

const mf = startWorker();
beforeEach(resetEmulator);
after(() => mf.dispose());

const TOKEN_ROUTE = "POST /api/v10/oauth2/token";

test("HEAD /auth/callback exchanges nothing, sets no cookie, stores nothing; the GET still logs in", async () => {
  const { location, state } = await startLogin(mf);
  const callback = await approve(location);
  const before = await counters();

  // A link scanner's HEAD, even with the browser's state cookie.
  const head = await request(mf, callback, { method: "HEAD", cookies: { [STATE_COOKIE]: state } });
  assert.equal(head.status, 204);
  assert.equal(head.headers.get("cache-control"), "no-store");
  assert.deepEqual(head.headers.getSetCookie(), []);
  assert.equal(head.headers.get("location"), null);
  assert.equal((await head.arrayBuffer()).byteLength, 0);
  // Without the cookie too (a scanner has none).
  const bare = await request(mf, callback, { method: "HEAD" });
  assert.equal(bare.status, 204);
  assert.deepEqual(bare.headers.getSetCookie(), []);

  // No request reached Discord (the emulator's counters), nothing is in KV.
  const mid = await counters();
  assert.deepEqual(mid.requests, before.requests);
  assert.equal(mid.requests[TOKEN_ROUTE] ?? 0, before.requests[TOKEN_ROUTE] ?? 0);
  assert.deepEqual(await sessionEntries(mf), []);

  // The code was not spent: the browser's GET completes the login.
  const get = await request(mf, callback, { cookies: { [STATE_COOKIE]: state } });
  assert.equal(get.status, 302);
  assert.ok(setCookies(get)[SESSION_COOKIE]?.value);
  const after = await counters();
  assert.equal(after.requests[TOKEN_ROUTE], (before.requests[TOKEN_ROUTE] ?? 0) + 1);
  assert.equal((await sessionEntries(mf)).length, 1);
});

test("HEAD on the other GET routes still answers as GET does (only the callback is special)", async () => {
  const res = await request(mf, "/auth/session", { method: "HEAD" });
  assert.equal(res.status, 401);
});

test("a 429's log line names its X-RateLimit-Scope; shared ones do not count toward the ban", async () => {
  const logLines = [];
  const logged = startWorker({ logLines });
  try {
    const { cookies } = await login(logged);
    // One route per scope: the Worker's own limiter remembers each 429'd bucket.
    const cases = [
      { route: "GET /api/v10/users/@me", path: "/api/users/@me", scope: "shared" },
      { route: "GET /api/v10/users/@me/connections", path: "/api/users/@me/connections", scope: "user" },
      { route: "GET /api/v10/users/@me/guilds", path: "/api/users/@me/guilds", scope: "global", global: true },
    ];
    for (const c of cases) {
      await fault({ route: c.route, kind: "status", status: 429, retry_after: 0.2, scope: c.scope, global: !!c.global });
      const res = await request(logged, c.path, { cookies });
      assert.equal(res.status, 429, c.path);
    }
    await new Promise((r) => setTimeout(r, 200));
    const lines = logLines.map((l) => JSON.parse(l));
    for (const c of cases) {
      const line = lines.find((l) => l.route === c.path);
      assert.ok(line, `a log line for ${c.path}: ${logLines.join("\n")}`);
      assert.equal(line.discord_status, 429);
      assert.equal(line.discord_scope, c.scope);
      if (c.scope === "shared") assert.equal(line.discord_invalid_requests, undefined);
      else assert.equal(line.discord_invalid_requests, 1);
    }
    // Successful calls name no scope and count nothing.
    const ok = lines.find((l) => l.route === "/auth/callback");
    assert.equal(ok.discord_scope, undefined);
    assert.equal(ok.discord_invalid_requests, undefined);
  } finally {
    await logged.dispose();
  }
});
