// Keeps the migration guides (docs/migrating/) true, from the sources alone (no build):
// - every public item of each Python library's reference (docs/migrating/seeds/) has exactly one
//   row in its guide, and the guide has no row for an item the reference does not have;
// - every row gives our equivalent or says "does not apply, because …" with a reason;
// - every name a guide gives as ours exists: JS names in the package's typings (the .d.ts text
//   in src/browser/typings.rs and src/browser/js/*.d.ts, and the wasm-bindgen exports of
//   src/browser/), routes (with their method and query parameters) in the Worker's route table,
//   vars in the Worker's config, Rust paths as `pub` items in src/;
// - the example each guide shows is the file that tests/e2e/migrating.test.mjs runs.
// The checker is tested on made-up names too, so it cannot pass everything.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { LIBRARIES, seedItems } from "../support/seeds.mjs";

const ROOT = join(import.meta.dirname, "../..");
const GUIDES = join(ROOT, "docs/migrating");
const read = (p) => readFileSync(join(ROOT, p), "utf8");
const rsFiles = (dir) => readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
  e.isDirectory() ? rsFiles(join(dir, e.name)) : e.name.endsWith(".rs") ? [join(dir, e.name)] : []);

// ---- JS: declarations of the npm package ----
/** `{ top: Set of top-level names, members: Map name → Set of member names }`. */
function jsDeclarations() {
  const top = new Set(), members = new Map();
  const member = (owner, name) => {
    if (!members.has(owner)) members.set(owner, new Set());
    members.get(owner).add(name);
  };
  const typings = read("src/browser/typings.rs").match(/r#"([\s\S]*?)"#/)[1];
  const dts = readdirSync(join(ROOT, "src/browser/js")).filter((f) => f.endsWith(".d.ts"))
    .map((f) => read(`src/browser/js/${f}`));
  const pkg = existsSync(join(ROOT, "pkg")) ? readdirSync(join(ROOT, "pkg")).filter((f) => f.endsWith(".d.ts"))
    .map((f) => read(`pkg/${f}`)) : [];
  for (const ts of [typings, ...dts, ...pkg]) {
    for (const m of ts.matchAll(/export (?:declare )?(?:function|const|type|class|interface) (\w+)/g)) top.add(m[1]);
    // Members of interfaces and classes: the declarations one level inside their braces.
    for (const m of ts.matchAll(/export (?:declare )?(?:class|interface) (\w+)[^{]*\{/g)) {
      let depth = 1, i = m.index + m[0].length, start = i;
      while (depth > 0 && i < ts.length) { if (ts[i] === "{") depth++; if (ts[i] === "}") depth--; i++; }
      const body = ts.slice(start, i - 1);
      let level = 0, line = "";
      for (const ch of body + "\n") {
        if (ch === "{") level++;
        if (ch === "}") level--;
        if (ch === "\n" || (ch === ";" && level === 0)) {
          const d = level === 0 && line.match(/^\s*(?:readonly\s+|static\s+|get\s+)?(\w+)\??\s*[(:<]/);
          if (d) member(m[1], d[1]);
          line = "";
        } else line += ch;
      }
    }
  }
  // wasm-bindgen exports: the JS name is `js_name = …` of the attribute, else the Rust name.
  const exported = (file) => {
    const out = [];
    const lines = read(file).split("\n");
    lines.forEach((l, i) => {
      const f = l.match(/^\s*pub fn (\w+)/);
      if (!f) return;
      const attr = lines.slice(Math.max(0, i - 3), i).join("\n").match(/#\[wasm_bindgen\([^\n]*?js_name = (\w+)/);
      const bound = /#\[wasm_bindgen/.test(lines.slice(Math.max(0, i - 3), i).join("\n"));
      if (bound || /^    pub fn/.test(l)) out.push(attr ? attr[1] : f[1]);
    });
    return out;
  };
  top.add("DiscordOAuthClient");
  for (const name of exported("src/browser/client.rs")) if (name !== "new") member("DiscordOAuthClient", name);
  return { top, members };
}

// ---- Worker: routes, query parameters and settings ----
function routeTable() {
  const src = read("src/worker/routes.rs");
  const fn = (name) => src.slice(src.indexOf(`pub fn ${name}(`), src.indexOf("\n    }\n", src.indexOf(`pub fn ${name}(`)));
  const paths = [];
  for (const m of fn("name").matchAll(/((?:Route::\w+(?:\([^)]*\))?\s*\|?\s*)+)=> "([^"]+)"/g)) {
    for (const v of m[1].matchAll(/Route::(\w+)/g)) paths.push([v[1], m[2]]);
  }
  const methods = new Map();
  let fallback = null;
  // Each arm, which rustfmt may spread over several lines (`Route::A\n | Route::B => …`).
  const arms = fn("methods").slice(fn("methods").indexOf("match self {") + "match self {".length);
  for (const m of arms.matchAll(/([\s\S]*?)=> Methods::(\w+),/g)) {
    if (/^\s*_\s*$/.test(m[1])) fallback = m[2];
    for (const v of m[1].matchAll(/Route::(\w+)/g)) methods.set(v[1], m[2]);
  }
  const allowed = { Read: ["GET", "HEAD"], Post: ["POST"], Any: ["ANY", "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] };
  const table = [];
  for (const [variant, path] of paths) table.push({ path, methods: allowed[methods.get(variant) ?? fallback] });
  return table;
}
const queryParams = new Set(["src/worker/login_options.rs", "src/worker/routes_auth.rs"]
  .flatMap((f) => [...read(f).matchAll(/"([a-z_]+)"/g)].map((m) => m[1])));
const settings = new Set([
  ...[...read("src/worker/config.rs").matchAll(/"([A-Z][A-Z0-9_]+)"/g)].map((m) => m[1]),
  ...rsFiles("src/worker").flatMap((f) => [...read(f).matchAll(/pub const \w+: &str = "([A-Z_]+)"/g)].map((m) => m[1])),
]);

// ---- Rust: pub items of src/, per module ----
const RS = rsFiles("src").map((f) => ({ f: f.replace(/\\/g, "/"), text: read(f) }));
/** The pub items of the files of a module path (`["worker"]` → src/worker.rs, src/worker/…). */
function rustModule(mods) {
  const base = ["src", ...mods].join("/");
  const text = RS.filter(({ f }) => mods.length === 0 || f === `${base}.rs` || f.startsWith(`${base}/`))
    .map((x) => x.text).join("\n");
  return {
    mods: new Set([...text.matchAll(/pub mod (\w+)/g)].map((m) => m[1])),
    types: new Set([
      ...[...text.matchAll(/pub (?:struct|enum|trait|type) (\w+)/g)].map((m) => m[1]),
      ...[...text.matchAll(/pub use [\w:]+::\{([^}]+)\}/g)].flatMap((m) => m[1].split(",").map((x) => x.trim())),
      ...[...text.matchAll(/pub use [\w:]+::(\w+);/g)].map((m) => m[1]),
    ]),
    fns: new Set([...text.matchAll(/pub (?:const )?(?:async )?fn (\w+)/g)].map((m) => m[1])),
    fields: new Set([...text.matchAll(/^\s+pub (\w+):/gm)].map((m) => m[1])),
    consts: new Set([...text.matchAll(/const ([A-Z][A-Z0-9_]+)\b/g)].map((m) => m[1])),
    words: new Set(text.match(/\b[A-Z]\w*\b/g)),
  };
}

const JS = jsDeclarations();
const ROUTES = routeTable();

/** Whether one of our names exists; returns why not, or null. */
export function checkRef(kind, name) {
  if (kind === "JS") {
    const parts = name.replace(/\(.*\)$/, "").split(".");
    if (!JS.top.has(parts[0])) return `JS ${name}: no export ${parts[0]} in the package's typings`;
    if (parts.length === 2 && !JS.members.get(parts[0])?.has(parts[1])) return `JS ${name}: ${parts[0]} has no member ${parts[1]}`;
    if (parts.length > 2) return `JS ${name}: too deep`;
    return null;
  }
  if (kind === "Route") {
    const m = name.match(/^(ANY|GET|HEAD|POST|PUT|PATCH|DELETE) (\/[^?\s]*)(?:\?([a-z_]+)=)?$/);
    if (!m) return `Route ${name}: not "METHOD /path" or "METHOD /path?param="`;
    const route = ROUTES.find((r) => r.path === m[2]);
    if (!route) return `Route ${name}: no such path in src/worker/routes.rs`;
    if (!route.methods.includes(m[1])) return `Route ${name}: ${m[2]} does not take ${m[1]}`;
    if (m[3] && (m[2] !== "/auth/login" || !queryParams.has(m[3]))) return `Route ${name}: ${m[2]} reads no parameter ${m[3]}`;
    return null;
  }
  if (kind === "Var") return settings.has(name) ? null : `Var ${name}: not a setting of src/worker/config.rs`;
  if (kind === "Rust") {
    const parts = name.replace(/\(.*\)$/, "").split("::");
    if (parts[0] !== "discord_oauth_wasm") return `Rust ${name}: not a path of the crate`;
    const mods = [];
    let i = 1;
    for (; i < parts.length && /^[a-z_]+$/.test(parts[i]) && i < parts.length - 1; i++) {
      if (!rustModule(mods).mods.has(parts[i])) return `Rust ${name}: no pub mod ${parts[i]}`;
      mods.push(parts[i]);
    }
    const here = rustModule(mods);
    let sawType = false;
    for (; i < parts.length; i++) {
      const p = parts[i];
      if (/^[A-Z][A-Z0-9_]+$/.test(p) && sawType) { if (!here.consts.has(p)) return `Rust ${name}: no const ${p}`; }
      else if (/^[A-Z]/.test(p)) {
        if (sawType ? !here.words.has(p) : !here.types.has(p)) return `Rust ${name}: no pub type or variant ${p} in ${mods.join("::")}`;
        sawType = true;
      } else if (!here.fns.has(p) && !(sawType && here.fields.has(p))) return `Rust ${name}: no pub fn or field ${p} in ${mods.join("::")}`;
    }
    return null;
  }
  return `unknown kind ${kind}`;
}

const REF = /\b(JS|Route|Var|Rust) `([^`]+)`/g;
const NA = "does not apply, because ";

/** A guide's item rows: key → { ours, line }. Duplicates are reported. */
function guideRows(text) {
  const rows = new Map(), dup = [];
  for (const [i, line] of text.split("\n").entries()) {
    const m = line.match(/^\| `([^`]+)` \| (.*?) \|(?: (.*?) \|)?$/);
    if (!m) continue;
    if (rows.has(m[1])) dup.push(m[1]);
    rows.set(m[1], { ours: m[2], line: i + 1 });
  }
  return { rows, dup };
}

/** Why a row's "ours" cell is not acceptable, or null. */
export function checkRow(ours) {
  const refs = [...ours.matchAll(REF)];
  if (ours.startsWith(NA)) {
    if (ours.slice(NA.length).replace(/\(.*\)$/, "").trim().split(/\s+/).length < 4) return "a reason of a few words at least";
  } else if (refs.length === 0) return `neither an equivalent (JS/Route/Var/Rust \`name\`) nor "${NA}…"`;
  for (const r of refs) { const bad = checkRef(r[1], r[2]); if (bad) return bad; }
  return null;
}

for (const lib of LIBRARIES) {
  test(`${lib.name}: every item of the reference has one row, with an equivalent or a reason`, () => {
    const items = seedItems(lib);
    const text = readFileSync(join(GUIDES, lib.guide), "utf8");
    const { rows, dup } = guideRows(text);
    assert.deepEqual(dup, [], "items with two rows");
    const missing = items.filter((i) => !rows.has(i.key)).map((i) => i.key);
    assert.deepEqual(missing, [], `${lib.guide} lacks rows for these items of ${lib.seed}`);
    const keys = new Set(items.map((i) => i.key));
    const extra = [...rows.keys()].filter((k) => !keys.has(k));
    assert.deepEqual(extra, [], `${lib.guide} has rows for items ${lib.seed} does not have`);
    const bad = [...rows].map(([k, r]) => [k, r.line, checkRow(r.ours)]).filter(([, , why]) => why);
    assert.deepEqual(bad, [], "rows without a valid equivalent or reason");
    // The counts the guide states are the table's.
    const na = [...rows.values()].filter((r) => r.ours.startsWith(NA)).length;
    const stated = text.match(/(\d+) items: (\d+) with an equivalent, (\d+) that do not apply/);
    assert.ok(stated, `${lib.guide} states its counts`);
    assert.deepEqual(stated.slice(1).map(Number), [items.length, items.length - na, na]);
  });

  test(`${lib.name}: the guide shows the example that the end-to-end test runs`, () => {
    const text = readFileSync(join(GUIDES, lib.guide), "utf8");
    const blocks = [...text.matchAll(/<!-- example: ([\w./-]+) -->\n```\w*\n([\s\S]*?)```/g)];
    assert.ok(blocks.length >= 1, "an <!-- example: … --> block");
    for (const [, file, code] of blocks) {
      assert.equal(code, readFileSync(join(GUIDES, file), "utf8"), `${lib.guide}: the block of ${file} differs from the file`);
    }
    assert.ok(blocks.some(([, f]) => f === "examples/app.html"), "the page of the example app");
    // The demo (and the end-to-end test) serve that file at /migrating/.
    assert.equal(read("www/migrating/index.html"), readFileSync(join(GUIDES, "examples/app.html"), "utf8"));
    assert.match(text, /```python\n[\s\S]+?```/, "the same app with the Python library");
  });
}

test("the index links every guide with the counts of its table", () => {
  const index = readFileSync(join(GUIDES, "README.md"), "utf8");
  for (const lib of LIBRARIES) {
    const items = seedItems(lib);
    const { rows } = guideRows(readFileSync(join(GUIDES, lib.guide), "utf8"));
    const na = [...rows.values()].filter((r) => r.ours.startsWith(NA)).length;
    assert.ok(index.includes(`| [${lib.name}](${lib.guide}) | ${items.length} | ${items.length - na} | ${na} |`),
      `docs/migrating/README.md: ${lib.name} with ${items.length} items, ${items.length - na} equivalents, ${na} not applying`);
  }
  for (const [doc, link] of [["README.md", "docs/migrating/README.md"], ["docs/README.md", "migrating/README.md"]]) {
    assert.ok(read(doc).includes(`](${link})`), `${doc} links the guides`);
  }
});

test("the item reader finds what the references document", () => {
  const keys = Object.fromEntries(LIBRARIES.map((l) => [l.name, new Set(seedItems(l).map((i) => i.key))]));
  for (const [lib, key] of [
    ["flask-discord", "DiscordOAuth2Session.save_authorization_token"], ["flask-discord", "DiscordOAuth2Session.create_session(permissions)"],
    ["flask-discord", "DISCORD_BOT_TOKEN"], ["flask-discord", "@requires_authorization"], ["flask-discord", "DiscordOAuth2Scope.INCOMING_WEBHOOK"],
    ["quart-discord", "Bot.add_to_guild"], ["quart-discord", "DiscordOAuth2Session(locks_cache)"], ["quart-discord", "Unauthorized"],
    ["starlette-discord", "DiscordOAuthSession.refresh_token(verify_ssl)"], ["starlette-discord", "DiscordOAuthSession(client_id)"],
    ["starlette-discord", "DiscordOAuthClient.login"],
    ["disco-oauth2", "Client(http_trace)"], ["disco-oauth2", "UserFlags.spammer"], ["disco-oauth2", "Member.display_avatar"],
    ["discordoauth2", "Client.generate_uri(disable_guild_select)"], ["discordoauth2", "HTTPException"],
  ]) assert.ok(keys[lib].has(key), `${lib}: ${key}`);
});

test("the checker refuses made-up names and malformed rows", () => {
  for (const [kind, name] of [
    ["JS", "DiscordSession.teleport()"], ["JS", "teleportUser()"], ["JS", "User.teleported"],
    ["Route", "GET /auth/teleport"], ["Route", "POST /auth/session"], ["Route", "GET /auth/login?teleport="],
    ["Route", "GET /api/users/@me/teleport"], ["Var", "DISCORD_TELEPORT"],
    ["Rust", "discord_oauth_wasm::worker::DiscordAuth::teleport"], ["Rust", "discord_oauth_wasm::teleport::DiscordAuth"],
    ["Rust", "discord_oauth_wasm::discord::models::Teleport"], ["Rust", "discord_oauth_wasm::discord::permissions::Permissions::TELEPORT"],
    ["Rust", "discord_oauth_wasm::worker::Guild"], ["Rust", "discord_oauth_wasm::discord::models::DiscordAuth"],
  ]) assert.ok(checkRef(kind, name), `${kind} ${name} should be refused`);
  for (const [kind, name] of [
    ["JS", "DiscordSession.request()"], ["JS", "displayName()"], ["JS", "DiscordOAuthClient.fetchUser()"], ["JS", "User.email"],
    ["Route", "GET /auth/login?permissions="], ["Route", "POST /auth/logout"], ["Route", "ANY /api/{route}"],
    ["Var", "API_ROUTES"], ["Rust", "discord_oauth_wasm::worker::DiscordAuth::handle"],
    ["Rust", "discord_oauth_wasm::discord::permissions::Permissions::MANAGE_GUILD"],
  ]) assert.equal(checkRef(kind, name), null, `${kind} ${name}`);
  assert.ok(checkRow("maybe later"));
  assert.ok(checkRow("does not apply, because"));
  assert.ok(checkRow("JS `DiscordSession.teleport()`"));
  assert.equal(checkRow("does not apply, because a Worker has no proxy to configure"), null);
});
