// ANY /api/{route}: raw Discord calls from the page through the route table
// (docs/contract.md §12), in workerd against the emulator: what the table allows passes with
// the session's token (query included); anything else is 404/405 and reaches no Discord.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import {
  startWorker, defaultBindings, resetEmulator, counters, request, login, errorBody,
  SESSION_COOKIE, CLIENT_ID, OWNED_GUILD, USER,
} from "../support/worker.mjs";

let mf;
before(() => {
  mf = startWorker({
    bindings: defaultBindings({
      API_ROUTES: `GET /guilds/{guild_id}/roles, PUT /users/@me/applications/${CLIENT_ID}/role-connection`,
    }),
  });
});
after(() => mf.dispose());
beforeEach(resetEmulator);

const call = (session, method, path, { body, raw, headers = {} } = {}) =>
  request(mf, path, {
    method,
    cookies: { [SESSION_COOKIE]: session },
    headers: { ...(body === undefined && raw === undefined ? {} : { "content-type": "application/json" }), ...headers },
    body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
const discordRequests = async () => Object.entries((await counters()).requests ?? {})
  .filter(([k]) => !k.includes("oauth2/token")).reduce((n, [, v]) => n + v, 0);

test("a default read passes with the session's token, its query passed on", async () => {
  const { session } = await login(mf, { query: "?scope=identify%20guilds" });
  const res = await call(session, "GET", "/api/users/@me/guilds?limit=1");
  assert.equal(res.status, 200, await res.clone().text());
  const guilds = await res.json();
  assert.equal(guilds.length, 1, "limit=1 reached Discord");
  const me = await (await call(session, "GET", "/api/users/@me")).json();
  assert.equal(me.id, USER);
});

test("a path in no pattern is 404 and a listed path with another method 405; nothing reaches Discord", async () => {
  const { session } = await login(mf);
  const before = await discordRequests();
  for (const path of ["/api/guilds/1160000000000000001/channels", "/api/users/1150000000000000001", "/api/webhooks/1/x", "/api/users/@me/guilds/abc/member"]) {
    const res = await call(session, "GET", path);
    assert.equal(res.status, 404, path);
    assert.equal((await errorBody(res)).error, "not_found");
  }
  const res = await call(session, "DELETE", "/api/guilds/1160000000000000001/roles");
  assert.equal(res.status, 405);
  assert.equal((await errorBody(res)).error, "method_not_allowed");
  assert.equal(res.headers.get("allow"), "GET, HEAD");
  assert.equal(await discordRequests(), before, "no call reached Discord");
});

test("API_ROUTES adds a pattern with a snowflake placeholder", async () => {
  const { session } = await login(mf);
  const res = await call(session, "GET", `/api/guilds/${OWNED_GUILD}/roles`);
  // The emulator has no roles route for users: what matters is that the call went through.
  assert.notEqual(res.status, 405);
  assert.ok([200, 401, 403, 404].includes(res.status), `${res.status}`);
});

test("without a session: 401, nothing sent", async () => {
  const res = await request(mf, "/api/users/@me/connections?x=1");
  assert.equal(res.status, 401);
  assert.equal((await errorBody(res)).error, "unauthorized");
});

test("the role connection: readable by default, writable only when API_ROUTES lists it, and only from a trusted origin", async () => {
  const plain = startWorker();
  try {
    const { session } = await login(plain, { query: "?scope=identify%20role_connections.write" });
    const route = `/api/users/@me/applications/${CLIENT_ID}/role-connection`;
    const put = await request(plain, route, {
      method: "PUT", cookies: { [SESSION_COOKIE]: session },
      headers: { "content-type": "application/json" }, body: JSON.stringify({ platform_name: "x" }),
    });
    assert.equal(put.status, 405, "the default table does not let the page write its own roles");
    assert.equal((await request(plain, route, { cookies: { [SESSION_COOKIE]: session } })).status, 200);
  } finally {
    await plain.dispose();
  }
  const { session } = await login(mf, { query: "?scope=identify%20role_connections.write" });
  const route = `/api/users/@me/applications/${CLIENT_ID}/role-connection`;
  const cross = await call(session, "PUT", route, { body: { platform_name: "x" }, headers: { origin: "https://evil.example" } });
  assert.equal(cross.status, 403);
  assert.equal((await errorBody(cross)).error, "forbidden");
  const ok = await call(session, "PUT", route, { body: { platform_name: "Emulator Game", metadata: {} } });
  assert.equal(ok.status, 200, await ok.clone().text());
  const before = await discordRequests();
  const bad = await call(session, "PUT", route, { raw: "{not json" });
  assert.equal(bad.status, 400);
  assert.equal((await errorBody(bad)).error, "invalid_request");
  assert.equal(await discordRequests(), before, "a body that is not JSON is not sent");
});

test("a malformed API_ROUTES is a config_error naming it", async () => {
  const broken = startWorker({ bindings: defaultBindings({ API_ROUTES: "FETCH /users/@me" }) });
  try {
    const res = await request(broken, "/auth/session");
    assert.equal(res.status, 500);
    const body = await errorBody(res);
    assert.equal(body.error, "config_error");
    assert.match(body.message, /API_ROUTES/);
  } finally {
    await broken.dispose();
  }
});
