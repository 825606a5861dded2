// The stored user stays current (docs/contract.md §12): an /api/users/@me answer that differs
// replaces it, and /auth/session fetches it again past USER_MAX_AGE_SECONDS; a 429 or 5xx then
// serves the stored user, in workerd against the emulator.
import { test, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import {
  startWorker, defaultBindings, resetEmulator, request, login, counters, fault, emu,
  SESSION_COOKIE, USER, EMULATOR,
} from "../support/worker.mjs";

const rename = (fields) => fetch(`${EMULATOR}/_emulator/users/${USER}`, {
  method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify(fields),
}).then((r) => r.json());
const meCalls = async () => (await counters()).requests?.["GET /api/v10/users/@me"] ?? 0;

const workers = [];
after(() => Promise.all(workers.map((w) => w.dispose())));
beforeEach(resetEmulator);

function worker(overrides = {}) {
  const mf = startWorker({ bindings: defaultBindings(overrides) });
  workers.push(mf);
  return mf;
}
const sessionUser = async (mf, cookie) =>
  (await (await request(mf, "/auth/session", { cookies: { [SESSION_COOKIE]: cookie } })).json()).user;

test("a rename seen by /api/users/@me replaces the stored user; /auth/session then shows it", async () => {
  const mf = worker();
  const { session } = await login(mf);
  assert.equal((await sessionUser(mf, session)).global_name, "Emulator User");
  await rename({ global_name: "Renamed User" });
  const before = await meCalls();
  const me = await (await request(mf, "/api/users/@me", { cookies: { [SESSION_COOKIE]: session } })).json();
  assert.equal(me.global_name, "Renamed User");
  assert.equal((await sessionUser(mf, session)).global_name, "Renamed User");
  assert.equal(await meCalls(), before + 1, "/auth/session did not call Discord (the user is fresh)");
});

test("USER_MAX_AGE_SECONDS=0: /auth/session fetches the user every time and shows a rename", async () => {
  const mf = worker({ USER_MAX_AGE_SECONDS: "0" });
  const { session } = await login(mf);
  await rename({ global_name: "Fresh Name" });
  const before = await meCalls();
  assert.equal((await sessionUser(mf, session)).global_name, "Fresh Name");
  assert.equal(await meCalls(), before + 1);
  // Unchanged: nothing is written, the answer is the same.
  assert.equal((await sessionUser(mf, session)).global_name, "Fresh Name");
});

test("the default age (3600 s): /auth/session does not call Discord for a fresh session", async () => {
  const mf = worker();
  const { session } = await login(mf);
  const before = await meCalls();
  await rename({ global_name: "Not Yet" });
  assert.equal((await sessionUser(mf, session)).global_name, "Emulator User");
  assert.equal(await meCalls(), before);
});

test("a re-fetch that meets a 429 or a 5xx serves the stored user; a revoked grant ends the session", async () => {
  const mf = worker({ USER_MAX_AGE_SECONDS: "0" });
  const { session } = await login(mf);
  await fault({ route: "GET /api/v10/users/@me", kind: "status", status: 429, retry_after: 0.2 });
  let res = await request(mf, "/auth/session", { cookies: { [SESSION_COOKIE]: session } });
  assert.equal(res.status, 200);
  assert.equal((await res.json()).user.id, USER);
  // The 429 closed the route's bucket for its Retry-After (1 s, rounded up): wait it out.
  await new Promise((r) => setTimeout(r, 1100));
  await fault({ route: "GET /api/v10/users/@me", kind: "status", status: 503 });
  res = await request(mf, "/auth/session", { cookies: { [SESSION_COOKIE]: session } });
  assert.equal(res.status, 200);
  // Revoked: the API says 401 and the refresh is refused.
  await fault({ route: "GET /api/v10/users/@me", kind: "status", status: 401, body: { message: "401: Unauthorized", code: 0 } });
  await fault({ route: "POST /api/v10/oauth2/token", kind: "status", status: 400, body: { error: "invalid_grant" } });
  res = await request(mf, "/auth/session", { cookies: { [SESSION_COOKIE]: session } });
  assert.equal(res.status, 401);
});

test("a malformed USER_MAX_AGE_SECONDS is a config_error naming it", async () => {
  const mf = worker({ USER_MAX_AGE_SECONDS: "soon" });
  const res = await request(mf, "/auth/session");
  assert.equal(res.status, 500);
  assert.match((await res.json()).message, /USER_MAX_AGE_SECONDS/);
});
