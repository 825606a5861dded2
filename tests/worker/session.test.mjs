// The built Worker, in workerd with a real KV namespace: GET /auth/session.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { startWorker } from "../support/worker.mjs";

const mf = startWorker();
after(() => mf.dispose());

test("GET /auth/session without a cookie is 401 unauthorized, as JSON", async () => {
  const res = await mf.dispatchFetch("http://localhost/auth/session");
  assert.equal(res.status, 401);
  assert.match(res.headers.get("content-type"), /^application\/json/);
  const body = await res.json();
  assert.equal(body.error, "unauthorized");
  assert.equal(typeof body.message, "string");
});

test("unknown routes under /api answer 404 not_found as JSON", async () => {
  const res = await mf.dispatchFetch("http://localhost/api/nothing-here");
  assert.equal(res.status, 404);
  assert.equal((await res.json()).error, "not_found");
});
