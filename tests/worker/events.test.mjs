// POST /auth/events (docs/contract.md §10): Discord's Webhook Events, Ed25519-signed, in workerd with
// real KV, against the real emulator. Requests are signed here with Node's crypto (the
// emulator's deterministic key for the confidential application), and the emulator's own
// signed events are sent to this Worker end to end.
import { test, beforeEach, after } from "node:test";
import assert from "node:assert/strict";
import { createHash, createPrivateKey, createPublicKey, sign, verify } from "node:crypto";
import {
  startWorker, defaultBindings, resetEmulator, counters, request, login, kvEntries, errorBody,
  emu, CLIENT_ID, USER, PLAIN_USER, SESSION_COOKIE,
  STORE,
} from "../support/worker.mjs";

// The emulator derives each application's Ed25519 seed from its id (emulator/src/events.rs):
// SHA-256("discord-emulator/events-key/v1/<id>").
const seed = createHash("sha256").update(`discord-emulator/events-key/v1/${CLIENT_ID}`).digest();
const privateKey = createPrivateKey({
  key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]),
  format: "der",
  type: "pkcs8",
});
const PUBLIC_KEY_HEX = Buffer.from(createPublicKey(privateKey).export({ format: "jwk" }).x, "base64url").toString("hex");

const logLines = [];
const mf = startWorker({ bindings: defaultBindings({ DISCORD_PUBLIC_KEY: PUBLIC_KEY_HEX }), logLines });
beforeEach(resetEmulator);
after(() => mf.dispose());

const nowSecs = () => Math.floor(Date.now() / 1000);

/** Signs `body` at `timestamp` as Discord does: hex Ed25519 over timestamp + body. */
function signed(body, { timestamp = String(nowSecs()), key = privateKey } = {}) {
  const signature = sign(null, Buffer.from(timestamp + body), key).toString("hex");
  return { "x-signature-ed25519": signature, "x-signature-timestamp": timestamp, "content-type": "application/json" };
}

const postEvent = (body, headers, on = mf) =>
  request(on, "/auth/events", { method: "POST", headers, body });

const eventBody = (type, data) =>
  JSON.stringify({
    version: 1,
    application_id: CLIENT_ID,
    type: 1,
    event: { type, timestamp: new Date().toISOString().replace("Z", ""), data },
  });
const deauthBody = (id) => eventBody("APPLICATION_DEAUTHORIZED", { user: { id, username: "x" } });

const sessionStatus = async (session) =>
  (await request(mf, "/auth/session", { cookies: { [SESSION_COOKIE]: session } })).status;

test("PING: a signed {type:0} answers 204 with no body", async () => {
  const body = JSON.stringify({ version: 1, application_id: CLIENT_ID, type: 0 });
  const res = await postEvent(body, signed(body));
  assert.equal(res.status, 204);
  assert.equal(await res.text(), "");
});

test("deauthorization ends both sessions of that user, no revoke call, another user's survives", async () => {
  const a = await login(mf, { user_id: USER });
  const b = await login(mf, { user_id: USER });
  const other = await login(mf, { user_id: PLAIN_USER });
  for (const s of [a, b, other]) assert.equal(await sessionStatus(s.session), 200);
  // KV mode: the index is one KV entry per user, keyed by a keyed hash (no user id, no token
  // in it). Durable Object mode keeps it in the user's object (tests/worker/durable.test.mjs).
  if (STORE === "kv") {
    const index = (await kvEntries(mf)).filter((e) => e.name.startsWith("user:"));
    assert.equal(index.length, 2);
    for (const e of index) {
      assert.match(e.name, /^user:[0-9a-f]{64}$/);
      const v = JSON.parse(e.value);
      assert.deepEqual(Object.keys(v).sort(), ["s", "v"]);
      for (const s of v.s) assert.match(s.k, /^session:[0-9a-f]{64}$/);
    }
  }
  const before = await counters();

  const body = deauthBody(USER);
  const t0 = performance.now();
  const res = await postEvent(body, signed(body));
  assert.equal(res.status, 204);
  assert.ok(performance.now() - t0 < 3000, "answered within Discord's 3 s");
  assert.equal(await sessionStatus(a.session), 401);
  assert.equal(await sessionStatus(b.session), 401);
  assert.equal(await sessionStatus(other.session), 200);
  assert.equal((await counters()).revocations, before.revocations, "no revoke call");
  if (STORE === "kv") {
    const left = (await kvEntries(mf)).filter((e) => e.name.startsWith("user:"));
    assert.equal(left.length, 1, "the deauthorized user's index is gone");
  }
});

test("a tampered body is refused with 401 invalid_signature and ends nothing", async () => {
  const { session } = await login(mf, { user_id: USER });
  const headers = signed(deauthBody(PLAIN_USER));
  const res = await postEvent(deauthBody(USER), headers);
  assert.equal(res.status, 401);
  assert.equal((await errorBody(res)).error, "invalid_signature");
  // A signature by another key over the right body: refused too.
  const { privateKey: stranger } = await import("node:crypto").then((c) => c.generateKeyPairSync("ed25519"));
  const res2 = await postEvent(deauthBody(USER), signed(deauthBody(USER), { key: stranger }));
  assert.equal(res2.status, 401);
  assert.equal(await sessionStatus(session), 200);
});

test("a replayed request with a stale timestamp (or one from the future) is refused", async () => {
  const { session } = await login(mf, { user_id: USER });
  const body = deauthBody(USER);
  // 10 s beyond the 5 minutes on either side: the Worker reads its clock later than this test
  // does (a second boundary may pass in between on a loaded machine: +301 once came out 300).
  for (const skew of [-310, -3600, 310]) {
    const headers = signed(body, { timestamp: String(nowSecs() + skew) });
    const res = await postEvent(body, headers);
    assert.equal(res.status, 401, `skew ${skew}`);
    const e = await errorBody(res);
    assert.equal(e.error, "invalid_signature");
    assert.match(e.message, /5 minutes/);
  }
  assert.equal(await sessionStatus(session), 200);
  // Within the window the same body is accepted.
  const ok = await postEvent(body, signed(body, { timestamp: String(nowSecs() - 250) }));
  assert.equal(ok.status, 204);
  assert.equal(await sessionStatus(session), 401);
});

test("missing or malformed signature headers are refused with 401", async () => {
  const body = JSON.stringify({ type: 0 });
  const good = signed(body);
  const cases = [
    {},
    { "x-signature-timestamp": good["x-signature-timestamp"] },
    { "x-signature-ed25519": good["x-signature-ed25519"] },
    { ...good, "x-signature-ed25519": good["x-signature-ed25519"].slice(2) },
    { ...good, "x-signature-ed25519": "zz" + good["x-signature-ed25519"].slice(2) },
    { ...good, "x-signature-timestamp": `${good["x-signature-timestamp"]}.0` },
    { ...good, "x-signature-timestamp": "" },
  ];
  for (const headers of cases) {
    const res = await postEvent(body, headers);
    assert.equal(res.status, 401, JSON.stringify(headers));
    assert.equal((await errorBody(res)).error, "invalid_signature");
  }
});

test("other event types answer 204 and are logged by name", async () => {
  logLines.length = 0;
  const body = eventBody("ENTITLEMENT_CREATE", { id: "1" });
  const res = await postEvent(body, signed(body));
  assert.equal(res.status, 204);
  await new Promise((r) => setTimeout(r, 200));
  const lines = logLines.filter((l) => l.includes('"/auth/events"')).map((l) => JSON.parse(l.slice(l.indexOf("{"))));
  assert.ok(lines.some((l) => l.event === "ENTITLEMENT_CREATE" && l.status === 204), logLines.join("\n"));
});

test("an oversized body is read to the end and answered 413; GET is 405", async () => {
  const body = JSON.stringify({ type: 0, pad: "x".repeat(300 * 1024) });
  const res = await postEvent(body, signed(body));
  assert.equal(res.status, 413);
  assert.equal((await errorBody(res)).error, "payload_too_large");
  const get = await request(mf, "/auth/events");
  assert.equal(get.status, 405);
  assert.equal(get.headers.get("allow"), "POST");
});

test("a missing or malformed DISCORD_PUBLIC_KEY: 500 config_error on /auth/events only", async () => {
  for (const key of [undefined, "not-a-key", PUBLIC_KEY_HEX.slice(2)]) {
    const other = startWorker({ bindings: defaultBindings({ DISCORD_PUBLIC_KEY: key }) });
    try {
      const body = JSON.stringify({ type: 0 });
      const res = await postEvent(body, signed(body), other);
      assert.equal(res.status, 500);
      const e = await errorBody(res);
      assert.equal(e.error, "config_error");
      assert.match(e.message, /DISCORD_PUBLIC_KEY/);
      if (key) assert.ok(!e.message.includes(key));
      // Every other route keeps working.
      assert.equal((await request(other, "/auth/session")).status, 401);
      assert.equal((await request(other, "/auth/login")).status, 302);
      const { session } = await login(other, { user_id: USER });
      assert.equal((await request(other, "/api/users/@me", { cookies: { [SESSION_COOKIE]: session } })).status, 200);
    } finally {
      await other.dispose();
    }
  }
});

test("end to end: the emulator's signed events reach the Worker and end the sessions", async () => {
  const url = await mf.ready;
  const eventsUrl = new URL("/auth/events", url).href;
  await emu(`applications/${CLIENT_ID}/events_url`, { url: eventsUrl });
  logLines.length = 0;

  // Logging in with applications.commands makes the emulator send APPLICATION_AUTHORIZED.
  const a = await login(mf, { user_id: USER, query: "?scope=identify%20applications.commands" });
  const b = await login(mf, { user_id: USER });
  const other = await login(mf, { user_id: PLAIN_USER });
  let events = [];
  for (let i = 0; i < 50 && !events.some((e) => e.status); i++) {
    await new Promise((r) => setTimeout(r, 50));
    events = (await emu("events")).events;
  }
  const authorized = events.find((e) => e.event_type === "APPLICATION_AUTHORIZED");
  assert.equal(authorized?.status, 204, JSON.stringify(events));

  const out = await emu("deauthorize", { client_id: CLIENT_ID, user_id: USER });
  assert.equal(out.revoked, 2);
  assert.equal(out.event.status, 204, JSON.stringify(out.event));
  assert.equal(out.event.url, eventsUrl);
  assert.equal(await sessionStatus(a.session), 401);
  assert.equal(await sessionStatus(b.session), 401);
  assert.equal(await sessionStatus(other.session), 200);

  // Independently of the Worker: Node's Ed25519 verifies both signatures under the public
  // key the emulator publishes for the application.
  const publicKey = createPublicKey({
    key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(PUBLIC_KEY_HEX, "hex").toString("base64url") },
    format: "jwk",
  });
  for (const e of [authorized, out.event]) {
    const message = Buffer.from(e.timestamp + e.body);
    assert.ok(verify(null, message, publicKey, Buffer.from(e.signature, "hex")), e.event_type);
    const parsed = JSON.parse(e.body);
    assert.equal(parsed.version, 1);
    assert.equal(parsed.type, 1);
    assert.equal(parsed.application_id, CLIENT_ID);
  }
  assert.equal(JSON.parse(authorized.body).event.data.integration_type, 1);
  assert.deepEqual(JSON.parse(authorized.body).event.data.scopes.sort(), ["applications.commands", "identify"]);
  assert.equal(JSON.parse(out.event.body).event.data.user.id, USER);
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(logLines.some((l) => l.includes('"event":"APPLICATION_AUTHORIZED"')), logLines.join("\n"));
  assert.ok(logLines.some((l) => l.includes('"event":"APPLICATION_DEAUTHORIZED"')));
});
