// The login flow against the emulator: /auth/login, /auth/callback, /auth/session, and the
// attacks on it (return_to, state cookies, replayed callbacks), with KV read to prove what is
// and is not stored.
import { test, beforeEach, after } from "node:test";
import assert from "node:assert/strict";
import {
  startWorker, defaultBindings, resetEmulator, counters, request, startLogin, approve, login,
  setCookies, sessionEntries, kvEntries, errorBody, sealState, SESSION_COOKIE, STATE_COOKIE, CLIENT_ID, USER,
  STORE,
} from "../support/worker.mjs";

const SECRET = defaultBindings().SESSION_SECRET;
const mf = startWorker();
beforeEach(resetEmulator);
after(() => mf.dispose());

test("GET /auth/login redirects to the authorize URL with PKCE and sets the state cookie", async () => {
  const { res, location, state } = await startLogin(mf, "?return_to=/dashboard");
  assert.equal(res.headers.get("cache-control"), "no-store");
  const p = location.searchParams;
  assert.equal(`${location.origin}${location.pathname}`, `${defaultBindings().DISCORD_AUTHORIZE_URL}`);
  assert.equal(p.get("response_type"), "code");
  assert.equal(p.get("client_id"), CLIENT_ID);
  assert.equal(p.get("scope"), "identify");
  assert.match(location.search, /scope=identify&/);
  assert.equal(p.get("redirect_uri"), "http://localhost/auth/callback");
  assert.equal(p.get("code_challenge_method"), "S256");
  assert.match(p.get("code_challenge"), /^[A-Za-z0-9_-]{43}$/);
  assert.ok(p.get("state").length >= 22);
  assert.equal(p.get("prompt"), null);
  const c = setCookies(res)[STATE_COOKIE];
  assert.ok(state && state.length > 40);
  for (const a of ["HttpOnly", "Secure", "SameSite=Lax", "Path=/", "Max-Age=600"]) {
    assert.ok(c.attrs.includes(a), `${a} in ${c.raw}`);
  }
  assert.ok(!c.attrs.some((a) => a.startsWith("Domain")));
  // The cookie holds neither the state nor the verifier in the clear.
  assert.ok(!state.includes(p.get("state")));
  assert.ok(!state.includes("dashboard"));
});

test("login takes scope and prompt; an unknown scope or prompt is refused", async () => {
  const { location } = await startLogin(mf, "?scope=identify%20guilds&prompt=consent");
  assert.deepEqual(location.searchParams.get("scope").split(" ").sort(), ["guilds", "identify"]);
  assert.equal(location.searchParams.get("prompt"), "consent");
  let res = await request(mf, "/auth/login?scope=identify%20bogus");
  assert.equal(res.status, 400);
  assert.equal((await errorBody(res)).error, "invalid_scope");
  res = await request(mf, "/auth/login?prompt=always");
  assert.equal(res.status, 400);
  assert.equal((await errorBody(res)).error, "invalid_request");
});

test("the whole login: session cookie, KV entry sealed, /auth/session answers from KV", async () => {
  const before = await counters();
  const { session, res } = await login(mf, { query: "?return_to=/app%3Fx%3D1" });
  assert.equal(res.headers.get("location"), "/app?x=1");
  const cookies = setCookies(res);
  const c = cookies[SESSION_COOKIE];
  assert.match(session, /^[A-Za-z0-9_-]{43}$/);
  for (const a of ["HttpOnly", "Secure", "SameSite=Lax", "Path=/", "Max-Age=2592000"]) {
    assert.ok(c.attrs.includes(a), `${a} in ${c.raw}`);
  }
  // The state cookie is cleared, keeping Secure and Path=/.
  const cleared = cookies[STATE_COOKIE];
  assert.equal(cleared.value, "");
  assert.ok(cleared.attrs.includes("Max-Age=0") && cleared.attrs.includes("Secure") && cleared.attrs.includes("Path=/"));

  const after = await counters();
  assert.equal((after.grants.authorization_code ?? 0) - (before.grants.authorization_code ?? 0), 1);

  // KV: the key is not the cookie value, and no token is stored in plain text.
  const entries = await sessionEntries(mf);
  const mine = entries.filter((e) => e.value.includes(USER));
  assert.ok(mine.length >= 1);
  for (const { name, value } of entries) {
    assert.ok(!name.includes(session), "the KV key is not the session id");
    assert.match(name, /^session:[0-9a-f]{64}$/);
    const v = JSON.parse(value);
    assert.equal(typeof v.tokens, "string");
    assert.ok(!/access_token|refresh_token/.test(value), "no token field in the clear");
    assert.ok(!value.includes(session));
  }

  const s = await request(mf, "/auth/session", { cookies: { [SESSION_COOKIE]: session } });
  assert.equal(s.status, 200);
  assert.equal(s.headers.get("cache-control"), "no-store");
  const body = await s.json();
  assert.equal(body.user.id, USER);
  assert.deepEqual(body.scopes, ["identify"]);
  assert.match(body.expires_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  const ttl = Date.parse(body.expires_at) - Date.now();
  assert.ok(ttl > 2592000e3 - 120e3 && ttl <= 2592000e3 + 1e3, `expires_at ${body.expires_at}`);
  assert.deepEqual(Object.keys(body).sort(), ["expires_at", "scopes", "user"]);
  assert.ok(!JSON.stringify(body).match(/token/i));

  // /auth/session calls no one.
  const c2 = await counters();
  assert.deepEqual(c2.requests, after.requests);
});

test("no access or refresh token is stored in KV in plain text (tokens seen on the wire)", async () => {
  // A Worker whose outbound fetches pass through this test, which records the token answers.
  const seen = [];
  const logLines = [];
  const spy = startWorker({
    logLines,
    outboundService: async (req) => {
      const body = req.method === "GET" ? undefined : await req.arrayBuffer();
      const res = await fetch(req.url, { method: req.method, headers: req.headers, body });
      if (new URL(req.url).pathname.endsWith("/oauth2/token")) seen.push(await res.clone().json());
      return res;
    },
  });
  try {
    const { session } = await login(spy);
    assert.equal(seen.length, 1);
    const { access_token, refresh_token } = seen[0];
    assert.ok(access_token && refresh_token);
    const entries = await sessionEntries(spy);
    assert.equal(entries.length, 1);
    // The user's index entry (docs/contract.md §9; KV mode) holds no token either.
    if (STORE === "kv") {
      const index = (await kvEntries(spy)).filter((e) => e.name.startsWith("user:"));
      assert.equal(index.length, 1);
      for (const t of [access_token, refresh_token]) assert.ok(!index[0].value.includes(t) && !index[0].name.includes(t));
    }
    const [{ name, value }] = entries;
    assert.ok(!value.includes(access_token) && !value.includes(refresh_token));
    assert.ok(!name.includes(session) && !name.includes(access_token));
    // Base64 of the tokens is not there either (sealed, not encoded).
    for (const t of [access_token, refresh_token]) {
      assert.ok(!value.includes(Buffer.from(t).toString("base64").slice(0, 16)));
      assert.ok(!value.includes(Buffer.from(t).toString("base64url").slice(0, 16)));
    }
    // One structured log line per request, without any token, cookie value or secret.
    const me = await request(spy, "/api/users/@me", { cookies: { [SESSION_COOKIE]: session } });
    assert.equal(me.status, 200);
    const out = await request(spy, "/auth/logout", { method: "POST", cookies: { [SESSION_COOKIE]: session } });
    assert.equal(out.status, 204);
    await new Promise((r) => setTimeout(r, 200));
    const lines = logLines.map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((l) => l.route), ["/auth/login", "/auth/callback", "/api/users/@me", "/auth/logout"]);
    for (const l of lines) {
      assert.equal(typeof l.status, "number");
      assert.equal(typeof l.duration_ms, "number");
    }
    assert.equal(lines[2].discord_status, 200);
    assert.ok(lines[2].discord_bucket);
    const text = logLines.join("\n");
    for (const secret of [access_token, refresh_token, session, "emulator-client-secret", defaultBindings().SESSION_SECRET]) {
      assert.ok(!text.includes(secret));
    }
  } finally {
    await spy.dispose();
  }
});

test("every login creates a new session id (no fixation)", async () => {
  const a = await login(mf);
  const b = await login(mf);
  assert.notEqual(a.session, b.session);
  // A planted session cookie is not adopted either.
  const { location, state } = await startLogin(mf);
  const cb = await approve(location);
  const res = await request(mf, cb, {
    cookies: { [STATE_COOKIE]: state, [SESSION_COOKIE]: a.session },
  });
  assert.equal(res.status, 302);
  assert.notEqual(setCookies(res)[SESSION_COOKIE].value, a.session);
});

for (const bad of ["//evil.example", "/\\evil.example", "https://evil.example", "/%2F%2Fevil.example", "evil", "/%0Aevil", "/%5Cevil"]) {
  test(`return_to ${JSON.stringify(bad)} is refused with 400 invalid_return_to`, async () => {
    const res = await request(mf, `/auth/login?return_to=${encodeURIComponent(bad)}`);
    assert.equal(res.status, 400);
    assert.equal((await errorBody(res)).error, "invalid_return_to");
    assert.equal(res.headers.getSetCookie().length, 0, "no state cookie");
  });
}

test("return_to of /%2F%2Fevil.example given raw (decoded once) is refused too", async () => {
  const res = await request(mf, "/auth/login?return_to=/%2F%2Fevil.example");
  assert.equal(res.status, 400);
  assert.equal((await errorBody(res)).error, "invalid_return_to");
});

async function callbackStatus(url, cookies) {
  const kvBefore = (await sessionEntries(mf)).length;
  const res = await request(mf, url, { cookies });
  const kvAfter = (await sessionEntries(mf)).length;
  return { res, stored: kvAfter - kvBefore };
}

async function expectInvalidState(url, cookies) {
  const { res, stored } = await callbackStatus(url, cookies);
  assert.equal(res.status, 400);
  assert.equal((await errorBody(res)).error, "invalid_state");
  assert.equal(stored, 0, "nothing stored");
  assert.equal(setCookies(res)[SESSION_COOKIE], undefined);
}

test("callback without a state cookie: 400 invalid_state, nothing stored", async () => {
  const { location } = await startLogin(mf);
  await expectInvalidState(await approve(location), {});
});

test("callback with a tampered state cookie: 400 invalid_state", async () => {
  const { location, state } = await startLogin(mf);
  const cb = await approve(location);
  const i = 10;
  const flipped = state.slice(0, i) + (state[i] === "A" ? "B" : "A") + state.slice(i + 1);
  await expectInvalidState(cb, { [STATE_COOKIE]: flipped });
  await expectInvalidState(cb, { [STATE_COOKIE]: state.slice(0, -3) });
  await expectInvalidState(cb, { [STATE_COOKIE]: "garbage" });
});

test("callback with another login's state cookie (mismatched state): 400 invalid_state", async () => {
  const one = await startLogin(mf);
  const two = await startLogin(mf);
  await expectInvalidState(await approve(one.location), { [STATE_COOKIE]: two.state });
});

test("callback with an expired state cookie: 400 invalid_state", async () => {
  const { location } = await startLogin(mf);
  const p = location.searchParams;
  const cb = await approve(location);
  // The same payload as a real login, sealed with the right key, but expired a second ago.
  const forged = sealState(SECRET, {
    s: p.get("state"), v: "v".repeat(43), r: "/", e: Date.now() - 1000, u: p.get("redirect_uri"),
  });
  await expectInvalidState(cb, { [STATE_COOKIE]: forged });
  // Sealed with another secret: refused as well.
  const other = sealState("another-secret-another-secret-another-secret", {
    s: p.get("state"), v: "v".repeat(43), r: "/", e: Date.now() + 60000, u: p.get("redirect_uri"),
  });
  await expectInvalidState(cb, { [STATE_COOKIE]: other });
});

test("a replayed callback never creates a second session", async () => {
  const { callback, state } = await login(mf);
  // Replayed with the state cookie (a stolen one): the code is spent → invalid_grant.
  const { res, stored } = await callbackStatus(callback, { [STATE_COOKIE]: state });
  assert.equal(res.status, 400);
  assert.ok(["invalid_grant", "invalid_state"].includes((await errorBody(res)).error));
  assert.equal(stored, 0);
  // Replayed by the browser, whose state cookie was cleared: invalid_state.
  await expectInvalidState(callback, {});
});

test("error=access_denied from Discord: 302 to return_to with auth_error, nothing stored", async () => {
  const { location, state } = await startLogin(mf, "?return_to=/back%3Fa%3D1");
  const cb = await approve(location, { action: "cancel" });
  const { res, stored } = await callbackStatus(cb, { [STATE_COOKIE]: state });
  assert.equal(res.status, 302);
  assert.equal(res.headers.get("location"), "/back?a=1&auth_error=access_denied");
  assert.equal(stored, 0);
  assert.equal(setCookies(res)[STATE_COOKIE].value, "");
});

test("an error redirect with a wrong state is invalid_state, not a redirect", async () => {
  const { state } = await startLogin(mf);
  await expectInvalidState("/auth/callback?error=access_denied&state=forged", { [STATE_COOKIE]: state });
});

test("callback without code or error: 400 invalid_state", async () => {
  const { state } = await startLogin(mf);
  await expectInvalidState("/auth/callback", { [STATE_COOKIE]: state });
});
