// Linked Roles end to end (docs/linked-roles.md): examples/host-worker sets them up with
// DiscordAuth::linked_roles (src/linked_roles.rs there); driven in workerd against the
// emulator, which validates records and role connections as Discord does (50035).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  startWorker, defaultBindings, request, resetEmulator, counters, errorBody, approve, setCookies,
  expireTokens, login, emu, SESSION_COOKIE, STATE_COOKIE, USER, PLAIN_USER,
} from "../support/worker.mjs";

const HOST = "examples/host-worker/build/index.js";
const SECRET = "linked-roles-test-secret-0123456789abcdef";
const mf = startWorker({ scriptPath: HOST, bindings: defaultBindings({ LINKED_ROLES_SECRET: SECRET }) });
after(() => mf.dispose());
before(() => resetEmulator());

const PUT_CONNECTION = "PUT /api/v10/users/@me/applications/{application_id}/role-connection";
const PUT_RECORDS = "PUT /api/v10/applications/{application_id}/role-connections/metadata";
const sent = async (route) => (await counters()).requests[route] ?? 0;
const bearer = (secret = SECRET) => ({ authorization: `Bearer ${secret}` });

// Many tests register the records, and the emulator keeps Discord's per-route budget for that
// call (5 per second): on a fast run the Worker's answer can be 429 `rate_limited`, which a
// backend honours by waiting `retry_after` seconds, as this does once.
const registerRecords = async () => {
  const send = () => request(mf, "/auth/linked-roles/metadata", { method: "POST", headers: bearer() });
  let res = await send();
  if (res.status === 429) {
    const { retry_after } = await res.json();
    await new Promise((r) => setTimeout(r, Math.ceil(retry_after * 1000) + 50));
    res = await send();
  }
  assert.equal(res.status, 200, await res.clone().text());
  return res.json();
};

/** The verification: GET /auth/linked-roles, consent at the emulator, the callback's answer. */
async function verify({ user_id, returnTo = "/done" } = {}) {
  const start = await request(mf, `/auth/linked-roles?return_to=${encodeURIComponent(returnTo)}`);
  assert.equal(start.status, 302, await start.clone().text());
  const location = new URL(start.headers.get("location"));
  const state = setCookies(start)[STATE_COOKIE].value;
  const callback = await approve(location, { user_id });
  const res = await request(mf, callback, { cookies: { [STATE_COOKIE]: state } });
  const session = setCookies(res)[SESSION_COOKIE]?.value;
  return { location, res, cookies: { [SESSION_COOKIE]: session } };
}

const push = (body, headers = bearer()) => request(mf, "/auth/linked-roles/push", {
  method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body),
});

const connectionOf = async (cookies) => {
  const res = await request(mf, "/role-connection", { cookies });
  assert.equal(res.status, 200);
  return res.json();
};

test("GET /auth/linked-roles (the Verification URL) asks Discord for identify role_connections.write", async () => {
  const res = await request(mf, "/auth/linked-roles");
  assert.equal(res.status, 302);
  const to = new URL(res.headers.get("location"));
  assert.equal(to.searchParams.get("scope"), "identify role_connections.write");
  assert.equal(to.searchParams.get("code_challenge_method"), "S256");
  assert.ok(setCookies(res)[STATE_COOKIE]?.value, "the state cookie is set");
  const bad = await request(mf, "/auth/linked-roles?return_to=https://evil.example/");
  assert.equal(bad.status, 400);
  assert.equal((await errorBody(bad)).error, "invalid_return_to");
});

test("verification end to end: records registered, consent, the host's computed connection pushed", async () => {
  const records = await registerRecords();
  assert.deepEqual(records.map((r) => [r.type, r.key]), [[2, "level"], [7, "verified"]]);
  const before = await sent(PUT_CONNECTION);
  const { res, cookies } = await verify();
  assert.equal(res.status, 302, await res.clone().text());
  assert.equal(res.headers.get("location"), "/done");
  assert.equal(await sent(PUT_CONNECTION), before + 1);
  const user = (await (await request(mf, "/auth/session", { cookies })).json()).user;
  assert.equal(user.id, USER);
  const connection = await connectionOf(cookies);
  assert.equal(connection.platform_name, "Host Example");
  assert.equal(connection.platform_username, user.username);
  assert.deepEqual(connection.metadata, {
    level: String([...user.username].length),
    verified: user.verified ? "1" : "0",
  });
});

test("a connection Discord refuses (50035): 502 role_connection_refused naming the fields; the session stays", async () => {
  await resetEmulator(); // no records: every metadata key is undefined for Discord
  const { res, cookies } = await verify();
  assert.equal(res.status, 502);
  const body = await errorBody(res);
  assert.equal(body.error, "role_connection_refused");
  assert.match(body.message, /metadata\.level: Metadata key is not defined/);
  assert.match(body.message, /metadata\.verified/);
  assert.ok(cookies[SESSION_COOKIE], "the session cookie is set with the error");
  assert.equal((await request(mf, "/auth/session", { cookies })).status, 200);
  assert.equal(setCookies(res)[STATE_COOKIE]?.value, "", "the state cookie is cleared");
});

test("push: the backend's own values, then recomputed ones, with the user's newest session", async () => {
  await registerRecords();
  const { cookies } = await verify();
  const given = await push({ user_id: USER, role_connection: { platform_name: "Pushed", metadata: { level: "42" } } });
  assert.equal(given.status, 200, await given.clone().text());
  assert.deepEqual((await given.json()).metadata, { level: "42" });
  assert.deepEqual((await connectionOf(cookies)).metadata, { level: "42" });
  const recomputed = await push({ user_id: USER });
  assert.equal(recomputed.status, 200);
  const body = await recomputed.json();
  assert.equal(body.platform_name, "Host Example");
  assert.deepEqual(Object.keys(body.metadata).sort(), ["level", "verified"]);
});

test("push refreshes an expired access token first (once), then pushes", async () => {
  await registerRecords();
  await verify();
  await expireTokens();
  const [refreshes, puts] = [await sent("POST /api/v10/oauth2/token"), await sent(PUT_CONNECTION)];
  const res = await push({ user_id: USER, role_connection: { metadata: { level: "7" } } });
  assert.equal(res.status, 200, await res.clone().text());
  assert.equal(await sent("POST /api/v10/oauth2/token"), refreshes + 1);
  assert.ok((await sent(PUT_CONNECTION)) >= puts + 1);
});

test("the push routes are never open: 401 unauthorized with WWW-Authenticate, nothing sent to Discord", async () => {
  await registerRecords();
  await verify();
  const [puts, records] = [await sent(PUT_CONNECTION), await sent(PUT_RECORDS)];
  for (const headers of [{}, bearer("wrong-secret-0123456789abcdef0123456789"), bearer(SECRET + "x"),
    { authorization: `Bot ${SECRET}` }, { authorization: SECRET }, { cookie: `secret=${SECRET}` }]) {
    const res = await push({ user_id: USER, role_connection: { metadata: { level: "99" } } }, headers);
    assert.equal(res.status, 401, JSON.stringify(headers));
    assert.equal(res.headers.get("www-authenticate"), "Bearer");
    assert.equal((await errorBody(res)).error, "unauthorized");
    const meta = await request(mf, "/auth/linked-roles/metadata", { method: "POST", headers });
    assert.equal(meta.status, 401);
    await meta.body?.cancel();
  }
  assert.equal(await sent(PUT_CONNECTION), puts);
  assert.equal(await sent(PUT_RECORDS), records);
});

test("push: 404 without a role_connections.write session of that user, 400 for bad bodies, 413 over 8 KiB", async () => {
  await registerRecords();
  await login(mf, { user_id: PLAIN_USER }); // identify only
  const none = await push({ user_id: PLAIN_USER });
  assert.equal(none.status, 404);
  assert.match((await errorBody(none)).message, /role_connections\.write/);
  for (const body of ["nope", "{}", JSON.stringify({ user_id: "abc" }), JSON.stringify({ user_id: USER, role_connection: 5 })]) {
    const res = await request(mf, "/auth/linked-roles/push", { method: "POST", headers: bearer(), body });
    assert.equal(res.status, 400, body);
    assert.equal((await errorBody(res)).error, "invalid_request");
  }
  const big = await request(mf, "/auth/linked-roles/push", {
    method: "POST", headers: bearer(), body: JSON.stringify({ user_id: USER, pad: "x".repeat(9000) }),
  });
  assert.equal(big.status, 413);
  assert.equal((await errorBody(big)).error, "payload_too_large");
});

const endSessions = async (user) => {
  const res = await request(mf, `/hooks/end-user?user=${user}`);
  assert.equal(res.status, 200);
  await res.body?.cancel();
};

test("after logout, and after every session of the user ended, a push finds no session: 404", async () => {
  await registerRecords();
  await endSessions(USER); // the earlier tests' sessions
  const { cookies } = await verify();
  const out = await request(mf, "/auth/logout", { method: "POST", cookies, headers: { origin: "http://localhost" } });
  assert.equal(out.status, 204);
  assert.equal((await push({ user_id: USER })).status, 404);
  await verify();
  assert.equal((await push({ user_id: USER })).status, 200);
  await endSessions(USER);
  assert.equal((await push({ user_id: USER })).status, 404);
});

test("the routes' methods: GET on the push routes is 405, POST on the Verification URL is 405", async () => {
  for (const [path, method, allow] of [
    ["/auth/linked-roles/push", "GET", "POST"], ["/auth/linked-roles/metadata", "GET", "POST"],
    ["/auth/linked-roles", "POST", "GET, HEAD"],
  ]) {
    const res = await request(mf, path, { method, headers: bearer() });
    assert.equal(res.status, 405, path);
    assert.equal(res.headers.get("allow"), allow);
  }
});

test("without LINKED_ROLES_SECRET (or with a short one) the push routes are 500 config_error; the rest works", async () => {
  for (const value of [undefined, "short"]) {
    const w = startWorker({ scriptPath: HOST, bindings: defaultBindings({ LINKED_ROLES_SECRET: value }) });
    try {
      for (const path of ["/auth/linked-roles/push", "/auth/linked-roles/metadata"]) {
        const res = await request(w, path, { method: "POST", headers: bearer(value ?? SECRET), body: "{}" });
        assert.equal(res.status, 500, path);
        const body = await errorBody(res);
        assert.equal(body.error, "config_error");
        assert.match(body.message, /LINKED_ROLES_SECRET/);
      }
      assert.equal((await request(w, "/auth/linked-roles")).status, 302);
      assert.equal((await request(w, "/auth/session")).status, 401);
    } finally {
      await w.dispose();
    }
  }
});

test("a Worker that did not set Linked Roles up (the deployable one) answers their routes 404", async () => {
  const plain = startWorker({ bindings: defaultBindings({ LINKED_ROLES_SECRET: SECRET }) });
  try {
    for (const [path, method] of [["/auth/linked-roles", "GET"], ["/auth/linked-roles/push", "POST"], ["/auth/linked-roles/metadata", "POST"]]) {
      const res = await request(plain, path, { method, headers: bearer() });
      assert.equal(res.status, 404, path);
      assert.equal((await errorBody(res)).error, "not_found");
    }
  } finally {
    await plain.dispose();
  }
});

test("the emulator keeps what was pushed per user: another user's connection is untouched", async () => {
  await registerRecords();
  const a = await verify();
  const b = await verify({ user_id: PLAIN_USER });
  assert.equal((await push({ user_id: USER, role_connection: { metadata: { level: "1" } } })).status, 200);
  assert.equal((await push({ user_id: PLAIN_USER, role_connection: { metadata: { level: "2" } } })).status, 200);
  assert.deepEqual((await connectionOf(a.cookies)).metadata, { level: "1" });
  assert.deepEqual((await connectionOf(b.cookies)).metadata, { level: "2" });
  await emu("reset", {});
});
