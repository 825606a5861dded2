// End to end, a Discord Activity: the Activity page runs inside an iframe on ANOTHER site (as
// discord.com frames {client_id}.discordsays.com), with third-party cookies blocked (Chromium's
// "Block third-party cookies" setting, as Safari and Firefox's strict mode do). It uses
// the real @discord/embedded-app-sdk's DiscordSDKMock, whose `authorize` is answered by the
// emulator's /_emulator/activity/authorize (what the Discord client would do), calls the
// package's activityLogin through the Worker (wrangler dev) and then reads /api/users/@me with
// the partitioned session cookie.
//
// Hosts: the outer page ("discord.com") is http://127.0.0.1:<port of a small server here>; the
// Activity and the Worker are BASE_URL (http://localhost:<TEST_PORT>): two different sites, both
// secure contexts to Chromium (loopback), so Secure and __Host- cookies work over http.
//
// A test of the test first shows that third-party cookies really are blocked there: a cookie
// without `Partitioned` set in the frame is not sent back, one with `Partitioned` is.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { chromium } from "playwright-core";
import { BASE_URL, EMULATOR_URL, IDS, SESSION_COOKIE, emulator, prepareEmulator } from "../support/browser.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const CLIENT_ID = IDS.confidentialApp; // wrangler.toml's DISCORD_CLIENT_ID
const ACTIVITY_PATH = "/__e2e_activity/"; // served to the browser by this test, on the Worker's origin

// Third-party cookies blocked as Safari and Firefox's strict mode do: Chromium's own setting
// "Block third-party cookies" (the profile preference `profile.cookie_controls_mode`: 0 allow,
// 1 block), written into a fresh profile. Command-line switches tried here
// (--test-third-party-cookie-phaseout, --enable-features=TrackingProtection3pcd) did not
// change what a frame may store; the preference does, as the probe test below shows both ways.
const ALLOW_THIRD_PARTY = 0;
const BLOCK_THIRD_PARTY = 1;

/** A browser with a fresh persistent profile whose cookie setting is `mode`. */
function openProfile(mode) {
  const dir = mkdtempSync(join(tmpdir(), "activity-e2e-"));
  profiles.push(dir);
  mkdirSync(join(dir, "Default"));
  writeFileSync(join(dir, "Default", "Preferences"), JSON.stringify({
    profile: { cookie_controls_mode: mode, block_third_party_cookies: mode === BLOCK_THIRD_PARTY },
  }));
  return chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
}
const profiles = [];

// The Activity's script: the SDK's mock and the package's published entry (pkg/index.js,
// built by scripts/build-web.sh), bundled as an Activity's bundler would.
async function activityBundle() {
  const result = await build({
    stdin: {
      contents: `
        import { DiscordSDKMock } from "@discord/embedded-app-sdk";
        import { activityLogin } from "./pkg/index.js";
        // The Discord client's side of the two commands is played by the test (exposed bindings).
        window.runActivity = async ({ clientId, scopes, deny = false }) => {
          const sdk = new DiscordSDKMock(clientId, null, null, null);
          sdk._updateCommandMocks({
            authorize: deny
              ? () => Promise.reject({ code: 5000, message: "OAuth2 Error: access_denied" })
              : (args) => window.discordClientAuthorize(args),
            authenticate: (args) => window.discordClientAuthenticate(args),
          });
          try {
            const auth = await activityLogin(sdk, { scopes, tokenUrl: "/api/token" });
            const me = await fetch("/api/users/@me", { credentials: "include" });
            return { auth, me: { status: me.status, body: await me.json() } };
          } catch (e) {
            return { error: { name: e.name, code: e.code, message: e.message, discordCode: e.discordCode, isError: e instanceof Error } };
          }
        };
        window.activityReady = true;`,
      resolveDir: ROOT,
      sourcefile: "activity-e2e.js",
    },
    bundle: true,
    format: "esm",
    platform: "browser",
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0].text;
}

const ACTIVITY_HTML = `<!doctype html><meta charset="utf-8"><title>Activity</title>
<script type="module" src="${ACTIVITY_PATH}activity.js"></script><p>activity</p>`;

// The outer site, and the cookie probe (same server, reached as localhost: the Worker's site).
const PROBE_HTML = `<!doctype html><meta charset="utf-8"><script>
window.probe = async () => {
  await fetch("/probe/set", { credentials: "include" });
  const res = await fetch("/probe/echo", { credentials: "include" });
  return await res.text();
};
</script><p>probe</p>`;
let server;
let outerPort;
function startOuterSite() {
  server = createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    if (url.pathname === "/frame") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(`<!doctype html><meta charset="utf-8"><title>discord.com stand-in</title>
        <iframe id="activity" src="${url.searchParams.get("src")}" width="800" height="600"></iframe>`);
    } else if (url.pathname === "/probe.html") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(PROBE_HTML);
    } else if (url.pathname === "/probe/set") {
      res.writeHead(204, {
        "set-cookie": [
          "plain=1; Path=/; Secure; SameSite=None",
          "chips=1; Path=/; Secure; SameSite=None; Partitioned",
        ],
      });
      res.end();
    } else if (url.pathname === "/probe/echo") {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end(req.headers.cookie ?? "");
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => {
    outerPort = server.address().port;
    resolve();
  }));
}

let bundle;
before(async () => {
  await prepareEmulator();
  bundle = await activityBundle();
  await startOuterSite();
});
after(async () => {
  await new Promise((r) => server ? server.close(r) : r());
  for (const dir of profiles) rmSync(dir, { recursive: true, force: true });
});

/** What the probe frame (Worker's site, inside the outer site) sends back after setting its
 * two cookies; and what the same probe sends as a top-level page. */
async function probe(context) {
  const page = await context.newPage();
  const probeOrigin = `http://localhost:${outerPort}`;
  await page.goto(`http://127.0.0.1:${outerPort}/frame?src=${encodeURIComponent(`${probeOrigin}/probe.html`)}`);
  const frame = await frameOf(page, probeOrigin);
  const framed = await frame.evaluate(() => window.probe());
  const top = await context.newPage();
  await top.goto(`${probeOrigin}/probe.html`);
  return { framed, topLevel: await top.evaluate(() => window.probe()) };
}

/** The frame of `page` whose URL starts with `prefix`, once its document has loaded. */
async function frameOf(page, prefix) {
  const handle = await page.waitForSelector("iframe#activity");
  const frame = await handle.contentFrame();
  await frame.waitForLoadState("load");
  assert.ok(frame.url().startsWith(prefix), frame.url());
  return frame;
}

test("test of the test: with third-party cookies blocked, a frame's cookie without Partitioned is dropped and a partitioned one works", async () => {
  const blocked = await openProfile(BLOCK_THIRD_PARTY);
  const { framed, topLevel } = await probe(blocked);
  await blocked.close();
  assert.match(framed, /chips=1/, `the partitioned cookie comes back (sent: "${framed}")`);
  assert.doesNotMatch(framed, /plain=1/, `the unpartitioned cookie is blocked (sent: "${framed}")`);
  // As a top-level page both cookies work: the frame's refusal is the third-party block.
  assert.match(topLevel, /plain=1/, `first party: "${topLevel}"`);
  // And the probe does see the setting: with third-party cookies allowed, the frame keeps both.
  const allowed = await openProfile(ALLOW_THIRD_PARTY);
  const open = await probe(allowed);
  await allowed.close();
  assert.match(open.framed, /plain=1/, `allowed: "${open.framed}"`);
});

test("the Activity in a cross-site iframe logs in and reads /api/users/@me with its partitioned cookie, third-party cookies blocked", async () => {
  const context = await openProfile(BLOCK_THIRD_PARTY);
  const errors = [];
  await context.route(`${BASE_URL}${ACTIVITY_PATH}**`, (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path.endsWith("/activity.js")) {
      return route.fulfill({ status: 200, contentType: "text/javascript; charset=utf-8", body: bundle });
    }
    return route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", body: ACTIVITY_HTML });
  });
  const page = await context.newPage();
  page.on("pageerror", (e) => errors.push(e.message));
  const authorizeCalls = [];
  // The Discord client: authorize hands out a code without redirect_uri (the emulator's
  // activity route); authenticate checks the token at "Discord" and describes the grant.
  await page.exposeBinding("discordClientAuthorize", async (_source, args) => {
    authorizeCalls.push(args);
    const { code } = await emulator("POST", "/_emulator/activity/authorize", {
      client_id: args.client_id, scope: args.scope, user_id: IDS.user,
    });
    return { code };
  });
  await page.exposeBinding("discordClientAuthenticate", async (_source, { access_token }) => {
    const res = await fetch(`${EMULATOR_URL}/api/v10/oauth2/@me`, { headers: { authorization: `Bearer ${access_token}` } });
    if (!res.ok) throw new Error(`authenticate: ${res.status}`);
    const info = await res.json();
    return { access_token, user: info.user, scopes: info.scopes, expires: info.expires, application: info.application };
  });

  await page.goto(`http://127.0.0.1:${outerPort}/frame?src=${encodeURIComponent(`${BASE_URL}${ACTIVITY_PATH}`)}`);
  const frame = await frameOf(page, BASE_URL);
  await frame.waitForFunction(() => window.activityReady === true);
  const before = await emulator("GET", "/_emulator/counters");
  const result = await frame.evaluate((o) => window.runActivity(o), { clientId: CLIENT_ID, scopes: ["identify", "guilds"] });
  assert.equal(result.error, undefined, JSON.stringify(result.error));

  // authorize was called as docs/contract.md §8 says.
  assert.equal(authorizeCalls.length, 1);
  const [args] = authorizeCalls;
  assert.equal(args.client_id, CLIENT_ID);
  assert.equal(args.response_type, "code");
  assert.equal(args.prompt, "none");
  assert.deepEqual(args.scope, ["identify", "guilds"]);
  assert.match(args.state, /^[A-Za-z0-9_-]{22}$/);
  // authenticate's result, and the session cookie at work: /api/users/@me from the frame.
  assert.equal(result.auth.user.id, IDS.user);
  assert.deepEqual(result.auth.scopes, ["identify", "guilds"]);
  assert.equal(result.me.status, 200, JSON.stringify(result.me.body));
  assert.equal(result.me.body.id, IDS.user);
  const afterCounters = await emulator("GET", "/_emulator/counters");
  assert.equal(afterCounters.exchanges_without_redirect_uri - before.exchanges_without_redirect_uri, 1);

  // The cookie is partitioned under the outer site: the same Worker opened top-level (its
  // own, unpartitioned cookie jar) has no session.
  const cookies = (await context.cookies(BASE_URL)).filter((c) => c.name === SESSION_COOKIE);
  assert.equal(cookies.length, 1);
  assert.ok(cookies[0].httpOnly && cookies[0].secure && cookies[0].sameSite === "None", JSON.stringify(cookies[0]));
  assert.equal(cookies[0].partitionKey, "http://127.0.0.1", "kept in the outer site's partition");
  const top = await context.newPage();
  const res = await top.goto(`${BASE_URL}/auth/session`);
  assert.equal(res.status(), 401, "no session outside the partition");
  assert.deepEqual(errors, []);
  await context.close();
});

test("a refused authorize rejects activityLogin with access_denied, and nothing reaches the Worker's token route", async () => {
  const context = await openProfile(BLOCK_THIRD_PARTY);
  await context.route(`${BASE_URL}${ACTIVITY_PATH}**`, (route) => {
    const path = new URL(route.request().url()).pathname;
    return path.endsWith("/activity.js")
      ? route.fulfill({ status: 200, contentType: "text/javascript; charset=utf-8", body: bundle })
      : route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", body: ACTIVITY_HTML });
  });
  const page = await context.newPage();
  const tokenPosts = [];
  page.on("request", (r) => { if (r.url().endsWith("/api/token")) tokenPosts.push(r.url()); });
  await page.goto(`http://127.0.0.1:${outerPort}/frame?src=${encodeURIComponent(`${BASE_URL}${ACTIVITY_PATH}`)}`);
  const frame = await frameOf(page, BASE_URL);
  await frame.waitForFunction(() => window.activityReady === true);
  const result = await frame.evaluate((o) => window.runActivity(o), { clientId: CLIENT_ID, scopes: ["identify"], deny: true });
  assert.deepEqual(
    { name: result.error?.name, code: result.error?.code, isError: result.error?.isError, discordCode: result.error?.discordCode },
    { name: "DiscordOAuthError", code: "access_denied", isError: true, discordCode: 5000 },
  );
  assert.deepEqual(tokenPosts, []);
  await context.close();
});
