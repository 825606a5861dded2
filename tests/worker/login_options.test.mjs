// GET /auth/login's options and what the login returned (docs/contract.md §12): Discord's
// authorize parameters through the Worker, `data` sealed in the state cookie, the bot flow's
// guild and the webhook kept with the session, in workerd against the emulator.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import {
  startWorker, resetEmulator, request, startLogin, approve, login, setCookies, errorBody,
  kvEntries, SESSION_COOKIE, STATE_COOKIE, CLIENT_ID, OWNED_GUILD,
} from "../support/worker.mjs";

let mf;
before(() => { mf = startWorker(); });
after(() => mf.dispose());
beforeEach(resetEmulator);

const session = (cookie) => request(mf, "/auth/session", { cookies: { [SESSION_COOKIE]: cookie } });

test("the authorize parameters pass through; identify is always added; reserved ones are never taken from the query", async () => {
  const q = new URLSearchParams({
    scope: "bot applications.commands", permissions: "2147483656", guild_id: OWNED_GUILD,
    disable_guild_select: "true", integration_type: "0", prompt: "consent",
    redirect_uri: "https://evil.example/cb", client_id: "1", state: "mine", response_type: "token",
    code_challenge: "x", code_challenge_method: "plain",
  });
  const { location } = await startLogin(mf, `?${q}`);
  const p = location.searchParams;
  assert.deepEqual(p.get("scope").split(" ").sort(), ["applications.commands", "bot", "identify"]);
  assert.equal(p.get("permissions"), "2147483656");
  assert.equal(p.get("guild_id"), OWNED_GUILD);
  assert.equal(p.get("disable_guild_select"), "true");
  assert.equal(p.get("integration_type"), "0");
  assert.equal(p.get("prompt"), "consent");
  assert.equal(p.get("client_id"), CLIENT_ID);
  assert.equal(p.get("response_type"), "code");
  assert.equal(p.get("redirect_uri"), "http://localhost/auth/callback");
  assert.notEqual(p.get("state"), "mine");
  assert.equal(p.get("code_challenge_method"), "S256");
  assert.notEqual(p.get("code_challenge"), "x");
});

test("malformed options are 400 invalid_request with no redirect and no state cookie", async () => {
  for (const [name, value] of [
    ["permissions", "-8"], ["permissions", "99999999999999999999"], ["guild_id", "abc"],
    ["disable_guild_select", "1"], ["integration_type", "3"], ["data", "{nope"],
    ["data", JSON.stringify("x".repeat(1100))], ["prompt", "always"],
  ]) {
    const res = await request(mf, `/auth/login?${new URLSearchParams({ [name]: value })}`);
    assert.equal(res.status, 400, `${name}=${value}`);
    assert.equal((await errorBody(res)).error, "invalid_request");
    assert.equal(res.headers.get("location"), null);
    assert.equal(setCookies(res)[STATE_COOKIE], undefined);
  }
  const res = await request(mf, "/auth/login?scope=identify%20nonsense");
  assert.equal(res.status, 400);
  assert.equal((await errorBody(res)).error, "invalid_scope");
});

test("data goes to Discord nowhere, travels sealed in the state cookie and comes back in /auth/session", async () => {
  const data = { next: "/settings", tab: 2, secret_marker: "do-not-leak-7f3a" };
  const { location, state } = await startLogin(mf, `?${new URLSearchParams({ data: JSON.stringify(data) })}`);
  assert.ok(!location.href.includes("do-not-leak"), "data is not in the authorize URL");
  assert.ok(!state.includes("do-not-leak") && !Buffer.from(state.split(".")[0], "base64url").toString().includes("do-not-leak"),
    "the state cookie is sealed");
  const callback = await approve(location);
  const res = await request(mf, callback, { cookies: { [STATE_COOKIE]: state } });
  assert.equal(res.status, 302);
  const cookie = setCookies(res)[SESSION_COOKIE].value;
  const body = await (await session(cookie)).json();
  assert.deepEqual(body.data, data);
  assert.equal(body.guild, undefined);
  assert.equal(body.webhook, undefined);
});

test("the bot flow: the guild of the token response is kept with the session and shown by /auth/session", async () => {
  const { session: cookie } = await login(mf, {
    query: `?${new URLSearchParams({ scope: "bot", permissions: "8", guild_id: OWNED_GUILD })}`,
  });
  const body = await (await session(cookie)).json();
  assert.equal(body.guild?.id, OWNED_GUILD);
  assert.ok(body.scopes.includes("bot"));
});

test("webhook.incoming: the webhook is shown without its token and url; its credentials are sealed at rest", async () => {
  const { session: cookie } = await login(mf, {
    query: `?${new URLSearchParams({ scope: "webhook.incoming", guild_id: OWNED_GUILD })}`,
  });
  const res = await session(cookie);
  const text = await res.text();
  const body = JSON.parse(text);
  assert.ok(body.webhook?.id && body.webhook.channel_id, text);
  assert.equal(body.webhook.token, undefined);
  assert.equal(body.webhook.url, undefined);
  assert.doesNotMatch(text, /\/webhooks\/\d+\//, "no webhook URL in the body");
  for (const { value } of await kvEntries(mf)) {
    assert.doesNotMatch(value, /\/webhooks\/\d+\//, "no webhook URL stored in the clear");
    assert.doesNotMatch(value, /"token"/);
  }
});
