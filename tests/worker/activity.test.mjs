// POST /api/token: the Worker as a Discord Activity's backend (docs/contract.md §8), in workerd with
// real KV against the emulator: the exchange without redirect_uri, the partitioned session
// cookie, trusted origins and CORS, errors, server-side refresh, and no refresh token anywhere.
import { test, beforeEach, after } from "node:test";
import assert from "node:assert/strict";
import {
  startWorker, defaultBindings, resetEmulator, counters, emu, fault, expireTokens, request,
  kvEntries, errorBody, startLogin, approve, setCookies, SESSION_COOKIE, CLIENT_ID, USER, ORIGIN,
} from "../support/worker.mjs";

const ACTIVITY_ORIGIN = `https://${CLIENT_ID}.discordsays.com`;
const SPA_ORIGIN = "https://spa.example";

// Every call the Worker makes to "Discord" passes through here, answered by the emulator.
const seen = [];
const logLines = [];
const mf = startWorker({
  logLines,
  bindings: defaultBindings({ ALLOWED_ORIGINS: `${SPA_ORIGIN}, http://localhost:5173` }),
  outboundService: async (req) => {
    const body = req.method === "GET" ? undefined : await req.arrayBuffer();
    const res = await fetch(req.url, { method: req.method, headers: req.headers, body });
    const entry = {
      method: req.method,
      path: new URL(req.url).pathname,
      authorization: req.headers.get("authorization"),
      form: body ? Object.fromEntries(new URLSearchParams(Buffer.from(body).toString())) : undefined,
    };
    if (entry.path.endsWith("/oauth2/token")) entry.answer = await res.clone().text();
    seen.push(entry);
    return res;
  },
});
beforeEach(async () => {
  await resetEmulator();
  seen.length = 0;
});
after(() => mf.dispose());

/** A code as the Discord client hands an Activity (no redirect_uri). */
async function activityCode(scope = ["identify", "guilds"], user_id = USER) {
  return (await emu("activity/authorize", { client_id: CLIENT_ID, scope, user_id })).code;
}

/** POST /api/token from the Activity's origin (as Discord's proxy forwards it). */
function postToken(body, { origin = ACTIVITY_ORIGIN, headers = {}, raw = false } = {}) {
  return request(mf, "/api/token", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(origin ? { origin } : {}),
      ...headers,
    },
    body: raw ? body : JSON.stringify(body),
  });
}

const tokenCalls = () => seen.filter((s) => s.path.endsWith("/oauth2/token"));

test("the code is exchanged without redirect_uri; 200 with the access token, never a refresh token", async () => {
  const code = await activityCode();
  const res = await postToken({ code });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("cache-control"), "no-store");
  const body = await res.json();
  assert.deepEqual(Object.keys(body).sort(), ["access_token", "expires_in", "scope", "token_type"]);
  assert.equal(body.token_type, "Bearer");
  assert.equal(body.scope, "identify guilds");
  assert.ok(body.expires_in > 600_000 && body.expires_in <= 604_800, `expires_in ${body.expires_in}`);
  assert.equal(typeof body.access_token, "string");
  assert.equal(body.refresh_token, undefined);

  // What reached "Discord": Basic auth, grant_type and code, and no redirect_uri.
  const [exchange] = tokenCalls();
  assert.equal(tokenCalls().length, 1);
  assert.match(exchange.authorization, /^Basic /);
  assert.deepEqual(exchange.form, { grant_type: "authorization_code", code });
  const c = await counters();
  assert.equal(c.exchanges_without_redirect_uri, 1, "the emulator saw an exchange without redirect_uri");
  assert.equal(c.grants.authorization_code, 1);
  // The token the Activity got is the one Discord issued; the user was fetched for the session.
  assert.equal(JSON.parse(exchange.answer).access_token, body.access_token);
  assert.ok(seen.some((s) => s.path.endsWith("/users/@me")));
});

test("the session cookie is __Host-, HttpOnly, Secure, Path=/, SameSite=None, Partitioned, Max-Age=TTL", async () => {
  const res = await postToken({ code: await activityCode() });
  assert.equal(res.status, 200);
  const cookies = res.headers.getSetCookie();
  assert.equal(cookies.length, 1, cookies.join(" | "));
  const c = setCookies(res)[SESSION_COOKIE];
  assert.ok(c, "sets __Host-discord_session");
  assert.match(c.value, /^[A-Za-z0-9_-]{43}$/);
  assert.deepEqual(
    c.attrs.slice().sort(),
    ["HttpOnly", "Max-Age=2592000", "Partitioned", "Path=/", "SameSite=None", "Secure"],
  );
  assert.ok(!c.attrs.some((a) => /^domain=/i.test(a)), "a __Host- cookie has no Domain");
});

test("/api/users/@me and /auth/session answer with the Activity's cookie", async () => {
  const res = await postToken({ code: await activityCode() });
  const cookies = { [SESSION_COOKIE]: setCookies(res)[SESSION_COOKIE].value };
  const me = await request(mf, "/api/users/@me", { cookies, headers: { origin: ACTIVITY_ORIGIN } });
  assert.equal(me.status, 200);
  assert.equal((await me.json()).id, USER);
  const guilds = await request(mf, "/api/users/@me/guilds", { cookies });
  assert.equal(guilds.status, 200);
  assert.ok(Array.isArray(await guilds.json()));
  const s = await request(mf, "/auth/session", { cookies });
  assert.equal(s.status, 200);
  const session = await s.json();
  assert.equal(session.user.id, USER);
  assert.deepEqual(session.scopes, ["identify", "guilds"]);
});

test("an untrusted Origin is 403 forbidden and nothing is sent to Discord", async () => {
  const code = await activityCode();
  const stored = (await kvEntries(mf)).length;
  const before = await counters();
  for (const origin of [
    "https://evil.example",
    "null",
    "https://2200000000000000002.discordsays.com",
    `http://${CLIENT_ID}.discordsays.com`,
    "https://spa.example.evil.example",
  ]) {
    const res = await postToken({ code }, { origin });
    assert.equal(res.status, 403, origin);
    assert.equal((await errorBody(res)).error, "forbidden");
    assert.equal(res.headers.get("access-control-allow-origin"), null, "no CORS for an untrusted origin");
    assert.equal(res.headers.getSetCookie().length, 0);
  }
  // Cross-site without any Origin is refused too.
  const res = await postToken({ code }, { origin: null, headers: { "sec-fetch-site": "cross-site" } });
  assert.equal(res.status, 403);
  await res.body?.cancel();
  assert.equal(seen.length, 0, "no request reached Discord");
  const after = await counters();
  assert.deepEqual(after.grants, before.grants);
  assert.equal((await kvEntries(mf)).length, stored, "no session stored");
  // The code is still good: the trusted origin gets the session.
  assert.equal((await postToken({ code })).status, 200);
});

test("the discordsays origin and the Worker's own origin are trusted without CORS headers for the latter", async () => {
  let res = await postToken({ code: await activityCode() }, { origin: ACTIVITY_ORIGIN, headers: { "sec-fetch-site": "same-origin" } });
  assert.equal(res.status, 200);
  await res.body?.cancel();
  res = await postToken({ code: await activityCode() }, { origin: ORIGIN });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("access-control-allow-origin"), null, "no CORS for the Worker's own origin");
  await res.body?.cancel();
});

test("an ALLOWED_ORIGINS origin is accepted with CORS (credentials, Vary: Origin), and its preflight", async () => {
  const pre = await request(mf, "/api/token", {
    method: "OPTIONS",
    headers: {
      origin: SPA_ORIGIN,
      "access-control-request-method": "POST",
      "access-control-request-headers": "content-type",
    },
  });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get("access-control-allow-origin"), SPA_ORIGIN);
  assert.equal(pre.headers.get("access-control-allow-credentials"), "true");
  assert.match(pre.headers.get("access-control-allow-methods"), /POST/);
  assert.match(pre.headers.get("access-control-allow-headers"), /content-type/i);
  assert.match(pre.headers.get("vary"), /Origin/);

  const res = await postToken({ code: await activityCode() }, { origin: SPA_ORIGIN, headers: { "sec-fetch-site": "cross-site" } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("access-control-allow-origin"), SPA_ORIGIN);
  assert.equal(res.headers.get("access-control-allow-credentials"), "true");
  assert.match(res.headers.get("vary"), /Origin/);
  const cookies = { [SESSION_COOKIE]: setCookies(res)[SESSION_COOKIE].value };
  await res.body?.cancel();

  // The reads answer that origin with CORS too (off the fast path), and its preflight.
  const me = await request(mf, "/api/users/@me", { cookies, headers: { origin: SPA_ORIGIN } });
  assert.equal(me.status, 200);
  assert.equal(me.headers.get("access-control-allow-origin"), SPA_ORIGIN);
  assert.equal(me.headers.get("access-control-allow-credentials"), "true");
  await me.body?.cancel();
  const s = await request(mf, "/auth/session", { cookies, headers: { origin: "http://localhost:5173" } });
  assert.equal(s.status, 200);
  assert.equal(s.headers.get("access-control-allow-origin"), "http://localhost:5173");
  await s.body?.cancel();
  const preRead = await request(mf, "/auth/session", { method: "OPTIONS", headers: { origin: SPA_ORIGIN, "access-control-request-method": "GET" } });
  assert.equal(preRead.status, 204);
  assert.match(preRead.headers.get("access-control-allow-methods"), /GET/);
  const preLogout = await request(mf, "/auth/logout", { method: "OPTIONS", headers: { origin: SPA_ORIGIN, "access-control-request-method": "POST" } });
  assert.equal(preLogout.status, 204);
  assert.equal(preLogout.headers.get("access-control-allow-origin"), SPA_ORIGIN);

  // Never `*`, never for an untrusted origin: no header on the answer, a refused preflight.
  const evil = await request(mf, "/api/users/@me", { cookies, headers: { origin: "https://evil.example" } });
  assert.equal(evil.headers.get("access-control-allow-origin"), null);
  await evil.body?.cancel();
  const evilPre = await request(mf, "/api/token", { method: "OPTIONS", headers: { origin: "https://evil.example", "access-control-request-method": "POST" } });
  assert.equal(evilPre.status, 403);
  assert.equal(evilPre.headers.get("access-control-allow-origin"), null);
  await evilPre.body?.cancel();
  // Not a CORS route: /auth/login gets no CORS header even for a trusted origin.
  const loginPre = await request(mf, "/auth/login", { method: "OPTIONS", headers: { origin: SPA_ORIGIN } });
  assert.equal(loginPre.headers.get("access-control-allow-origin"), null);
  await loginPre.body?.cancel();
});

test("logout from the SPA origin is allowed with CORS and clears the partitioned cookie too", async () => {
  const res = await postToken({ code: await activityCode() });
  const session = setCookies(res)[SESSION_COOKIE].value;
  await res.body?.cancel();
  const out = await request(mf, "/auth/logout", {
    method: "POST",
    cookies: { [SESSION_COOKIE]: session },
    headers: { origin: SPA_ORIGIN, "sec-fetch-site": "cross-site" },
  });
  assert.equal(out.status, 204);
  assert.equal(out.headers.get("access-control-allow-origin"), SPA_ORIGIN);
  const cleared = out.headers.getSetCookie().filter((c) => c.startsWith(`${SESSION_COOKIE}=;`));
  assert.equal(cleared.length, 2, cleared.join(" | "));
  const partitioned = cleared.find((c) => c.includes("Partitioned"));
  assert.ok(partitioned, "a partitioned clearing cookie");
  for (const a of ["Max-Age=0", "Secure", "Path=/", "SameSite=None", "HttpOnly"]) {
    assert.ok(partitioned.includes(a), partitioned);
  }
  const s = await request(mf, "/auth/session", { cookies: { [SESSION_COOKIE]: session } });
  assert.equal(s.status, 401);
  await s.body?.cancel();
});

test("a missing or malformed body is 400 invalid_request, nothing sent to Discord", async () => {
  for (const body of ["", "not json", "{}", "[]", '{"code":""}', '{"code":42}', '{"code":"a b"}',
    '{"code":"abc","code_verifier":"short"}', JSON.stringify({ code: "x".repeat(5000) })]) {
    const res = await postToken(body, { raw: true });
    assert.equal(res.status, 400, body.slice(0, 40));
    assert.equal((await errorBody(res)).error, "invalid_request", body.slice(0, 40));
  }
  assert.equal(seen.length, 0);
  // Wrong method: 405 with Allow: POST.
  const get = await request(mf, "/api/token", { headers: { origin: ACTIVITY_ORIGIN } });
  assert.equal(get.status, 405);
  assert.equal(get.headers.get("allow"), "POST");
  await get.body?.cancel();
});

test("a reused code is 400 invalid_grant and creates no second session", async () => {
  const code = await activityCode();
  assert.equal((await postToken({ code })).status, 200);
  const n = (await kvEntries(mf)).length;
  const res = await postToken({ code });
  assert.equal(res.status, 400);
  assert.equal((await errorBody(res)).error, "invalid_grant");
  assert.equal(res.headers.getSetCookie().length, 0);
  assert.equal((await kvEntries(mf)).length, n);
  const unknown = await postToken({ code: "nosuchcode" });
  assert.equal((await errorBody(unknown)).error, "invalid_grant");
  // A web login's code (issued with a redirect_uri) cannot be exchanged here (RFC 6749 §4.1.3).
  const { location } = await startLogin(mf);
  const webCode = new URL(await approve(location)).searchParams.get("code");
  const web = await postToken({ code: webCode, code_verifier: "v".repeat(43) });
  assert.equal(web.status, 400);
  assert.equal((await errorBody(web)).error, "invalid_grant");
});

test("Discord down is 502 discord_unavailable; Discord 429 is 503 with Retry-After", async () => {
  const stored = (await kvEntries(mf)).length;
  await fault({ route: "POST /api/v10/oauth2/token", kind: "status", status: 500 });
  let res = await postToken({ code: await activityCode() });
  assert.equal(res.status, 502);
  assert.equal((await errorBody(res)).error, "discord_unavailable");
  await fault({ route: "POST /api/v10/oauth2/token", kind: "status", status: 429, retry_after: 0.4 });
  res = await postToken({ code: await activityCode() });
  assert.equal(res.status, 503);
  assert.equal(res.headers.get("retry-after"), "1");
  assert.equal((await errorBody(res)).error, "rate_limited");
  assert.equal((await kvEntries(mf)).length, stored);
  // The Worker keeps Discord's bucket and refuses locally until it resets: let it pass.
  await new Promise((r) => setTimeout(r, 1100));
});

test("the Activity session refreshes server-side like any other", async () => {
  const res = await postToken({ code: await activityCode() });
  assert.equal(res.status, 200, await res.clone().text());
  const { access_token } = await res.json();
  const cookies = { [SESSION_COOKIE]: setCookies(res)[SESSION_COOKIE].value };
  await expireTokens();
  const before = await counters();
  const me = await request(mf, "/api/users/@me", { cookies });
  assert.equal(me.status, 200);
  assert.equal((await me.json()).id, USER);
  assert.equal((await counters()).refreshes - before.refreshes, 1, "one refresh reached Discord");
  const refresh = tokenCalls().find((c) => c.form?.grant_type === "refresh_token");
  assert.ok(refresh, "the Worker sent the refresh itself");
  assert.notEqual(JSON.parse(refresh.answer).access_token, access_token, "rotated");
  // And again without another refresh: the rotated tokens were stored.
  const again = await request(mf, "/api/users/@me", { cookies });
  assert.equal(again.status, 200);
  await again.body?.cancel();
  assert.equal((await counters()).refreshes - before.refreshes, 1);
});

test("leak scan: no refresh token in any body, cookie, log line or KV value", async () => {
  logLines.length = 0;
  const res = await postToken({ code: await activityCode() });
  const text = await res.text();
  const setCookie = res.headers.getSetCookie().join("\n");
  const cookies = { [SESSION_COOKIE]: setCookies(res)[SESSION_COOKIE].value };
  await expireTokens();
  const me = await request(mf, "/api/users/@me", { cookies });
  const meText = await me.text();
  const s = await request(mf, "/auth/session", { cookies });
  const sText = await s.text();
  const refreshTokens = tokenCalls()
    .map((c) => JSON.parse(c.answer).refresh_token)
    .filter(Boolean);
  assert.equal(refreshTokens.length, 2, "the exchange's and the refresh's");
  const kv = (await kvEntries(mf)).map((e) => `${e.name} ${e.value}`).join("\n");
  await new Promise((r) => setTimeout(r, 200)); // let workerd's stdout arrive
  assert.ok(logLines.length >= 3, `log lines: ${logLines.length}`);
  const haystacks = { body: text, setCookie, me: meText, session: sText, kv, logs: logLines.join("\n") };
  for (const rt of refreshTokens) {
    for (const [where, hay] of Object.entries(haystacks)) {
      assert.ok(!hay.includes(rt), `refresh token found in ${where}`);
      assert.ok(!hay.includes(Buffer.from(rt).toString("base64").slice(0, 16)), `base64 of it in ${where}`);
    }
  }
  // The access token is in the /api/token body only (the one route allowed to carry it).
  const access = JSON.parse(text).access_token;
  for (const [where, hay] of Object.entries(haystacks)) {
    if (where !== "body") assert.ok(!hay.includes(access), `access token found in ${where}`);
  }
});

test("a host Worker mounting DiscordAuth::handle serves /api/token and its session", async () => {
  // examples/host-worker (built by scripts/build-host-example.sh) mounts the library.
  const host = startWorker({ scriptPath: "examples/host-worker/build/index.js" });
  try {
    const res = await request(host, "/api/token", {
      method: "POST",
      headers: { "content-type": "application/json", origin: ACTIVITY_ORIGIN },
      body: JSON.stringify({ code: await activityCode() }),
    });
    assert.equal(res.status, 200);
    const c = setCookies(res)[SESSION_COOKIE];
    assert.ok(c.attrs.includes("Partitioned") && c.attrs.includes("SameSite=None"));
    assert.equal(res.headers.get("access-control-allow-origin"), ACTIVITY_ORIGIN);
    await res.body?.cancel();
    const me = await request(host, "/api/users/@me", { cookies: { [SESSION_COOKIE]: c.value } });
    assert.equal(me.status, 200);
    assert.equal((await me.json()).id, USER);
  } finally {
    await host.dispose();
  }
});

// OpenID Connect on the Activity route (docs/oidc.md): the id_token Discord sends with an
// `openid` authorization is verified as at the callback, before anything is stored.
test("an Activity authorized with openid: its id_token is verified and the session stored", async () => {
  const res = await postToken({ code: await activityCode(["identify", "openid"]) });
  assert.equal(res.status, 200, await res.clone().text());
  const body = await res.json();
  assert.deepEqual(body.scope.split(" ").sort(), ["identify", "openid"]);
  assert.equal(body.id_token, undefined, "the id_token is not handed on");
  const cookie = setCookies(res)[SESSION_COOKIE].value;
  const session = await request(mf, "/auth/session", { cookies: { [SESSION_COOKIE]: cookie } });
  assert.equal((await session.json()).user.id, USER);
});

for (const kind of ["forged", "expired", "wrong_aud", "wrong_iss", "alg_none", "bad_at_hash"]) {
  test(`an Activity's ${kind} id_token is 400 invalid_grant and nothing is stored`, async () => {
    const stored = (await kvEntries(mf)).length;
    const code = await activityCode(["identify", "openid"]);
    await emu("oidc/tamper", { kind });
    const res = await postToken({ code });
    assert.equal(res.status, 400);
    const body = await errorBody(res);
    assert.equal(body.error, "invalid_grant");
    assert.ok(!JSON.stringify(body).includes("eyJ"), "no token in the error");
    assert.equal(setCookies(res)[SESSION_COOKIE], undefined);
    assert.equal((await kvEntries(mf)).length, stored, "no session stored");
  });
}
