// The consumer tests' machinery: the npm package packed as npm would publish it, a throwaway
// copy of a consumer app (tests/consumer/<app>/, Vite pinned by its package-lock.json) with the
// tarball installed into it, a static server for its dist/, and the README's login flow in
// Chromium against the emulator standing in for discord.com.
import { execFile as execFileCb } from "node:child_process";
import { promisify } from "node:util";
import { cpSync, writeFileSync, mkdirSync, rmSync, readdirSync, existsSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { join, extname, normalize, sep } from "node:path";
import { ROOT } from "./readme.mjs";
import { EMULATOR_URL, IDS, emulator } from "../support/browser.mjs";

const execFile = promisify(execFileCb);
export const WORK = join(ROOT, "test-output", "consumer");
const NPM_FLAGS = ["--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"];

/** Runs a command; resolves `{ code, out }` (stdout and stderr together), never rejects. */
export async function run(cmd, args, opts = {}) {
  try {
    const { stdout, stderr } = await execFile(cmd, args, { maxBuffer: 64 << 20, ...opts });
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    return { code: e.code ?? 1, out: `${e.stdout ?? ""}${e.stderr ?? ""}${e.message}` };
  }
}

async function must(cmd, args, opts) {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.code}):\n${r.out}`);
  return r.out;
}

let packed;
/** `npm pack` of the built pkg/ (scripts/build-web.sh): the tarball npm would publish. */
export async function packTarball() {
  if (packed) return packed;
  if (!existsSync(join(ROOT, "pkg", "package.json"))) throw new Error("pkg/ is not built: run scripts/build-web.sh first");
  const dest = join(WORK, "tarball");
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  await must("npm", ["pack", join(ROOT, "pkg"), "--pack-destination", dest, "--loglevel=error"]);
  const [file] = readdirSync(dest).filter((f) => f.endsWith(".tgz"));
  packed = join(dest, file);
  return packed;
}

/**
 * A fresh copy of tests/consumer/<app> under test-output/consumer/<name>, its lockfile's Vite
 * installed with `npm ci`, then the packed tarball installed as a user installs a package
 * (`npm install <tarball>`, not saved: the committed lockfile stays the pinned Vite only).
 * `files` ({ "src/auth.ts": text }) are written into it.
 */
export async function prepareApp(app, name, files = {}) {
  const dir = join(WORK, name);
  rmSync(dir, { recursive: true, force: true });
  cpSync(join(ROOT, "tests", "consumer", app), dir, {
    recursive: true,
    filter: (src) => !src.split(sep).includes("node_modules") && !src.split(sep).includes("dist"),
  });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  await must("npm", ["ci", ...NPM_FLAGS], { cwd: dir });
  await must("npm", ["install", "--no-save", ...NPM_FLAGS, await packTarball()], { cwd: dir });
  return dir;
}

/** `vite build` in an app (its own pinned Vite); resolves `{ code, out }`. */
export function viteBuild(dir, env = {}) {
  return run(join(dir, "node_modules", ".bin", "vite"), ["build", "--logLevel", "warn"], {
    cwd: dir,
    env: { ...process.env, ...env },
  });
}

const TYPES = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8", ".wasm": "application/wasm", ".css": "text/css",
  ".json": "application/json", ".svg": "image/svg+xml", ".png": "image/png",
};

/** Serves a folder as a static host would (index.html for `/`); resolves `{ url, close }`. */
export function serveStatic(root) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    let file = normalize(join(root, path));
    if (!file.startsWith(root)) { res.writeHead(403).end(); return; }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, "index.html");
    if (!existsSync(file)) { res.writeHead(404).end("not found"); return; }
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({
    // localhost, not 127.0.0.1: a secure context over http (crypto.subtle for PKCE).
    url: `http://localhost:${server.address().port}/`,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }),
  })));
}

/** Registers `uri` as a redirect URI of the emulator's public application. */
export async function allowRedirect(uri) {
  await emulator("POST", `/_emulator/applications/${IDS.publicApp}/redirect_uris`, { uri });
}

/**
 * A browser context in which discord.com and its CDN are the emulator: the README's code runs
 * unchanged, with the library's default endpoints. Navigations to discord.com's authorize page
 * are redirected to the emulator's; API and CDN requests are answered by the emulator.
 * Console errors and uncaught page errors are collected in `errors`.
 */
export async function discordContext(browser) {
  const context = await browser.newContext();
  const errors = [];
  await context.route(/^https:\/\/discord\.com\//, async (route) => {
    const url = new URL(route.request().url());
    if (url.pathname.startsWith("/oauth2/authorize")) {
      await route.fulfill({ status: 302, headers: { location: EMULATOR_URL + url.pathname + url.search } });
      return;
    }
    await route.fulfill({ response: await route.fetch({ url: EMULATOR_URL + url.pathname + url.search }) });
  });
  await context.route(/^https:\/\/cdn\.discordapp\.com\//, async (route) => {
    const url = new URL(route.request().url());
    await route.fulfill({ response: await route.fetch({ url: `${EMULATOR_URL}/cdn${url.pathname}${url.search}` }) });
  });
  // Discord adds `iss=https://discord.com` to the redirect back (RFC 9207), and the library
  // checks it against its default issuer; the emulator, standing in for discord.com here,
  // names its own origin. Give the app what discord.com would have sent.
  // Playwright does not route the request a redirect leads to, so the consent form's POST
  // (the request whose answer redirects back to the app) is the one rewritten.
  const emulatorOrigin = new URL(EMULATOR_URL).origin;
  await context.route((url) => url.href.startsWith(`${EMULATOR_URL}/oauth2/authorize`), async (route) => {
    if (route.request().method() !== "POST") return route.fallback();
    const response = await route.fetch({ maxRedirects: 0 });
    const location = response.headers().location;
    if (!location) return route.fulfill({ response });
    const back = new URL(location);
    if (back.searchParams.get("iss") === emulatorOrigin) back.searchParams.set("iss", "https://discord.com");
    await route.fulfill({ status: response.status(), headers: { ...response.headers(), location: back.href } });
  });
  context.on("page", (page) => watch(page, errors));
  return { context, errors };
}

function watch(page, errors) {
  page.on("console", (m) => { if (m.type() === "error") errors.push(`${m.text()} (${page.url()})`); });
  page.on("pageerror", (e) => errors.push(`uncaught: ${e.message}`));
}

/**
 * Clicks `loginSelector` on `page`, approves on the emulator's consent page as the fixture
 * user, and waits to be back on `origin`.
 */
export async function logIn(page, loginSelector, origin) {
  await page.click(loginSelector);
  await page.waitForURL((u) => u.href.startsWith(`${EMULATOR_URL}/oauth2/authorize`), { timeout: 20_000 });
  await page.check(`input[name="user_id"][value="${IDS.user}"]`);
  await Promise.all([
    page.waitForURL((u) => u.href.startsWith(origin), { timeout: 20_000 }),
    page.click('button[name="action"][value="approve"]'),
  ]);
}

/** The emulator's built-in fixtures (`discord-emulator --print-fixtures`, the binary test.sh built). */
export async function fixtures() {
  const bin = join(process.env.CARGO_TARGET_DIR ?? join(ROOT, "target"), "debug", "discord-emulator");
  return JSON.parse(await must(bin, ["--print-fixtures"]));
}
