// Completes wasm-pack's pkg/ from pkg-template/: package.json fields and the npm README.
import { readFileSync, writeFileSync, copyFileSync, existsSync } from "node:fs";
import { join } from "node:path";

const pkgDir = process.argv[2] ?? "pkg";
const generated = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
const template = JSON.parse(readFileSync("pkg-template/package.json", "utf8"));
// The template wins for every field it names; wasm-pack's version stays in sync with Cargo.
const merged = { ...generated, ...template, version: generated.version };
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
