// DiscordSession (the npm package's plain-JS client of our Worker) against the real Worker
// under wrangler dev and the emulator, in Chromium: every method reaches its route, and every
// error keeps the Worker's own code (docs/errors.md). Replaces the browser test that drove it
// against hand-written JSON.
import { test, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { e2eSuite, logInWith, BASE_URL, IDS, openDemo, waitSettled, emulator } from "../support/browser.mjs";

const browser = e2eSuite({ before, after, afterEach });

/** Runs `fn(DiscordSession, args)` in the page with the package the demo serves. */
const inPage = (page, fn, args = {}) =>
  page.evaluate(async ({ source, args }) => {
    const { DiscordSession } = await import("/pkg/index.js");
    const run = new Function("DiscordSession", "args", `return (${source})(DiscordSession, args);`);
    try {
      return { ok: await run(DiscordSession, args) };
    } catch (e) {
      return { error: { name: e.name, code: e.code, status: e.status, retryAfter: e.retryAfter, global: e.global, message: e.message } };
    }
  }, { source: fn.toString(), args });

test("logged out: user() is null, the reads are unauthorized, loginUrl carries its options", async () => {
  const { context, page } = await openDemo(browser());
  assert.deepEqual(await inPage(page, (S) => new S().user()), { ok: null });
  const guilds = await inPage(page, (S) => new S().guilds());
  assert.equal(guilds.error.name, "DiscordOAuthError");
  assert.equal(guilds.error.code, "unauthorized");
  assert.equal(guilds.error.status, 401);
  const url = await inPage(page, (S) => new S({ baseUrl: "https://app.example/" }).loginUrl({ returnTo: "/x?y=1", scopes: ["identify", "guilds"], prompt: "none" }));
  assert.equal(url.ok, "https://app.example/auth/login?return_to=%2Fx%3Fy%3D1&scope=identify+guilds&prompt=none");
  assert.equal((await inPage(page, (S) => new S().loginUrl())).ok, "/auth/login");
  // The bot parameters and data of docs/contract.md §12, as the Worker reads them.
  const bot = await inPage(page, (S) => new S().loginUrl({
    scopes: ["identify", "bot"], permissions: 2048n, guildId: "1160000000000000002",
    disableGuildSelect: true, integrationType: 0, data: { plan: "pro" },
  }));
  const query = new URL(bot.ok, "http://x").searchParams;
  assert.deepEqual(Object.fromEntries(query), {
    scope: "identify bot", permissions: "2048", guild_id: "1160000000000000002",
    disable_guild_select: "true", integration_type: "0", data: '{"plan":"pro"}',
  });
  assert.deepEqual(await inPage(page, (S) => new S().session()), { ok: null });
  const bad = await inPage(page, (S) => new S({ baseUrl: 5 }));
  assert.equal(bad.error.code, "config_error");
  await context.close();
});

test("logged in: every method reaches its Worker route; the Worker's codes are kept", async () => {
  const { context, page } = await openDemo(browser());
  await logInWith(page, "#server-mode");
  await waitSettled(page, "server");

  const user = await inPage(page, (S) => new S().user());
  assert.equal(user.ok.id, IDS.user);
  const whole = await inPage(page, (S) => new S().session());
  assert.equal(whole.ok.user.id, IDS.user);
  assert.ok(whole.ok.scopes.includes("identify") && typeof whole.ok.expires_at === "string");
  const guilds = await inPage(page, (S) => new S().guilds());
  assert.ok(guilds.ok.some((g) => g.id === IDS.ownedGuild));
  const connections = await inPage(page, (S) => new S().connections());
  assert.ok(Array.isArray(connections.ok) && connections.ok.length > 0);
  // The demo's login does not ask for guilds.members.read: Discord's 403 comes through as is.
  const member = await inPage(page, (S, a) => new S().guildMember(a.guild), { guild: IDS.ownedGuild });
  assert.equal(member.error?.code, "forbidden", JSON.stringify(member));
  assert.equal(member.error.status, 403);

  // Worker-only codes come through as they are, not collapsed to forbidden / not_found.
  const notAllowed = await inPage(page, (S, a) => new S().joinGuild(a.guild, { nick: "x" }), { guild: IDS.ownedGuild });
  assert.equal(notAllowed.error.code, "guild_not_allowed");
  assert.equal(notAllowed.error.status, 403);
  const noGuild = await inPage(page, (S) => new S().guildMember("not-an-id"));
  assert.equal(noGuild.error.code, "not_found");

  // A Discord 429 on a read: rate_limited with retryAfter.
  await emulator("POST", "/_emulator/faults", { route: "GET /api/v10/users/@me/connections", kind: "status", status: 429, count: 1, retry_after: 2.5 });
  const limited = await inPage(page, (S) => new S().connections());
  assert.equal(limited.error.code, "rate_limited");
  assert.ok(limited.error.retryAfter > 0, JSON.stringify(limited.error));

  const out = await inPage(page, (S) => new S().logout());
  assert.equal(out.error, undefined, JSON.stringify(out.error));
  assert.deepEqual(await inPage(page, (S) => new S().user()), { ok: null });
  await context.close();
});

test("a Worker that cannot be reached is network_error", async () => {
  const { context, page } = await openDemo(browser());
  const r = await inPage(page, (S) => new S({ baseUrl: "http://127.0.0.1:9" }).user());
  assert.equal(r.error.code, "network_error");
  await context.close();
});
