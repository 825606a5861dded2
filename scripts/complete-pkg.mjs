// Completes wasm-pack's pkg/ from pkg-template/ and src/browser/js/: package.json fields, the
// npm README, and the package's plain-JS modules (code that only talks to our own Worker, such
// as DiscordSession; docs/browser.md), each copied beside the generated module and re-exported
// from it, so `import { DiscordSession } from "discord-oauth-wasm"` works as before. Their
// TypeScript declarations are in src/browser/typings.rs (the generated .d.ts).
import { readFileSync, writeFileSync, copyFileSync, existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

const pkgDir = process.argv[2] ?? "pkg";
const generated = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
const template = JSON.parse(readFileSync("pkg-template/package.json", "utf8"));
const modules = readdirSync("src/browser/js").filter((f) => f.endsWith(".js")).sort();
// The template wins for every field it names; wasm-pack's version stays in sync with Cargo.
const merged = { ...generated, ...template, version: generated.version };
merged.files = [...new Set([...(merged.files ?? []), ...modules])];
writeFileSync(join(pkgDir, "package.json"), JSON.stringify(merged, null, 2) + "\n");
for (const extra of ["README.md", "extra.d.ts"]) {
  if (existsSync(join("pkg-template", extra))) copyFileSync(join("pkg-template", extra), join(pkgDir, extra));
}
const entry = join(pkgDir, "discord_oauth_wasm.js");
let code = readFileSync(entry, "utf8");
for (const file of modules) {
  copyFileSync(join("src/browser/js", file), join(pkgDir, file));
  const line = `export * from "./${file}";\n`;
  if (!code.includes(line)) code += line;
}
writeFileSync(entry, code);
