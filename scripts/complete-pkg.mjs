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
