// The Worker as a library: examples/host-worker mounts DiscordAuth in its own workers-rs Worker
// (built by scripts/build-host-example.sh) and adds routes on the library calls. Driven in
// workerd with a real KV namespace against the emulator, like the deployable Worker.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  startWorker, defaultBindings, login, request, resetEmulator, counters, expireTokens, errorBody, CLIENT_ID, USER,
  SESSION_COOKIE, STORE,
} from "../support/worker.mjs";

const HOST = "examples/host-worker/build/index.js";
const mf = startWorker({ scriptPath: HOST });
after(() => mf.dispose());
before(() => resetEmulator());

const json = async (res) => ({ status: res.status, body: await res.json() });

// The host example's entry makes DiscordSessionStore a DurableObject (scripts/env.sh,
// write_rpc_entry), so the library calls its objects over RPC, as every other test here does in
// Durable Object mode. A host Worker that deploys worker-build's module as it is (build/core.mjs,
// the class a plain workers-rs class) must keep working: workerd refuses the first RPC call
// ("does not support RPC") and the library goes through the objects' fetch from then on.
test("Durable Object mode, a host entry without the DurableObject class: the library falls back to the objects' fetch", { skip: STORE === "do" ? false : "Durable Object mode only" }, async () => {
  const plain = startWorker({ scriptPath: "examples/host-worker/build/core.mjs" });
  try {
    const { cookies } = await login(plain);
    const session = await request(plain, "/auth/session", { cookies });
    assert.equal(session.status, 200);
    assert.equal((await session.json()).user.id, USER);
    // A refresh (run by the session's object), a user read, then the logout.
    await expireTokens();
    const before = (await counters()).refreshes;
    const me = await request(plain, "/api/users/@me", { cookies });
    assert.equal(me.status, 200);
    assert.equal((await me.json()).id, USER);
    assert.equal((await counters()).refreshes - before, 1, "one refresh reached Discord");
    const out = await request(plain, "/auth/logout", { method: "POST", cookies: { [SESSION_COOKIE]: cookies[SESSION_COOKIE] } });
    assert.equal(out.status, 204);
    assert.equal((await request(plain, "/auth/session", { cookies })).status, 401);
  } finally {
    await plain.dispose();
  }
});

test("the contract's routes are mounted: login through the library gives a session", async () => {
  const { cookies } = await login(mf);
  const res = await request(mf, "/auth/session", { cookies });
  assert.equal(res.status, 200);
  assert.equal((await res.json()).user.id, USER);
});

// The deployable Worker answers GET /auth/session and the /api reads on the runtime's own
// types (src/worker/fast.rs); a host Worker reaches the same routes through DiscordAuth::handle.
// Both must give the same answers: status, the headers a client relies on, and the body.
test("the hot routes answer the same through the library as through the deployable Worker", async () => {
  const direct = startWorker();
  try {
    const a = (await login(mf)).cookies, b = (await login(direct)).cookies;
    const SHAPE = ["content-type", "cache-control", "x-content-type-options", "set-cookie"];
    for (const [path, withSession] of [
      ["/auth/session", true], ["/auth/session", false], ["/api/users/@me", true], ["/api/users/@me", false],
      ["/api/users/@me/guilds", true], ["/api/users/@me/connections", true], ["/api/oauth2/@me", true],
      ["/api/users/@me/guilds/1/member", true], ["/auth/session?x=1", true],
    ]) {
      const viaLib = await request(mf, path, withSession ? { cookies: a } : {});
      const viaFast = await request(direct, path, withSession ? { cookies: b } : {});
      assert.equal(viaLib.status, viaFast.status, path);
      for (const h of SHAPE) assert.equal(viaLib.headers.get(h), viaFast.headers.get(h), `${path}: ${h}`);
      const [x, y] = [await viaLib.json(), await viaFast.json()];
      // The two logins expire at different instants; the rest must not differ.
      for (const o of [x, y]) if (o && typeof o === "object") { delete o.expires_at; delete o.expires; }
      assert.deepEqual(x, y, path);
    }
  } finally {
    await direct.dispose();
  }
});

test("require_session guards the host's own route: 401 unauthorized without a session", async () => {
  const res = await request(mf, "/me");
  assert.equal(res.status, 401);
  assert.equal((await errorBody(res)).error, "unauthorized");
  const { cookies } = await login(mf);
  const ok = await json(await request(mf, "/me", { cookies }));
  assert.equal(ok.status, 200);
  assert.equal(ok.body.user_id, USER);
  assert.deepEqual(ok.body.scopes, ["identify"]);
});

test("request(): a raw Bearer call with the session's token", async () => {
  const { cookies } = await login(mf);
  const res = await request(mf, "/raw/me", { cookies });
  // The raw answer is whole: the example passes on one of Discord's headers that is not a
  // rate-limit header (the routes read only those).
  assert.match(res.headers.get("x-discord-content-type") ?? "", /^application\/json/);
  const r = await json(res);
  assert.equal(r.status, 200);
  assert.equal(r.body.id, USER);
  assert.equal((await request(mf, "/raw/me")).status, 401);
});

test("bot_request(): a raw call with the bot token", async () => {
  const r = await json(await request(mf, "/bot/application"));
  assert.equal(r.status, 200);
  assert.equal(r.body.id, CLIENT_ID);
});

test("bot_request() without DISCORD_BOT_TOKEN is 500 config_error naming it", async () => {
  const noBot = startWorker({
    scriptPath: HOST,
    bindings: defaultBindings({ DISCORD_BOT_TOKEN: undefined }),
  });
  try {
    const res = await request(noBot, "/bot/application");
    assert.equal(res.status, 500);
    const body = await errorBody(res);
    assert.equal(body.error, "config_error");
    assert.match(body.message, /DISCORD_BOT_TOKEN/);
  } finally {
    await noBot.dispose();
  }
});

test("client_credentials(): a token for the application owner, no refresh token; the host never sees it in a body", async () => {
  const res = await request(mf, "/client-credentials", { method: "POST" });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  const body = JSON.parse(text);
  assert.equal(body.token_type, "Bearer");
  assert.equal(body.refresh_token, false);
  assert.deepEqual(body.scope.split(" ").sort(), ["applications.commands.update", "identify"]);
});

test("role connections need role_connections.write: 403 forbidden with identify only", async () => {
  const { cookies } = await login(mf);
  const res = await request(mf, "/role-connection", { cookies });
  assert.equal(res.status, 403);
  assert.equal((await errorBody(res)).error, "forbidden");
});

test("role-connection metadata: replace the records with the bot token, then read them", async () => {
  const records = [
    { type: 2, key: "level", name: "Level", description: "Level at least" },
    { type: 7, key: "verified", name: "Verified", description: "Verified account" },
  ];
  const put = await json(await request(mf, "/role-metadata", {
    method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(records),
  }));
  assert.equal(put.status, 200, JSON.stringify(put.body));
  assert.deepEqual(put.body.map((r) => r.key), ["level", "verified"]);
  const got = await json(await request(mf, "/role-metadata"));
  assert.deepEqual(got.body.map((r) => [r.type, r.key]), [[2, "level"], [7, "verified"]]);
});

test("role-connection metadata the docs rule out is refused before any call to Discord", async () => {
  const put = (records) => request(mf, "/role-metadata", {
    method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(records),
  });
  const route = "PUT /api/v10/applications/{application_id}/role-connections/metadata";
  const sent = (await counters()).requests[route] ?? 0;
  const six = Array.from({ length: 6 }, (_, i) => ({ type: 1, key: `k${i}`, name: `K${i}`, description: "d" }));
  for (const [records, why] of [[six, /at most 5 records, got 6/], [[{ type: 1, key: "Bad Key!", name: "K", description: "d" }], /a-z, 0-9 and _/]]) {
    const res = await put(records);
    assert.equal(res.status, 500);
    const body = await errorBody(res);
    assert.equal(body.error, "config_error");
    assert.match(body.message, why);
  }
  assert.equal((await counters()).requests[route] ?? 0, sent);
});

test("role connections: read, replace and read back the session user's connection", async () => {
  const { cookies } = await login(mf, { query: "?scope=identify%20role_connections.write" });
  const empty = await json(await request(mf, "/role-connection", { cookies }));
  assert.equal(empty.status, 200);
  assert.deepEqual(empty.body.metadata, {});
  // Discord keeps only metadata keys the application declared: declare `level` first.
  const records = [{ type: 2, key: "level", name: "Level", description: "Level at least" }];
  assert.equal((await request(mf, "/role-metadata", {
    method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(records),
  })).status, 200);
  const put = await json(await request(mf, "/role-connection", {
    cookies, method: "PUT", headers: { "content-type": "application/json" },
    body: JSON.stringify({ platform_name: "Example", platform_username: "nelly", metadata: { level: "3" } }),
  }));
  assert.equal(put.status, 200);
  assert.equal(put.body.platform_name, "Example");
  const again = await json(await request(mf, "/role-connection", { cookies }));
  assert.deepEqual(again.body.metadata, { level: "3" });
});
