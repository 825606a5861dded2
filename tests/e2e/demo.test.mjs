// End to end: the demo page served by the Worker (wrangler dev) in a real Chromium.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, BASE_URL, openDemo } from "../support/browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("the demo page opens and has its title", async () => {
  const { context, page, errors } = await openDemo(browser, { path: null });
  const res = await page.goto(BASE_URL + "/");
  assert.equal(res.status(), 200);
  assert.equal(await page.title(), "discord-oauth-wasm demo");
  await page.waitForFunction(() => document.documentElement.dataset.ready !== undefined);
  assert.deepEqual(errors, []);
  await context.close();
});

test("a first visit offers both ways to log in, quietly", async () => {
  const { context, page, errors } = await openDemo(browser, { path: null });
  const calls = [];
  page.on("request", (r) => { if (new URL(r.url()).pathname.startsWith("/auth/")) calls.push(r.url()); });
  await page.goto(BASE_URL + "/");
  await page.waitForFunction(() => document.documentElement.dataset.ready === "true");
  assert.equal(await page.locator("#server-mode button.login").textContent(), "Log in with Discord");
  assert.equal(await page.locator("#browser-mode button.login").textContent(), "Log in with Discord");
  assert.ok(await page.locator("#backend").isVisible(), "the header says where the page logs in");
  // Never logged in here: the page does not even ask the Worker (no 401 in the console).
  assert.deepEqual(calls, []);
  assert.equal(await page.locator(".alert:not([hidden])").count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test("the static assets are served with the right types", async () => {
  for (const [path, type] of [["/style.css", "text/css"], ["/app.js", "javascript"],
    ["/config.default.js", "javascript"], ["/favicon.svg", "image/svg+xml"],
    ["/pkg/discord_oauth_wasm.js", "javascript"], ["/pkg/discord_oauth_wasm_bg.wasm", "application/wasm"]]) {
    const res = await fetch(BASE_URL.replace("//localhost", "//127.0.0.1") + path);
    await res.arrayBuffer();
    assert.equal(res.status, 200, path);
    assert.match(res.headers.get("content-type") ?? "", new RegExp(type.replace("+", "\\+")), path);
  }
});
