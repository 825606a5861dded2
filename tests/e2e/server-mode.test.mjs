// End to end, "Server session" mode: the demo page, the Worker under wrangler dev (local KV)
// and the discord-emulator's consent page (no --auto-approve), in a real Chromium.
import { test, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import {
  e2eSuite, logInWith, BASE_URL, IDS, openDemo, gotoDemo, consent, emulator,
  sessionCookie, sessionStatus, waitSettled, screenshot,
} from "../support/browser.mjs";

const browser = e2eSuite({ before, after, afterEach });

const panel = "#server-mode";

const logIn = (page, opts) => logInWith(page, panel, opts);

test("logs in through the consent page: user card, servers, connections; survives a reload", async () => {
  const { context, page, errors } = await openDemo(browser());
  await logIn(page);
  assert.equal(new URL(page.url()).href, BASE_URL + "/", "back on the page, no OAuth parameters left");

  const card = page.locator(`${panel} .user-card`);
  assert.equal(await card.locator(".user-global-name").textContent(), "Emulator User");
  assert.equal(await card.locator(".user-username").textContent(), "@emulator_user");
  assert.match(await card.locator(".user-since").textContent(), /^Member since .*20\d\d/);
  const badges = await card.locator(".badge").allTextContents();
  assert.ok(badges.includes("Active Developer"), `badges: ${badges}`);
  assert.ok(badges.includes("HypeSquad Bravery"), `badges: ${badges}`);
  const avatar = await card.locator(".user-avatar").getAttribute("src");
  assert.match(avatar, /\/cdn\/avatars\/1150000000000000001\/a_1269e74af4df7417b13759eae50c83dc\.gif\?size=128$/);
  assert.ok(await card.locator(".user-avatar").evaluate((img) => img.naturalWidth > 0), "the avatar loaded");
  // Discord's 2025–26 profile: the avatar decoration over the avatar, the server tag and badge.
  const loaded = (img) => img.complete
    ? img.naturalWidth > 0
    : new Promise((r) => { img.onload = () => r(img.naturalWidth > 0); img.onerror = () => r(false); });
  const decoration = card.locator(".user-decoration");
  assert.match(await decoration.getAttribute("src"), /\/cdn\/avatar-decoration-presets\/a_fed43ab12698df65902ba06727e20c0e\.png\?size=128$/);
  assert.ok(await decoration.evaluate(loaded), "the decoration loaded");
  assert.equal(await card.locator(".server-tag-text").textContent(), "EMU");
  const tagBadge = card.locator(".server-tag-badge");
  assert.match(await tagBadge.getAttribute("src"), new RegExp(`/cdn/guild-tag-badges/${IDS.ownedGuild}/7d1734ae5a615e82bc7a4033b98fade8\\.png\\?size=32$`));
  assert.ok(await tagBadge.evaluate(loaded), "the tag badge loaded");

  await waitSettled(page, "server");
  const guilds = page.locator(`${panel} .guild`);
  assert.equal(await guilds.count(), 3);
  assert.equal(await page.locator(`${panel} .guild[data-guild-id="${IDS.ownedGuild}"] .pill`).textContent(), "Owner");
  assert.equal(await page.locator(`${panel} .guild[data-guild-id="${IDS.adminGuild}"] .pill`).textContent(), "Admin");
  assert.equal(await page.locator(`${panel} .guild[data-guild-id="${IDS.bigPermsGuild}"] .pill`).textContent(), "Admin");
  assert.equal(await page.locator(`${panel} .guild[data-guild-id="${IDS.bigPermsGuild}"] .guild-initials`).textContent(), "PO");
  const connections = await page.locator(`${panel} .connection .connection-name`).allTextContents();
  assert.deepEqual(connections.sort(), ["Emulator Channel", "emulatorstreams", "octocat"]);
  await screenshot(page, "server-mode.png");

  // Reload: still logged in (the HttpOnly cookie and the Worker's KV session).
  await gotoDemo(page);
  await page.locator(`${panel} .user-card`).waitFor();
  assert.equal(await page.locator(`${panel} .user-global-name`).textContent(), "Emulator User");
  await waitSettled(page, "server");
  assert.deepEqual(errors, []);
  await context.close();
});

test("log out: the page forgets the user and the old cookie no longer answers /auth/session", async () => {
  const { context, page, errors } = await openDemo(browser());
  await logIn(page);
  await waitSettled(page, "server");
  const cookie = await sessionCookie(context);
  assert.ok(cookie, "a session cookie was set");
  assert.ok(cookie.httpOnly && cookie.secure, "the session cookie is HttpOnly and Secure");
  assert.equal(await sessionStatus(cookie.value), 200);
  const revocations = (await emulator("GET", "/_emulator/counters")).revocations;

  await page.click(`${panel} button.logout`);
  await page.locator(`${panel} button.login`).waitFor();
  assert.match(await page.locator(`${panel} .alert`).textContent(), /logged out/);
  assert.equal(await sessionCookie(context), undefined, "the cookie is cleared");
  assert.equal(await sessionStatus(cookie.value), 401, "the old cookie is dead");
  assert.equal((await emulator("GET", "/_emulator/counters")).revocations, revocations + 1, "the grant was revoked at Discord");

  await gotoDemo(page);
  await page.locator(`${panel} button.login`).waitFor();
  assert.equal(await page.locator(`${panel} .user-card`).count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test("cancelling on the consent page shows a plain-words message", async () => {
  const { context, page, errors } = await openDemo(browser());
  await page.click(`${panel} button.login`);
  await consent(page, { action: "cancel" });
  const alert = page.locator(`${panel} .alert`);
  await alert.waitFor();
  assert.match(await alert.textContent(), /You cancelled the login on Discord/);
  assert.doesNotMatch(await alert.textContent(), /Error|at |access_denied/);
  assert.equal(new URL(page.url()).search, "", "auth_error is removed from the address bar");
  assert.ok(await page.locator(`${panel} button.login`).isVisible());
  assert.equal(await sessionCookie(context), undefined);
  await screenshot(page, "server-mode-cancelled.png");
  assert.deepEqual(errors, []);
  await context.close();
});

test("\"Join our server\" adds the user to the configured guild", async () => {
  const { context, page, errors } = await openDemo(browser());
  // The plain user is not in Rustaceans yet (emulator fixtures).
  await logIn(page, { userId: IDS.plainUser });
  assert.equal(await page.locator(`${panel} .user-global-name`).textContent(), "Plain");
  await waitSettled(page, "server");
  const join = page.locator(`${panel} button.join`);
  assert.equal(await join.textContent(), "Join Rustaceans");
  await join.click();
  const alert = page.locator(`${panel} .alert`);
  await alert.waitFor();
  assert.match(await alert.textContent(), /You joined Rustaceans/);
  await join.click();
  await page.waitForFunction(() => /already a member/.test(document.querySelector("#server-mode .alert")?.textContent));
  assert.deepEqual(errors, []);
  await context.close();
});

test("a rate limit and an unreachable Discord are shown in plain words", async () => {
  // Network failures of the page's own fetches are logged by Chromium as console errors;
  // here they are expected (the Worker answers 429 and 502).
  const { context, page, errors } = await openDemo(browser(), {
    allow: [/Failed to load resource: the server responded with a status of (429|502)/],
  });
  await emulator("POST", "/_emulator/faults", {
    route: "GET /api/v10/users/@me/guilds", kind: "status", status: 429, retry_after: 3, count: 3,
  });
  await emulator("POST", "/_emulator/faults", {
    route: "GET /api/v10/users/@me/connections", kind: "status", status: 503, count: 3,
  });
  await logIn(page);
  await page.waitForFunction(() => document.querySelectorAll("#server-mode .block[aria-busy='true']").length === 0);
  const guildError = await page.locator(`${panel} .guilds .list-error`).textContent();
  assert.match(guildError, /rate limit/i);
  assert.match(guildError, /try again in 3 seconds/i);
  const connectionError = await page.locator(`${panel} .connections .list-error`).textContent();
  assert.match(connectionError, /Discord is not answering right now/);
  // Still logged in: the card is there.
  assert.equal(await page.locator(`${panel} .user-global-name`).textContent(), "Emulator User");
  await screenshot(page, "server-mode-errors.png");
  assert.deepEqual(errors, []);
  await context.close();
});
