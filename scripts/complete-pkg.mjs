// Completes wasm-pack's pkg/ from pkg-template/: package.json fields and the npm README; and
// the package's plain-JS modules (src/browser/js/*.js, each with its .d.ts) with the entry
// that re-exports them beside the wasm module.
//
// The entry (index.js, index.d.ts) is written here rather than kept by hand: it re-exports
// everything of wasm-bindgen's discord_oauth_wasm.js (its default export `init` included) and
// of every file of src/browser/js/, so a module added there is published without another edit.
import { readFileSync, writeFileSync, copyFileSync, existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

const pkgDir = process.argv[2] ?? "pkg";
const JS_DIR = "src/browser/js";
const generated = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
const template = JSON.parse(readFileSync("pkg-template/package.json", "utf8"));

const modules = readdirSync(JS_DIR).filter((f) => f.endsWith(".js")).sort();
for (const js of modules) {
  const dts = js.replace(/\.js$/, ".d.ts");
  if (!existsSync(join(JS_DIR, dts))) throw new Error(`${JS_DIR}/${js} has no ${dts}`);
  copyFileSync(join(JS_DIR, js), join(pkgDir, js));
  copyFileSync(join(JS_DIR, dts), join(pkgDir, dts));
}
const header = "// The package entry, written by scripts/complete-pkg.mjs: the wasm module and the plain-JS modules.\n";
const entry = [
  `export * from "./discord_oauth_wasm.js";`,
  `export { default } from "./discord_oauth_wasm.js";`,
  ...modules.map((m) => `export * from "./${m}";`),
].join("\n") + "\n";
writeFileSync(join(pkgDir, "index.js"), header + entry);
writeFileSync(join(pkgDir, "index.d.ts"), header + entry);

// The template wins for every field it names; wasm-pack's version stays in sync with Cargo.
const merged = { ...generated, ...template, version: generated.version };
merged.files = [
  ...new Set([
    ...template.files,
    "index.js", "index.d.ts",
    ...modules.flatMap((m) => [m, m.replace(/\.js$/, ".d.ts")]),
  ]),
];
// Each plain-JS module is also its own entry (`discord-oauth-wasm/activity`): a bundler then
// leaves the wasm file out of a page that uses only that module.
merged.exports = { ...merged.exports };
for (const m of modules) {
  const name = m.replace(/\.js$/, "");
  merged.exports[`./${name}`] = { types: `./${name}.d.ts`, default: `./${m}` };
}
writeFileSync(join(pkgDir, "package.json"), JSON.stringify(merged, null, 2) + "\n");
for (const extra of ["README.md", "extra.d.ts"]) {
  if (existsSync(join("pkg-template", extra))) copyFileSync(join("pkg-template", extra), join(pkgDir, extra));
}

// wasm-bindgen declares `[Symbol.dispose](): void` on every class. `Symbol.dispose` is typed by
// TypeScript's `esnext.disposable` lib (TS >= 5.2), which the usual `lib: ["ES2022", "DOM"]`
// does not include: with `skipLibCheck: false`, tsc then fails inside our .d.ts ("Property
// 'dispose' does not exist on type 'SymbolConstructor'"). Referencing that lib from the .d.ts
// makes the package compile under any lib from ES2022 up, with nothing for users to add, and
// keeps `using client = new DiscordOAuthClient(...)` typed (dropping the member would lose
// it). It adds only types (no runtime code). tests/consumer/types.test.mjs covers both cases.
const dts = join(pkgDir, "discord_oauth_wasm.d.ts");
const reference = '/// <reference lib="esnext.disposable" />\n';
const typings = readFileSync(dts, "utf8");
if (!typings.startsWith(reference)) writeFileSync(dts, reference + typings);
