// The npm package as users get it (issue 17): `npm pack` of the built pkg/, installed into a
// throwaway app whose code is the npm README's example, copied from pkg-template/README.md at
// test time; built with the newest Vite and with the oldest one the README supports, served
// from dist/ and used in Chromium: log in against the emulator (standing in for discord.com)
// and show the user. The same for the README's plain <script type="module"> page.
// Needs: pkg/ built (scripts/build-web.sh), the emulator running at EMULATOR_URL, and the
// emulator binary built (its fixtures say who logs in).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readme, fileBlock, plainPage } from "./readme.mjs";
import {
  WORK, prepareApp, viteBuild, serveStatic, allowRedirect, discordContext, logIn, fixtures,
} from "./support.mjs";
import { launch, IDS, emulator } from "../support/browser.mjs";

const README = readme();
const AUTH_TS = fileBlock(README, "src/auth.ts");
const VITE_CONFIG = fileBlock(README, "vite.config.ts");
// The README's code reads the client id from Vite's env, as a user's .env would set it.
const BUILD_ENV = { VITE_DISCORD_CLIENT_ID: IDS.publicApp };

let browser;
let user;
before(async () => {
  await emulator("POST", "/_emulator/reset");
  user = (await fixtures()).users.find((u) => u.id === IDS.user);
  assert.ok(user, "the fixture user exists");
  browser = await launch();
});
after(async () => { await browser?.close(); });

/**
 * Serves `dist`, opens it, logs in with the README's #login button, and checks what the
 * README's code shows: the user's avatar from Discord's CDN (here the emulator's).
 */
async function logInToViteApp(dist) {
  const server = await serveStatic(dist);
  try {
    await allowRedirect(server.url);
    const { context, errors } = await discordContext(browser);
    const page = await context.newPage();
    await page.goto(server.url);
    // The README's code adds the click listener after `await init()` and `handleRedirect()`:
    // wait until the wasm is loaded and nothing is in flight.
    await page.waitForLoadState("networkidle");
    assert.equal(await page.getAttribute("#avatar", "src"), null, "no avatar before login");
    await logIn(page, "#login", server.url);
    await page.waitForFunction(() => document.querySelector("#avatar").complete &&
      document.querySelector("#avatar").naturalWidth > 0, null, { timeout: 20_000 });
    const src = await page.getAttribute("#avatar", "src");
    // avatarUrl's default format: png, or gif for an animated ("a_") hash.
    const ext = user.avatar.startsWith("a_") ? "gif" : "png";
    assert.equal(src, `https://cdn.discordapp.com/avatars/${user.id}/${user.avatar}.${ext}?size=64`);
    assert.equal(new URL(page.url()).search, "", "handleRedirect cleaned the address bar");
    // The session survives a reload (storage: "session"): the README's currentUser() again.
    await page.reload();
    await page.waitForFunction(() => document.querySelector("#avatar").naturalWidth > 0, null, { timeout: 20_000 });
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    await server.close();
  }
}

test("Vite 8 (latest): the README's src/auth.ts builds with no config and logs in", async () => {
  const dir = await prepareApp("vite8", "vite8", { "src/auth.ts": AUTH_TS });
  const built = await viteBuild(dir, BUILD_ENV);
  assert.equal(built.code, 0, built.out);
  await logInToViteApp(join(dir, "dist"));
});

test("Vite 6 (oldest supported): without build.target, vite build fails on the README's top-level await", async () => {
  // The failure issue 17 reported: Vite <= 6 builds for es2020 by default.
  const dir = await prepareApp("vite6", "vite6-default", { "src/auth.ts": AUTH_TS });
  const built = await viteBuild(dir, BUILD_ENV);
  assert.notEqual(built.code, 0, "Vite 6 with its default target must not build top-level await");
  assert.match(built.out, /Top-level await is not available in the configured target environment/);
});

test("Vite 6 (oldest supported): with the README's vite.config.ts it builds and logs in", async () => {
  assert.match(VITE_CONFIG, /target/, "the README's vite.config.ts raises build.target");
  const dir = await prepareApp("vite6", "vite6", { "src/auth.ts": AUTH_TS, "vite.config.ts": VITE_CONFIG });
  const built = await viteBuild(dir, BUILD_ENV);
  assert.equal(built.code, 0, built.out);
  await logInToViteApp(join(dir, "dist"));
});

test("the README's plain <script type=\"module\"> page, with the package copied next to it, logs in", async () => {
  // As the README says: copy node_modules/discord-oauth-wasm/ next to the page. The install
  // is the same tarball into a fresh app (its Vite is not used here).
  const app = await prepareApp("vite8", "plain-install");
  const site = join(WORK, "plain-site");
  rmSync(site, { recursive: true, force: true });
  mkdirSync(site, { recursive: true });
  cpSync(join(app, "node_modules", "discord-oauth-wasm"), join(site, "discord-oauth-wasm"), { recursive: true });
  // The one edit the README asks for: the application's id in place of YOUR_CLIENT_ID.
  const page = plainPage(README);
  assert.ok(page.includes('"YOUR_CLIENT_ID"'), "the README's page has the YOUR_CLIENT_ID placeholder");
  writeFileSync(join(site, "index.html"), page.replace('"YOUR_CLIENT_ID"', JSON.stringify(IDS.publicApp)));

  const server = await serveStatic(site);
  try {
    await allowRedirect(server.url);
    const { context, errors } = await discordContext(browser);
    const tab = await context.newPage();
    await tab.goto(server.url);
    // The page sets #login's onclick once init() and handleRedirect() are done.
    await tab.waitForFunction(() => document.querySelector("#login").onclick !== null, null, { timeout: 20_000 });
    assert.equal(await tab.textContent("#out"), "");
    await logIn(tab, "#login", server.url);
    await tab.waitForFunction(() => document.querySelector("#out").textContent !== "", null, { timeout: 20_000 });
    assert.equal(await tab.textContent("#out"), `Hello ${user.global_name ?? user.username}`);
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    await server.close();
  }
});
