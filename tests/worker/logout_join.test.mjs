// POST /auth/logout and POST /api/guilds/{id}/join: the CSRF rule, revocation, the scope,
// bot-token and allowlist checks, body validation, and the 201/204 mapping.
import { test, beforeEach, after } from "node:test";
import assert from "node:assert/strict";
import {
  startWorker, defaultBindings, resetEmulator, counters, request, login, sessionEntries, errorBody,
  setCookies, SESSION_COOKIE, ADMIN_GUILD, OWNED_GUILD, PLAIN_USER,
} from "../support/worker.mjs";

const mf = startWorker({
  bindings: defaultBindings({ JOIN_GUILD_ALLOWLIST: `${ADMIN_GUILD}, ${OWNED_GUILD}` }),
});
beforeEach(resetEmulator);
after(() => mf.dispose());

const post = (path, session, { headers = {}, body } = {}) =>
  request(mf, path, {
    method: "POST",
    cookies: session ? { [SESSION_COOKIE]: session } : {},
    headers,
    body,
  });

const JOIN_SCOPE = "?scope=identify%20guilds.join";

test("logout: revokes at Discord, deletes the session, clears the cookie, 204", async () => {
  const { session } = await login(mf);
  const before = await counters();
  const n = (await sessionEntries(mf)).length;
  const res = await post("/auth/logout", session, { headers: { origin: "http://localhost" } });
  assert.equal(res.status, 204);
  const c = setCookies(res)[SESSION_COOKIE];
  assert.equal(c.value, "");
  for (const a of ["Max-Age=0", "Secure", "Path=/", "HttpOnly"]) assert.ok(c.attrs.includes(a), c.raw);
  assert.equal((await counters()).revocations - before.revocations, 1);
  assert.equal((await sessionEntries(mf)).length, n - 1);
  const s = await request(mf, "/auth/session", { cookies: { [SESSION_COOKIE]: session } });
  assert.equal(s.status, 401);
});

test("logout without a session (or a forged one) is still 204", async () => {
  assert.equal((await post("/auth/logout")).status, 204);
  assert.equal((await post("/auth/logout", "A".repeat(43))).status, 204);
  assert.equal((await post("/auth/logout", "short")).status, 204);
});

test("logout from an untrusted origin is refused with 403 forbidden and the session kept", async () => {
  const { session } = await login(mf);
  const n = (await sessionEntries(mf)).length;
  for (const headers of [
    { origin: "https://evil.example" },
    { origin: "null" },
    { "sec-fetch-site": "cross-site" },
    { origin: "https://evil.example", "sec-fetch-site": "same-site" },
    { origin: "https://1100000000000000001.discordsays.com.evil.example" },
  ]) {
    const res = await post("/auth/logout", session, { headers });
    assert.equal(res.status, 403, JSON.stringify(headers));
    assert.equal((await errorBody(res)).error, "forbidden");
  }
  assert.equal((await sessionEntries(mf)).length, n);
  const s = await request(mf, "/auth/session", { cookies: { [SESSION_COOKIE]: session } });
  assert.equal(s.status, 200);
});

test("logout still ends the session when revocation fails at Discord", async () => {
  const { session } = await login(mf);
  await fetch(`${defaultBindings().DISCORD_API_BASE.replace("/api/v10", "")}/_emulator/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ route: "POST /api/v10/oauth2/token/revoke", kind: "status", status: 503 }),
  });
  const res = await post("/auth/logout", session, { headers: { "sec-fetch-site": "same-origin" } });
  assert.equal(res.status, 204);
  const s = await request(mf, "/auth/session", { cookies: { [SESSION_COOKIE]: session } });
  assert.equal(s.status, 401);
});

test("join: 201 from Discord → 200 {joined:true, member}; again → 204 → {joined:false}", async () => {
  const { session } = await login(mf, { query: JOIN_SCOPE, user_id: PLAIN_USER });
  const body = JSON.stringify({ nick: "newbie", mute: false, deaf: false });
  let res = await post(`/api/guilds/${ADMIN_GUILD}/join`, session, {
    headers: { "content-type": "application/json", origin: "http://localhost" },
    body,
  });
  assert.equal(res.status, 200, await res.clone().text());
  const joined = await res.json();
  assert.equal(joined.joined, true);
  assert.equal(joined.member.user.id, PLAIN_USER);
  assert.equal(joined.member.nick, "newbie");
  res = await post(`/api/guilds/${ADMIN_GUILD}/join`, session, { body: "{}" });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { joined: false });
});

test("join without a body works (an empty body is {})", async () => {
  const { session } = await login(mf, { query: JOIN_SCOPE });
  const res = await post(`/api/guilds/${OWNED_GUILD}/join`, session);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { joined: false });
});

test("join from an untrusted origin is refused with 403 forbidden", async () => {
  const { session } = await login(mf, { query: JOIN_SCOPE, user_id: PLAIN_USER });
  const before = await counters();
  for (const headers of [{ origin: "https://evil.example" }, { "sec-fetch-site": "cross-site" }]) {
    const res = await post(`/api/guilds/${ADMIN_GUILD}/join`, session, { headers, body: "{}" });
    assert.equal(res.status, 403);
    assert.equal((await errorBody(res)).error, "forbidden");
  }
  assert.deepEqual((await counters()).requests, before.requests, "Discord was not called");
});

test("join without a session: 401; without guilds.join: 403 missing_scope", async () => {
  let res = await post(`/api/guilds/${ADMIN_GUILD}/join`, undefined, { body: "{}" });
  assert.equal(res.status, 401);
  assert.equal((await errorBody(res)).error, "unauthorized");
  const { session } = await login(mf);
  res = await post(`/api/guilds/${ADMIN_GUILD}/join`, session, { body: "{}" });
  assert.equal(res.status, 403);
  assert.equal((await errorBody(res)).error, "missing_scope");
});

test("join of a guild outside JOIN_GUILD_ALLOWLIST: 403 guild_not_allowed", async () => {
  const { session } = await login(mf, { query: JOIN_SCOPE });
  const res = await post("/api/guilds/1160000000000000003/join", session, { body: "{}" });
  assert.equal(res.status, 403);
  assert.equal((await errorBody(res)).error, "guild_not_allowed");
  const bad = await post("/api/guilds/not-a-guild/join", session, { body: "{}" });
  assert.equal(bad.status, 404);
  assert.equal((await errorBody(bad)).error, "not_found");
});

test("join with malformed JSON or bad fields: 400 invalid_request", async () => {
  const { session } = await login(mf, { query: JOIN_SCOPE });
  for (const body of ["{", "[]", "null", '{"nick": 5}', '{"roles": ["x"]}', '{"access_token": "t"}', '{"nick": ""}']) {
    const res = await post(`/api/guilds/${ADMIN_GUILD}/join`, session, { body });
    assert.equal(res.status, 400, body);
    assert.equal((await errorBody(res)).error, "invalid_request");
  }
});

test("join with an oversized body: 413, read to the end (no connection reset)", async () => {
  const { session } = await login(mf, { query: JOIN_SCOPE });
  for (const size of [5000, 2 * 1024 * 1024]) {
    const body = JSON.stringify({ nick: "x".repeat(size) });
    const res = await post(`/api/guilds/${ADMIN_GUILD}/join`, session, { body });
    assert.equal(res.status, 413);
    assert.equal((await errorBody(res)).error, "payload_too_large");
  }
  // A large body on a cross-site request is read too before the 403.
  const res = await post(`/api/guilds/${ADMIN_GUILD}/join`, session, {
    headers: { origin: "https://evil.example" },
    body: "x".repeat(1024 * 1024),
  });
  assert.equal(res.status, 403);
});

// A body with a Content-Length within the limit is read in one call; one without (chunked) is
// read chunk by chunk: both must give the route the same bytes and the same limit.
test("join with a chunked body (no Content-Length): read whole under the limit, 413 over it", async () => {
  const { session } = await login(mf, { query: JOIN_SCOPE, user_id: PLAIN_USER });
  const chunked = (text) => {
    const bytes = new TextEncoder().encode(text);
    return new ReadableStream({
      start(c) {
        for (let i = 0; i < bytes.length; i += 7) c.enqueue(bytes.slice(i, i + 7));
        c.close();
      },
    });
  };
  const send = (text) => request(mf, `/api/guilds/${ADMIN_GUILD}/join`, {
    method: "POST", cookies: { [SESSION_COOKIE]: session }, body: chunked(text), duplex: "half",
  });
  const res = await send(JSON.stringify({ nick: "chunky" }));
  assert.equal(res.status, 200, await res.clone().text());
  const joined = await res.json();
  assert.equal(joined.joined, true);
  assert.equal(joined.member.nick, "chunky");
  const big = await send(JSON.stringify({ nick: "x".repeat(5000) }));
  assert.equal(big.status, 413);
  assert.equal((await errorBody(big)).error, "payload_too_large");
});

test("join without DISCORD_BOT_TOKEN: 500 config_error", async () => {
  const nobot = startWorker({
    bindings: defaultBindings({ DISCORD_BOT_TOKEN: undefined, JOIN_GUILD_ALLOWLIST: ADMIN_GUILD }),
  });
  try {
    const { session } = await login(nobot, { query: JOIN_SCOPE });
    const res = await request(nobot, `/api/guilds/${ADMIN_GUILD}/join`, {
      method: "POST",
      cookies: { [SESSION_COOKIE]: session },
      body: "{}",
    });
    assert.equal(res.status, 500);
    const body = await errorBody(res);
    assert.equal(body.error, "config_error");
    assert.match(body.message, /DISCORD_BOT_TOKEN/);
  } finally {
    await nobot.dispose();
  }
});

test("join with no allowlist configured refuses every guild", async () => {
  const none = startWorker();
  try {
    const { session } = await login(none, { query: JOIN_SCOPE });
    const res = await request(none, `/api/guilds/${ADMIN_GUILD}/join`, {
      method: "POST",
      cookies: { [SESSION_COOKIE]: session },
      body: "{}",
    });
    assert.equal(res.status, 403);
    assert.equal((await errorBody(res)).error, "guild_not_allowed");
  } finally {
    await none.dispose();
  }
});
