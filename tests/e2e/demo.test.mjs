// End to end: the demo page served by the Worker (wrangler dev) in a real Chromium.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, BASE_URL } from "../support/browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("the demo page opens and has its title", async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(String(e)));
  const res = await page.goto(BASE_URL + "/");
  assert.equal(res.status(), 200);
  assert.equal(await page.title(), "discord-oauth-wasm demo");
  assert.deepEqual(errors, []);
});
