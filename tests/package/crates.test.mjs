// The crates as users depend on them (issue 17): what `cargo package` would publish for
// discord-oauth-wasm and discord-emulator (metadata, README, the file list, no path-only
// dependency, the packaged crate building on its own), the API docs building without a
// warning (broken intra-doc links included) for the default and the `worker` feature, and
// examples/host-worker depending on the crate as README.md tells users to.
// Offline: cargo runs with --offline against the registry cache the other layers filled.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile as execFileCb } from "node:child_process";
import { promisify } from "node:util";
import { readFileSync, statSync, existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const execFile = promisify(execFileCb);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const TARGET = process.env.CARGO_TARGET_DIR ?? join(ROOT, "target");

async function cargo(args, env = {}) {
  try {
    const { stdout, stderr } = await execFile("cargo", args, {
      cwd: ROOT, env: { ...process.env, ...env }, maxBuffer: 64 << 20,
    });
    return { code: 0, stdout, out: stdout + stderr };
  } catch (e) {
    return { code: e.code ?? 1, stdout: e.stdout ?? "", out: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}

const CRATES = {
  "discord-oauth-wasm": { dir: ".", must: ["src/lib.rs", "src/browser/shell.js", "README.md", "Cargo.toml"] },
  "discord-emulator": { dir: "emulator", must: ["src/main.rs", "src/lib.rs", "README.md", "Cargo.toml"] },
};
// Nothing of these belongs in a published crate.
const NEVER = /^(tests|bench|benches|www|fuzz|examples|emulator|pkg|pkg-template|scripts|docs|node_modules|target|build|test-output)\/|^(package(-lock)?\.json|wrangler\.toml|\.dev\.vars)$/;
// crates.io refuses crates over 10 MB; ours are sources only, so hold them far below.
const MAX_CRATE_BYTES = 512 * 1024;

let metadata;
async function meta() {
  if (!metadata) {
    const r = await cargo(["metadata", "--no-deps", "--format-version", "1", "--offline"]);
    assert.equal(r.code, 0, r.out);
    metadata = JSON.parse(r.stdout);
  }
  return metadata;
}

for (const [name, { dir, must }] of Object.entries(CRATES)) {
  test(`${name}: registry metadata, a README, no path-only dependency`, async () => {
    const pkg = (await meta()).packages.find((p) => p.name === name);
    assert.ok(pkg, `${name} is in the workspace`);
    for (const field of ["description", "license", "repository", "readme", "rust_version"]) {
      assert.ok(pkg[field], `${name}: ${field} is set`);
    }
    assert.ok(pkg.keywords.length > 0 && pkg.keywords.length <= 5, `${name}: 1-5 keywords`);
    assert.ok(pkg.categories.length > 0, `${name}: categories`);
    assert.notDeepEqual(pkg.publish, [], `${name} is publishable`);
    assert.ok(existsSync(join(ROOT, dir, pkg.readme)), `${name}: its readme exists`);
    for (const dep of pkg.dependencies) {
      if (dep.path) assert.notEqual(dep.req, "*", `${name}: ${dep.name} is a path dependency without a version`);
    }
  });

  test(`${name}: cargo package lists its sources and README, and no tests, benches, demo or other crates`, async () => {
    const r = await cargo(["package", "-p", name, "--list", "--allow-dirty", "--offline"]);
    assert.equal(r.code, 0, r.out);
    const files = r.stdout.split("\n").map((l) => l.trim()).filter(Boolean);
    for (const f of must) assert.ok(files.includes(f), `${name}: ${f} is packaged (${files.length} files)`);
    const stray = files.filter((f) => NEVER.test(f));
    assert.deepEqual(stray, [], `${name}: packaged files that do not belong`);
  });

  test(`${name}: cargo package builds the .crate and the packaged crate compiles on its own`, async () => {
    // Verification unpacks the .crate and builds it with only its registry dependencies: a
    // file missing from `include` or a path-only dependency fails here. The library crate is
    // built for the target its default feature is made for.
    const args = ["package", "-p", name, "--allow-dirty", "--offline"];
    if (name === "discord-oauth-wasm") args.push("--target", "wasm32-unknown-unknown");
    const r = await cargo(args);
    assert.equal(r.code, 0, r.out);
    const version = (await meta()).packages.find((p) => p.name === name).version;
    const crate = join(TARGET, "package", `${name}-${version}.crate`);
    const size = statSync(crate).size;
    console.log(`${name}-${version}.crate: ${size} B`);
    assert.ok(size < MAX_CRATE_BYTES, `${crate} is ${size} B`);
  });
}

for (let [label, features] of [
  ["default (browser)", ["--target", "wasm32-unknown-unknown"]],
  ["worker", ["--no-default-features", "--features", "worker", "--target", "wasm32-unknown-unknown"]],
  ["docs.rs ([package.metadata.docs.rs]: default + worker)", "docs.rs"],
]) {
  test(`cargo doc, ${label} features: no warning, no broken intra-doc link`, async () => {
    if (features === "docs.rs") {
      const docsrs = (await meta()).packages.find((p) => p.name === "discord-oauth-wasm").metadata.docs.rs; // [package.metadata.docs.rs] is TOML for docs -> rs
      features = ["--features", docsrs.features.join(","), "--target", docsrs.targets[0]];
    }
    const r = await cargo(["doc", "-p", "discord-oauth-wasm", "--no-deps", "--offline", ...features],
      { RUSTDOCFLAGS: "-D warnings" });
    assert.equal(r.code, 0, r.out);
    assert.doesNotMatch(r.out, /warning: unresolved link/);
  });
}

test("examples/host-worker depends on discord-oauth-wasm as README.md tells users to", async () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const block = readme.match(/```toml\n\[dependencies\]\n([\s\S]*?)```/);
  assert.ok(block, "README.md has a [dependencies] toml block");
  const documented = block[1].match(/^discord-oauth-wasm = \{(.*)\}$/m);
  assert.ok(documented, "the block names discord-oauth-wasm");
  const host = (await meta()).packages.find((p) => p.name === "host-worker");
  const dep = host.dependencies.find((d) => d.name === "discord-oauth-wasm");
  const own = (await meta()).packages.find((p) => p.name === "discord-oauth-wasm");
  const version = documented[1].match(/version = "([^"]+)"/)?.[1];
  const features = JSON.parse(documented[1].match(/features = (\[[^\]]*\])/)?.[1] ?? "[]");
  assert.ok(version, "the README gives a version");
  assert.ok(own.version.startsWith(version), `README's version ${version} matches the crate's ${own.version}`);
  assert.equal(dep.req, `^${version}`, "the example asks for the README's version");
  assert.equal(dep.uses_default_features, !/default-features = false/.test(documented[1]));
  assert.deepEqual([...dep.features].sort(), [...features].sort());
});
