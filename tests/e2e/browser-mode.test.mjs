// End to end, "Browser only" mode: DiscordOAuthClient with PKCE against the emulator's
// public client, through its consent page (no --auto-approve), in a real Chromium.
import { test, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import {
  e2eSuite, logInWith, BASE_URL, IDS, openDemo, gotoDemo, consent, emulator,
  waitSettled, screenshot,
} from "../support/browser.mjs";

const browser = e2eSuite({ before, after, afterEach });

const panel = "#browser-mode";

const logIn = (page, opts) => logInWith(page, panel, opts);

test("logs in with PKCE through the consent page: user card, servers, connections", async () => {
  const { context, page, errors } = await openDemo(browser());
  const before = await emulator("GET", "/_emulator/counters");
  await page.click(`${panel} button.login`);
  await page.waitForURL((u) => u.pathname === "/oauth2/authorize");
  const authorize = new URL(page.url());
  assert.equal(authorize.searchParams.get("client_id"), IDS.publicApp);
  assert.equal(authorize.searchParams.get("redirect_uri"), BASE_URL + "/");
  assert.equal(authorize.searchParams.get("code_challenge_method"), "S256");
  assert.match(await page.title(), /Emulator Public Client/);
  await consent(page);
  await page.locator(`${panel} .user-card`).waitFor({ timeout: 20_000 });
  assert.equal(new URL(page.url()).href, BASE_URL + "/", "code and state are removed from the address bar");

  const after = await emulator("GET", "/_emulator/counters");
  assert.equal((after.grants.authorization_code ?? 0) - (before.grants.authorization_code ?? 0), 1, "one code exchange");

  const card = page.locator(`${panel} .user-card`);
  assert.equal(await card.locator(".user-global-name").textContent(), "Emulator User");
  assert.equal(await card.locator(".user-username").textContent(), "@emulator_user");
  assert.match(await card.locator(".user-since").textContent(), /^Member since /);
  assert.match(await page.locator(`${panel} .token-info`).textContent(), /identify/);
  await waitSettled(page, "browser");
  assert.equal(await page.locator(`${panel} .guild`).count(), 3);
  assert.equal(await page.locator(`${panel} .guild[data-guild-id="${IDS.ownedGuild}"] .pill`).textContent(), "Owner");
  assert.equal(await page.locator(`${panel} .guild[data-guild-id="${IDS.adminGuild}"] .pill`).textContent(), "Admin");
  assert.equal(await page.locator(`${panel} .connection`).count(), 3);
  // The server-session side is untouched by a browser-only login.
  assert.ok(await page.locator("#server-mode button.login").isVisible());
  await screenshot(page, "browser-mode.png");

  // A reload keeps the tokens of this tab (sessionStorage).
  await gotoDemo(page);
  await page.locator(`${panel} .user-card`).waitFor();
  await waitSettled(page, "browser");

  // Log out: revoked at Discord, forgotten by the tab.
  const revocations = (await emulator("GET", "/_emulator/counters")).revocations;
  await page.click(`${panel} button.logout`);
  await page.locator(`${panel} button.login`).waitFor();
  assert.match(await page.locator(`${panel} .alert`).textContent(), /logged out/);
  assert.equal((await emulator("GET", "/_emulator/counters")).revocations, revocations + 1);
  await gotoDemo(page);
  assert.ok(await page.locator(`${panel} button.login`).isVisible());
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
  assert.equal(new URL(page.url()).search, "", "error and state are removed from the address bar");
  assert.ok(await page.locator(`${panel} button.login`).isVisible());
  assert.deepEqual(errors, []);
  await context.close();
});

test("logging in as another fixture user shows that user", async () => {
  const { context, page, errors } = await openDemo(browser());
  await logIn(page, { userId: "80351110224678912" });
  const card = page.locator(`${panel} .user-card`);
  // Nelly has no global name and a legacy discriminator.
  assert.equal(await card.locator(".user-global-name").textContent(), "Nelly");
  assert.equal(await card.locator(".user-username").textContent(), "Nelly#1337");
  await waitSettled(page, "browser");
  assert.equal(await page.locator(`${panel} .connection`).count(), 1);
  assert.deepEqual(errors, []);
  await context.close();
});

test("a rate limit and an unreachable Discord are shown in plain words", async () => {
  // Chromium logs the failed fetches themselves as console errors: expected here.
  const { context, page, errors } = await openDemo(browser(), {
    allow: [/Failed to load resource: (the server responded with a status of 429|net::ERR_EMPTY_RESPONSE)/],
  });
  await emulator("POST", "/_emulator/faults", {
    route: "GET /api/v10/users/@me/guilds", kind: "status", status: 429, retry_after: 5, count: 3,
  });
  await emulator("POST", "/_emulator/faults", {
    route: "GET /api/v10/users/@me/connections", kind: "drop", count: 3,
  });
  await logIn(page);
  await page.waitForFunction(() => document.querySelectorAll("#browser-mode .block[aria-busy='true']").length === 0,
    null, { timeout: 20_000 });
  assert.match(await page.locator(`${panel} .guilds .list-error`).textContent(), /rate limit.*try again in 5 seconds/i);
  assert.match(await page.locator(`${panel} .connections .list-error`).textContent(), /Discord could not be reached/);
  assert.equal(await page.locator(`${panel} .user-global-name`).textContent(), "Emulator User");
  await screenshot(page, "browser-mode-errors.png");
  assert.deepEqual(errors, []);
  await context.close();
});
