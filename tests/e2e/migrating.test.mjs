// The migration guides' example app (docs/migrating/examples/app.html, the block every guide
// shows; tests/docs/migrating.test.mjs checks they are the same) run as it is: the Worker serves
// it at /migrating/ (www/migrating/index.html links to it) beside its routes and the package, in
// Chromium against the emulator. Log in, the user and their servers, add the bot to a server,
// log out.
import { test, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { e2eSuite, BASE_URL, EMULATOR_URL, IDS, sessionCookie, emulator } from "../support/browser.mjs";

const browser = e2eSuite({ before, after, afterEach });
const APP = readFileSync(join(import.meta.dirname, "../../docs/migrating/examples/app.html"), "utf8");
const PATH = "/migrating/";

/** A fresh context on the example page as the Worker serves it. */
async function openApp() {
  const context = await browser().newContext();
  const errors = [];
  const page = await context.newPage();
  page.on("pageerror", (e) => errors.push(`uncaught: ${e.message}`));
  // A 401 from /auth/session while logged out is the answer the page expects, not an error.
  page.on("console", (m) => { if (m.type() === "error" && !/^Failed to load resource/.test(m.text())) errors.push(m.text()); });
  await page.goto(BASE_URL + PATH);
  await rendered(page);
  return { context, page, errors };
}

const rendered = (page) =>
  page.waitForFunction(() => document.getElementById("app")?.getAttribute("aria-busy") === null, null, { timeout: 20_000 });

/** Approves on the emulator's consent page (picking a server when it offers some) and waits
 * for the Worker to bring the browser back to the example page. */
async function approve(page, { guildId } = {}) {
  await page.waitForURL((u) => u.href.startsWith(`${EMULATOR_URL}/oauth2/authorize`), { timeout: 20_000 });
  await page.check(`input[name="user_id"][value="${IDS.user}"]`);
  if (guildId && await page.locator("select#guild_id").count()) await page.selectOption("select#guild_id", guildId);
  await Promise.all([
    page.waitForURL((u) => u.href === BASE_URL + PATH, { timeout: 20_000 }),
    page.click(`button[name="action"][value="approve"]`),
  ]);
  await rendered(page);
}

test("the Worker serves the guides' example file as it is", async () => {
  const res = await fetch(BASE_URL.replace("//localhost", "//127.0.0.1") + PATH);
  assert.equal(res.status, 200);
  assert.equal(await res.text(), APP);
});

test("the guides' example: log in, the user and their servers, add the bot, log out", async () => {
  const { context, page, errors } = await openApp();

  // Logged out: only the login button.
  assert.equal(await page.locator("#login").count(), 1);
  assert.equal(await page.locator("#user").count(), 0);

  // Log in: the Worker's /auth/login with the page's scopes and return path.
  const [authorize] = await Promise.all([
    page.waitForRequest((r) => r.url().startsWith(`${EMULATOR_URL}/oauth2/authorize`)),
    page.click("#login"),
  ]);
  const asked = new URL(authorize.url()).searchParams;
  assert.deepEqual(asked.get("scope").split(" ").sort(), ["guilds", "identify"]);
  await approve(page);
  assert.ok(await sessionCookie(context), "the Worker set its session cookie");

  // The user and their servers, read through the Worker.
  // displayName(): the fixture user's global_name (emulator/src/fixtures.rs).
  assert.equal((await page.textContent("#user")).trim(), "Emulator User");
  assert.match(await page.getAttribute("#user img", "src"), /\/avatars\/|\/embed\/avatars\//);
  const listed = await page.$$eval("#guilds li", (lis) => lis.map((li) => li.dataset.id));
  assert.ok(listed.includes(IDS.ownedGuild), JSON.stringify(listed));
  assert.equal(await page.locator("#bot-added").count(), 0);

  // Add the bot to the server the user owns: /auth/login with Discord's bot parameters.
  const link = page.locator(`#guilds li[data-id="${IDS.ownedGuild}"] a.add-bot`);
  const href = new URL(await link.getAttribute("href"), BASE_URL);
  assert.equal(href.pathname, "/auth/login");
  assert.equal(href.searchParams.get("permissions"), "2048");
  assert.equal(href.searchParams.get("guild_id"), IDS.ownedGuild);
  const [botAuthorize] = await Promise.all([
    page.waitForRequest((r) => r.url().startsWith(`${EMULATOR_URL}/oauth2/authorize`)),
    link.click(),
  ]);
  const botAsked = new URL(botAuthorize.url()).searchParams;
  assert.ok(botAsked.get("scope").split(" ").includes("bot"));
  assert.equal(botAsked.get("permissions"), "2048");
  await approve(page, { guildId: IDS.ownedGuild });
  // The Worker kept the token response's guild with the session; the page shows it.
  const ownedName = await page.textContent(`#guilds li[data-id="${IDS.ownedGuild}"]`);
  const added = await page.textContent("#bot-added");
  assert.ok(ownedName.startsWith(added.replace("Bot added to ", "")), `${added} / ${ownedName}`);

  // Log out: the Worker revokes and forgets the session; the page is logged out again.
  await Promise.all([page.waitForEvent("load"), page.click("#logout")]);
  await rendered(page);
  assert.equal(await page.locator("#login").count(), 1);
  assert.equal(await sessionCookie(context), undefined);
  assert.deepEqual(errors, []);
  await context.close();
});
