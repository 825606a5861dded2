// Launches Debian's Chromium through playwright-core, headless, with the flags this offline
// machine needs (no background networking) and a fresh profile; and the helpers the
// end-to-end tests share: the demo page with its configuration, console-error capture, the
// emulator's control API and its consent page.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

// playwright's launch() always starts Chromium with a fresh temporary profile (it refuses an
// explicit --user-data-dir; that is launchPersistentContext's job).
export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
}

export const BASE_URL = process.env.E2E_BASE_URL ?? `http://localhost:${process.env.TEST_PORT ?? 18787}`;
export const EMULATOR_URL = (process.env.EMULATOR_URL ?? `http://127.0.0.1:${process.env.TEST_EMULATOR_PORT ?? 18790}`).replace(/\/+$/, "");

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const SCREENSHOT_DIR = join(ROOT, "test-output", "screenshots");

// The emulator's built-in fixtures (emulator/src/fixtures.rs).
export const IDS = {
  confidentialApp: "1100000000000000001",
  publicApp: "1100000000000000002",
  user: "1150000000000000001",
  plainUser: "1150000000000000003",
  ownedGuild: "1160000000000000001",
  adminGuild: "1160000000000000002",
  bigPermsGuild: "1160000000000000003",
};

export const SESSION_COOKIE = "__Host-discord_session";

/** The page's /config.js for this run: the emulator of the tests, wherever it listens. */
export function demoConfig() {
  return {
    backend: `discord-emulator at ${EMULATOR_URL}`,
    workerBase: "",
    serverScopes: ["identify", "guilds", "connections", "guilds.join"],
    joinGuild: { id: IDS.adminGuild, name: "Rustaceans" },
    browser: {
      clientId: IDS.publicApp,
      authorizeEndpoint: `${EMULATOR_URL}/oauth2/authorize`,
      apiBase: `${EMULATOR_URL}/api/v10`,
      scopes: ["identify", "guilds", "connections"],
    },
    cdnBase: `${EMULATOR_URL}/cdn`,
  };
}

/**
 * A fresh browser context (own cookies and storage) on the demo. It serves the page's
 * /config.js for this run's emulator (the file scripts/demo.sh writes for the demo), so the
 * tests neither need nor touch www/config.js. Every console error and uncaught page error of
 * every page in the context, the emulator's consent page included, lands in `errors`.
 */
export async function openDemo(browser, { path = "/", allow = [] } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  await context.route(`${BASE_URL}/config.js`, (route) =>
    route.fulfill({
      status: 200,
      contentType: "text/javascript; charset=utf-8",
      body: `export default ${JSON.stringify(demoConfig(), null, 2)};\n`,
    }));
  const watch = (page) => {
    page.on("console", (m) => {
      if (m.type() !== "error") return;
      const text = `${m.text()} (${m.location()?.url ?? page.url()})`;
      if (!allow.some((re) => re.test(text))) errors.push(text);
    });
    page.on("pageerror", (e) => errors.push(`uncaught: ${e.message}`));
  };
  context.on("page", watch);
  const page = await context.newPage();
  if (page.listenerCount("console") === 0) watch(page);
  if (path !== null) await gotoDemo(page, path);
  return { context, page, errors };
}

/** Opens a path of the demo and waits until app.js has rendered both modes. */
export async function gotoDemo(page, path = "/") {
  const res = await page.goto(BASE_URL + path);
  await waitReady(page);
  return res;
}

export async function waitReady(page) {
  await page.waitForFunction(() => document.documentElement.dataset.ready !== undefined &&
    document.querySelectorAll(".mode[aria-busy='true']").length === 0, null, { timeout: 20_000 });
}

/** Waits until a mode's lists are loaded and every image on the page has arrived. */
export async function waitSettled(page, mode) {
  await page.waitForFunction((m) => {
    const root = document.getElementById(`${m}-mode`);
    return root.querySelector(".user-card") &&
      root.querySelectorAll(".block[aria-busy='true']").length === 0 &&
      [...document.images].every((i) => i.complete);
  }, mode, { timeout: 20_000 });
}

/** Calls the emulator's control API; returns the JSON answer. */
export async function emulator(method, path, body) {
  const res = await fetch(EMULATOR_URL + path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => null);
  if (!res.ok) throw new Error(`emulator ${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/**
 * Puts the emulator back to its fixtures and registers this run's redirect URIs: the
 * Worker's <origin>/auth/callback and the browser-only page <origin>/, on both applications.
 */
export async function prepareEmulator() {
  await emulator("POST", "/_emulator/reset");
  for (const app of [IDS.confidentialApp, IDS.publicApp]) {
    for (const uri of [`${BASE_URL}/auth/callback`, `${BASE_URL}/`]) {
      await emulator("POST", `/_emulator/applications/${app}/redirect_uris`, { uri });
    }
  }
}

/**
 * On the emulator's consent page (emulator/src/consent.rs): picks a user (default: the first
 * fixture user; the page preselects whoever was picked last), then clicks Authorize
 * ("approve") or Cancel ("cancel"), and waits to be back on the demo.
 */
export async function consent(page, { action = "approve", userId = IDS.user } = {}) {
  await page.waitForURL((u) => u.href.startsWith(`${EMULATOR_URL}/oauth2/authorize`), { timeout: 20_000 });
  await page.check(`input[name="user_id"][value="${userId}"]`);
  await Promise.all([
    page.waitForURL((u) => u.href.startsWith(BASE_URL + "/") && !u.pathname.startsWith("/auth/"), { timeout: 20_000 }),
    page.click(`button[name="action"][value="${action}"]`),
  ]);
  await waitReady(page);
}

/** The value of the session cookie in a context, or undefined. */
export async function sessionCookie(context) {
  return (await context.cookies(BASE_URL)).find((c) => c.name === SESSION_COOKIE);
}

/** GET /auth/session from Node with a given session cookie value; returns the status. */
export async function sessionStatus(value) {
  // Node may resolve "localhost" to ::1 while wrangler listens on 127.0.0.1 only.
  const url = BASE_URL.replace("//localhost", "//127.0.0.1") + "/auth/session";
  const res = await fetch(url, { headers: { cookie: `${SESSION_COOKIE}=${value}` } });
  await res.arrayBuffer();
  return res.status;
}

export async function screenshot(page, name) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, name);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * The hooks every end-to-end file needs: the emulator prepared, one Chromium for the file,
 * faults cleared after each test. Returns a getter for the browser.
 */
export function e2eSuite({ before, after, afterEach }) {
  let browser;
  before(async () => {
    await prepareEmulator();
    browser = await launch();
  });
  after(async () => { await browser?.close(); });
  afterEach(async () => { await emulator("DELETE", "/_emulator/faults"); });
  return () => browser;
}

/** Logs in with the login button of `panel` and the emulator's consent page. */
export async function logInWith(page, panel, opts = {}) {
  await page.click(`${panel} button.login`);
  await consent(page, opts);
  await page.locator(`${panel} .user-card`).waitFor({ timeout: 20_000 });
}
