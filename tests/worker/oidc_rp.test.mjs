// OpenID Connect as a relying party (docs/oidc.md): an `openid` login sends a nonce kept in the
// sealed state cookie, /auth/callback checks the RFC 9207 `iss` and verifies the id_token
// (RS256 on WebCrypto against the emulator's keys, fetched through the Worker's transport,
// cached per isolate, fetched again once on an unknown kid). Every bad id_token the emulator can
// forge is 400 `invalid_grant` with nothing stored. Runs in KV and Durable Object mode.
import { test, beforeEach, after } from "node:test";
import assert from "node:assert/strict";
import {
  startWorker, resetEmulator, counters, request, startLogin, approve, emu, fault,
  setCookies, sessionEntries, errorBody, SESSION_COOKIE, STATE_COOKIE, EMULATOR,
} from "../support/worker.mjs";

const workers = [];
/** A fresh Worker: a new isolate, so an empty key cache. */
function freshWorker() {
  const mf = startWorker();
  workers.push(mf);
  return mf;
}
beforeEach(resetEmulator);
after(() => Promise.all(workers.map((w) => w.dispose())));

const keyFetches = async () => (await counters()).requests["GET /api/v10/oauth2/keys"] ?? 0;

/** /auth/login with `openid`, consent at the emulator: the callback URL and the state cookie. */
async function openidCallback(mf, scope = "openid email") {
  const { location, state } = await startLogin(mf, `?scope=${encodeURIComponent(scope)}`);
  const callback = await approve(location);
  return { location, state, callback };
}

async function finish(mf, callback, state) {
  return request(mf, callback, { cookies: { [STATE_COOKIE]: state } });
}

test("an openid login sends a nonce, verifies the id_token and stores the session", async () => {
  const mf = freshWorker();
  const { location, state, callback } = await openidCallback(mf);
  const nonce = location.searchParams.get("nonce");
  assert.match(nonce, /^[A-Za-z0-9_-]{43}$/);
  assert.ok(!state.includes(nonce), "the nonce is sealed in the state cookie");
  assert.equal(new URL(callback).searchParams.get("iss"), EMULATOR);
  const res = await finish(mf, callback, state);
  assert.equal(res.status, 302, await res.clone().text());
  const session = setCookies(res)[SESSION_COOKIE]?.value;
  assert.ok(session);
  assert.equal(await keyFetches(), 1);
  const me = await request(mf, "/auth/session", { cookies: { [SESSION_COOKIE]: session } });
  assert.equal(me.status, 200);
  assert.ok((await me.json()).scopes.includes("openid"));
  // A second login in the same isolate uses the cached keys.
  const again = await openidCallback(mf);
  assert.equal((await finish(mf, again.callback, again.state)).status, 302);
  assert.equal(await keyFetches(), 1);
});

test("a login without openid sends no nonce and fetches no keys", async () => {
  const mf = freshWorker();
  const { location, state } = await startLogin(mf, "?scope=identify");
  assert.equal(location.searchParams.get("nonce"), null);
  const res = await finish(mf, await approve(location), state);
  assert.equal(res.status, 302);
  assert.equal(await keyFetches(), 0);
});

test("RFC 9207: a foreign iss is refused like a state mismatch; no iss is accepted", async () => {
  const mf = freshWorker();
  const { state, callback } = await openidCallback(mf, "identify");
  const forged = new URL(callback);
  forged.searchParams.set("iss", "https://evil.example");
  const res = await finish(mf, forged.href, state);
  assert.equal(res.status, 400);
  assert.equal((await errorBody(res)).error, "invalid_state");
  assert.equal((await sessionEntries(mf)).length, 0);
  // The same code without any iss goes through (Discord only sends it with OIDC).
  const plain = new URL(callback);
  plain.searchParams.delete("iss");
  const ok = await finish(mf, plain.href, state);
  assert.equal(ok.status, 302, await ok.clone().text());
  // An error redirect with a foreign iss is not shown to the page either.
  const { location, state: s2 } = await startLogin(mf, "?scope=identify");
  const denied = new URL(await approve(location, { action: "cancel" }));
  denied.searchParams.set("iss", "https://evil.example");
  const r2 = await finish(mf, denied.href, s2);
  assert.equal(r2.status, 400);
  assert.equal((await errorBody(r2)).error, "invalid_state");
});

for (const kind of [
  "forged", "expired", "iat_future", "wrong_aud", "wrong_iss", "alg_none", "hs256",
  "wrong_nonce", "no_nonce", "bad_at_hash", "unknown_kid",
]) {
  test(`a ${kind} id_token is invalid_grant and nothing is stored`, async () => {
    const mf = freshWorker();
    await emu("oidc/tamper", { kind });
    const { state, callback } = await openidCallback(mf);
    const res = await finish(mf, callback, state);
    assert.equal(res.status, 400);
    const body = await errorBody(res);
    assert.equal(body.error, "invalid_grant");
    assert.ok(!JSON.stringify(body).includes("eyJ"), "no token in the error");
    assert.equal(setCookies(res)[SESSION_COOKIE], undefined);
    assert.equal((await sessionEntries(mf)).length, 0);
    // An empty cache is filled once (for the signature check); a fresh fetch is not repeated
    // for an unknown kid.
    const fetched = ["forged", "unknown_kid"].includes(kind) ? 1 : 0;
    assert.equal(await keyFetches(), fetched, "claims and header are checked before any key");
  });
}

test("an unknown kid with cached keys fetches them again once, then is invalid_grant", async () => {
  const mf = freshWorker();
  const first = await openidCallback(mf);
  assert.equal((await finish(mf, first.callback, first.state)).status, 302);
  assert.equal(await keyFetches(), 1);
  await emu("oidc/tamper", { kind: "unknown_kid" });
  const bad = await openidCallback(mf);
  const res = await finish(mf, bad.callback, bad.state);
  assert.equal(res.status, 400);
  assert.equal((await errorBody(res)).error, "invalid_grant");
  assert.equal(await keyFetches(), 2, "exactly one refetch");
  assert.equal((await sessionEntries(mf)).length, 1);
});

test("a rotated key: the unknown kid fetches the keys again once, then verifies", async () => {
  const mf = freshWorker();
  const first = await openidCallback(mf);
  assert.equal((await finish(mf, first.callback, first.state)).status, 302);
  assert.equal(await keyFetches(), 1);
  await emu("oidc/rotate", {});
  const second = await openidCallback(mf);
  const res = await finish(mf, second.callback, second.state);
  assert.equal(res.status, 302, await res.clone().text());
  assert.equal(await keyFetches(), 2);
  assert.equal((await sessionEntries(mf)).length, 2);
});

test("keys that cannot be fetched: 502 discord_unavailable, nothing stored", async () => {
  const mf = freshWorker();
  await fault({ route: "GET /api/v10/oauth2/keys", kind: "status", status: 500 });
  const { state, callback } = await openidCallback(mf);
  const res = await finish(mf, callback, state);
  assert.equal(res.status, 502);
  assert.equal((await errorBody(res)).error, "discord_unavailable");
  assert.equal((await sessionEntries(mf)).length, 0);
});
