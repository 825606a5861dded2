// The browser package's model helpers (src/browser/js/helpers.js, plain JavaScript since issue
// 13) against the fixtures the core passes too (tests/helpers/fixtures.json; the core's run is
// tests/helpers.rs): the readable source and the file the package ships (pkg/, minified by
// scripts/build-web.sh), case by case, with the same results and the same errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const fixtures = JSON.parse(readFileSync(join(ROOT, "tests/helpers/fixtures.json"), "utf8"));

const resolve = (arg) => (typeof arg === "string" && arg.startsWith("$") ? structuredClone(fixtures.values[arg.slice(1)]) : arg);

const faces = [
  ["source", join(ROOT, "src/browser/js/helpers.js")],
  ["shipped", join(ROOT, "pkg/helpers.js")],
];

for (const [face, file] of faces) {
  const load = async () => {
    assert.ok(existsSync(file), `${file} is missing: run scripts/build-web.sh first`);
    return import(pathToFileURL(file).href);
  };

  test(`${face}: every fixture case gives the core's result or error`, async () => {
    const helpers = await load();
    assert.ok(fixtures.cases.length >= 100, "the fixtures hold the cases");
    for (const [i, c] of fixtures.cases.entries()) {
      const where = `case ${i}: ${c.call}(${JSON.stringify(c.args)})`;
      const fn = helpers[c.call];
      assert.equal(typeof fn, "function", `${where}: ${c.call} is exported`);
      if ("throws" in c) {
        assert.throws(() => fn(...c.args.map(resolve)), (e) => {
          assert.equal(e.name, "DiscordOAuthError", where);
          assert.equal(e.code, "config_error", where);
          assert.equal(e.message, c.throws, where);
          return true;
        }, where);
      } else {
        assert.deepEqual(fn(...c.args.map(resolve)), c.returns, where);
      }
    }
  });

  test(`${face}: every documented permission name (and former name) is its bit, nothing else`, async () => {
    const { hasPermission } = await load();
    const all = fixtures.permissions.reduce((acc, [, bit]) => acc | (1n << BigInt(bit)), 0n);
    const ADMINISTRATOR = 1n << 3n;
    for (const [name, bit] of fixtures.permissions) {
      const own = 1n << BigInt(bit);
      assert.equal(hasPermission(String(own), name), true, name);
      if (own !== ADMINISTRATOR) {
        assert.equal(hasPermission(String(all & ~own & ~ADMINISTRATOR), name), false, `${name} is only bit ${bit}`);
      }
    }
    const bits = new Map(fixtures.permissions);
    for (const [alias, name] of fixtures.permission_aliases) {
      const own = 1n << BigInt(bits.get(name));
      assert.equal(hasPermission(String(own), alias), true, alias);
      assert.equal(hasPermission(String(all & ~own & ~ADMINISTRATOR), alias), false, alias);
    }
  });

  test(`${face}: userFlags names exactly the documented flags, lowest bit first`, async () => {
    const { userFlags } = await load();
    const all = fixtures.user_flags.reduce((acc, [, bit]) => acc + 2 ** bit, 0);
    assert.deepEqual(userFlags(all), fixtures.user_flags.map(([name]) => name));
    for (const [name, bit] of fixtures.user_flags) assert.deepEqual(userFlags(2 ** bit), [name]);
    // Undocumented bits are kept by Discord and named by nobody.
    assert.deepEqual(userFlags(2 ** 50 + 2 ** 4), []);
  });

  test(`${face}: ids may be bigints and safe integers, as the typings allow`, async () => {
    const { avatarUrl, mention, snowflakeTimestamp, hasPermission } = await load();
    assert.equal(avatarUrl({ id: 80351110224678912n, avatar: "abc" }), "https://cdn.discordapp.com/avatars/80351110224678912/abc.png");
    assert.equal(mention({ id: 42 }), "<@42>");
    assert.throws(() => mention({ id: -1n }), { code: "config_error", message: "configuration error: a snowflake holds only the digits 0-9" });
    assert.equal(snowflakeTimestamp("175928847299117063"), 1462015105796);
    assert.equal(hasPermission(String((1n << 53n) | 32n), "MANAGE_GUILD"), true);
  });
}

test("the .d.ts unions name the fixtures' permissions and user flags", () => {
  const typings = readFileSync(join(ROOT, "src/browser/typings.rs"), "utf8");
  const union = (name) => {
    const start = typings.indexOf(`export type ${name} =`);
    assert.ok(start >= 0, name);
    const body = typings.slice(start, typings.indexOf(";", start));
    return [...body.matchAll(/"(\w+)"/g)].map((m) => m[1]);
  };
  assert.deepEqual(union("PermissionName"), fixtures.permissions.map(([name]) => name));
  assert.deepEqual(union("UserFlagName"), fixtures.user_flags.map(([name]) => name));
});

test("the package ships the helpers as an entry of their own that loads no wasm", () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, "pkg/package.json"), "utf8"));
  assert.deepEqual(pkg.exports["./helpers"], { types: "./helpers.d.ts", default: "./helpers.js" });
  for (const file of ["helpers.js", "helpers.d.ts"]) assert.ok(pkg.files.includes(file), file);
  const shipped = readFileSync(join(ROOT, "pkg/helpers.js"), "utf8");
  assert.doesNotMatch(shipped, /\bimport\b|\.wasm/, "helpers.js imports nothing");
  assert.match(readFileSync(join(ROOT, "pkg/index.js"), "utf8"), /export\s*\*\s*from\s*"\.\/helpers\.js"/);
});
