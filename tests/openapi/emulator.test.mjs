// The emulator's answers on every route we call validate against Discord's OpenAPI schemas
// for those routes (JSON Schema 2020-12, ajv): the emulator stands in for discord.com in every
// other test, so its answers must have Discord's shapes.
// Needs: the emulator running at EMULATOR_URL (scripts/test.sh starts it).
import test, { before } from "node:test";
import assert from "node:assert/strict";
import { validator } from "./support.mjs";

const EMU = (process.env.EMULATOR_URL ?? `http://127.0.0.1:${process.env.TEST_EMULATOR_PORT ?? 18790}`).replace(/\/+$/, "");
const API = `${EMU}/api/v10`;
// The emulator's built-in fixtures (emulator/src/fixtures.rs, `ids`).
const APP = "1100000000000000001";
const SECRET = "emulator-client-secret";
const BOT = "Bot emulator-bot-token";
const USER = "1150000000000000001";
const GUILD = "1160000000000000001";
const REDIRECT = "http://localhost:8787/auth/callback";
const SCOPES = "identify email guilds guilds.join guilds.members.read connections role_connections.write";

const validate = validator();
let bearer;

async function json(method, path, auth, body) {
  const res = await fetch(`${API}${path}`, {
    method,
    headers: { authorization: auth, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  assert.ok(res.status === 200 || res.status === 201, `${method} ${path}: ${res.status} ${await res.clone().text()}`);
  return res.json();
}

before(async () => {
  await fetch(`${EMU}/_emulator/reset`, { method: "POST" });
  const auth = await fetch(`${EMU}/_emulator/authorize`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ client_id: APP, redirect_uri: REDIRECT, response_type: "code", scope: SCOPES, state: "s", user_id: USER }),
  }).then((r) => r.json());
  const code = new URL(auth.location).searchParams.get("code");
  assert.ok(code, `a code: ${JSON.stringify(auth)}`);
  const token = await fetch(`${API}/oauth2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${btoa(`${APP}:${SECRET}`)}` },
    body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: REDIRECT }),
  }).then((r) => r.json());
  assert.ok(token.access_token, "an access token");
  bearer = `Bearer ${token.access_token}`;
});

// Linked Roles metadata first, so that the user's role connection can use its keys.
const METADATA = [{ type: 2, key: "level", name: "Level", description: "At least this level", name_localizations: { fr: "Niveau" } }];

const CALLS = [
  ["PUT /applications/{application_id}/role-connections/metadata", "PUT", `/applications/${APP}/role-connections/metadata`, () => BOT, METADATA],
  ["GET /applications/{application_id}/role-connections/metadata", "GET", `/applications/${APP}/role-connections/metadata`, () => BOT],
  ["GET /users/@me", "GET", "/users/@me", () => bearer],
  ["GET /users/@me/guilds", "GET", "/users/@me/guilds", () => bearer],
  ["GET /users/@me/guilds/{guild_id}/member", "GET", `/users/@me/guilds/${GUILD}/member`, () => bearer],
  ["GET /users/@me/connections", "GET", "/users/@me/connections", () => bearer],
  ["GET /oauth2/@me", "GET", "/oauth2/@me", () => bearer],
  ["GET /oauth2/applications/@me", "GET", "/oauth2/applications/@me", () => BOT],
  ["PUT /users/@me/applications/{application_id}/role-connection", "PUT", `/users/@me/applications/${APP}/role-connection`, () => bearer, { platform_name: "Game", platform_username: null, metadata: { level: "3" } }],
  ["GET /users/@me/applications/{application_id}/role-connection", "GET", `/users/@me/applications/${APP}/role-connection`, () => bearer],
];

for (const [route, method, path, auth, body] of CALLS) {
  test(`the emulator's ${route} validates against Discord's schema`, async () => {
    const answer = await json(method, path, auth(), body);
    assert.deepEqual(validate(route, answer), []);
  });
}

test("PUT /guilds/{guild_id}/members/{user_id} (join a server) validates against Discord's schema", async () => {
  // A user already in the server gets 204 without a body: join plain_user to the second
  // server (the bot is in it, plain_user is not).
  const other = "1150000000000000003";
  const server = "1160000000000000002";
  const auth = await fetch(`${EMU}/_emulator/authorize`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ client_id: APP, redirect_uri: REDIRECT, response_type: "code", scope: "identify guilds.join", state: "s", user_id: other }),
  }).then((r) => r.json());
  const code = new URL(auth.location).searchParams.get("code");
  const token = await fetch(`${API}/oauth2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${btoa(`${APP}:${SECRET}`)}` },
    body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: REDIRECT }),
  }).then((r) => r.json());
  const answer = await json("PUT", `/guilds/${server}/members/${other}`, BOT, { access_token: token.access_token });
  assert.deepEqual(validate("PUT /guilds/{guild_id}/members/{user_id}", answer), []);
});

test("the validation can fail: a guild without its required fields is reported", () => {
  const errors = validate("GET /users/@me/guilds", [{ id: "1", name: "x" }]);
  assert.ok(errors.some((e) => e.includes("owner")), errors.join("\n"));
});
