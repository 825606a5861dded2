// The Worker as users deploy it (issue 17): `wrangler deploy --dry-run --outdir` of each
// deployable configuration builds the bundle wrangler would upload, without credentials or
// network. Asserted: the bundle fits Cloudflare's Worker size limits, and every binding the
// README's deploy steps name is declared in that configuration (as wrangler itself reads it).
// Needs: the Worker built (scripts/build-worker.sh; wrangler's [build] step then finds it up
// to date).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile as execFileCb } from "node:child_process";
import { promisify } from "node:util";
import { readFileSync, readdirSync, rmSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const execFile = promisify(execFileCb);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const WRANGLER = join(ROOT, "node_modules", ".bin", "wrangler");

// One line per deployable configuration: its wrangler config and where its README's deploy
// steps are (the first ```sh block after `marker` in `readme`).
const CONFIGS = [
  { name: "KV sessions", config: "wrangler.toml", readme: "README.md", marker: "Deploy it:" },
  {
    name: "Durable Object sessions", config: "wrangler.do.toml", readme: "README.md",
    marker: "Deploy it with Durable Objects:", objects: ["SESSION_STORE"], make: durableObjectConfig,
  },
];

/**
 * wrangler.toml as the README's Durable Object steps leave it: the commented
 * `[[durable_objects.bindings]]` and `[[migrations]]` blocks uncommented, the KV binding gone.
 * Written beside wrangler.toml (relative paths stay right) and removed after the test.
 */
function durableObjectConfig() {
  const toml = readFileSync(join(ROOT, "wrangler.toml"), "utf8");
  const lines = toml.split("\n");
  const out = [];
  let uncommenting = false, skippingKv = false;
  for (const line of lines) {
    if (/^\[\[kv_namespaces\]\]/.test(line)) { skippingKv = true; continue; }
    if (skippingKv && /^(binding|id) = /.test(line)) continue;
    skippingKv = false;
    if (/^# \[\[(durable_objects\.bindings|migrations)\]\]/.test(line)) uncommenting = true;
    if (uncommenting && /^#( |$)/.test(line)) { out.push(line.replace(/^# ?/, "")); continue; }
    uncommenting = false;
    out.push(line);
  }
  const text = out.join("\n");
  assert.match(text, /^\[\[durable_objects\.bindings\]\]\nname = "SESSION_STORE"\nclass_name = "DiscordSessionStore"/m);
  assert.match(text, /new_sqlite_classes = \["DiscordSessionStore"\]/);
  writeFileSync(join(ROOT, "wrangler.do.toml"), text);
}

// https://developers.cloudflare.com/workers/platform/limits/#worker-size : a Worker can be up
// to 3 MB (Workers Free) or 10 MB (Workers Paid) after compression, 64 MB before. We hold the
// bundle to the Free plan's figure, so it deploys on either plan.
const MB = 1024 * 1024;
const FREE_COMPRESSED = 3 * MB;
const PAID_COMPRESSED = 10 * MB;
const UNCOMPRESSED = 64 * MB;

/** The README's deploy commands for a configuration: the lines of its ```sh block. */
export function deploySteps(markdown, marker) {
  const at = markdown.indexOf(marker);
  assert.ok(at >= 0, `README has "${marker}"`);
  const block = markdown.slice(at).match(/```sh\n([\s\S]*?)\n```/);
  assert.ok(block, `a sh block follows "${marker}"`);
  return block[1].split("\n").map((l) => l.replace(/\s+#.*$/, "").trim()).filter(Boolean);
}

/** What the steps ask to exist: KV namespaces to bind, secrets to set, and a deploy. */
export function namedBindings(steps) {
  const grab = (re) => steps.map((s) => s.match(re)?.[1]).filter(Boolean);
  return {
    kv: grab(/wrangler kv:? ?namespace create (\w+)/),
    secrets: grab(/wrangler secret put (\w+)/),
    deploys: steps.filter((s) => /wrangler deploy\b/.test(s)).length,
  };
}

/**
 * The bindings wrangler reports for a dry run ("Your Worker has access to the following
 * bindings"): `{ NAME: "KV Namespace" | "Environment Variable" | "Assets" | ... }`.
 */
export function reportedBindings(out) {
  const bindings = {};
  for (const line of out.split("\n")) {
    const m = line.match(/^\s*env\.(\w+)(?:\s+\([^)]*\))?\s{2,}(.+?)\s*$/);
    if (m) bindings[m[1]] = m[2];
  }
  return bindings;
}

for (const { name, config, readme, marker, objects = [], make } of CONFIGS) {
  test(`${name} (${config}): wrangler deploy --dry-run builds a bundle under Cloudflare's size limits, with every binding the README's deploy steps name`, async (t) => {
    if (make) {
      make();
      t.after(() => rmSync(join(ROOT, config), { force: true }));
    }
    const outdir = join(ROOT, "test-output", "deploy", config.replace(/\W+/g, "-"));
    rmSync(outdir, { recursive: true, force: true });
    mkdirSync(outdir, { recursive: true });
    const { stdout, stderr } = await execFile(WRANGLER,
      ["deploy", "--dry-run", "--outdir", outdir, "--config", config],
      { cwd: ROOT, env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1" }, maxBuffer: 16 << 20 });
    const out = stdout + stderr;
    assert.match(out, /--dry-run: exiting now/, out);

    // Size: every module of the bundle, gzipped as the upload is.
    const files = readdirSync(outdir, { recursive: true }).map(String)
      .filter((f) => statSync(join(outdir, f)).isFile() && /\.(m?js|wasm)$/.test(f));
    assert.ok(files.some((f) => f.endsWith(".wasm")), `the bundle has the wasm module: ${files}`);
    let raw = 0, gz = 0;
    for (const f of files) {
      const bytes = readFileSync(join(outdir, f));
      raw += bytes.length;
      gz += gzipSync(bytes, { level: 9 }).length;
    }
    console.log(`${config}: bundle ${files.join(", ")}: ${raw} B, ${gz} B gzipped`);
    assert.ok(gz < FREE_COMPRESSED, `${gz} B gzipped is over the Workers Free limit (3 MB)`);
    assert.ok(gz < PAID_COMPRESSED);
    assert.ok(raw < UNCOMPRESSED, `${raw} B is over the 64 MB uncompressed limit`);
    const upload = out.match(/Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/);
    assert.ok(upload, "wrangler reports the upload size");
    assert.ok(Number(upload[2]) * 1024 < FREE_COMPRESSED, `wrangler's gzip figure ${upload[2]} KiB`);

    // Bindings: what the README's steps create must be what the configuration declares.
    const steps = deploySteps(readFileSync(join(ROOT, readme), "utf8"), marker);
    const wanted = namedBindings(steps);
    assert.equal(wanted.deploys, 1, `the steps deploy once: ${steps.join(" | ")}`);
    const declared = reportedBindings(out);
    assert.ok(Object.keys(declared).length > 0, `wrangler listed the bindings:\n${out}`);
    for (const binding of objects) {
      assert.match(declared[binding] ?? "", /Durable Object/, `${binding}: ${config} must bind the Durable Object (wrangler saw ${JSON.stringify(declared)})`);
    }
    for (const kv of wanted.kv) {
      assert.equal(declared[kv], "KV Namespace", `${kv}: the README creates it, ${config} must bind it (wrangler saw ${JSON.stringify(declared)})`);
    }
    // A secret set with `wrangler secret put` must not also sit in the config's [vars] in
    // plain text, and the Worker must read it by that name.
    const workerSource = readdirSync(join(ROOT, "src", "worker"), { recursive: true }).map(String)
      .filter((f) => f.endsWith(".rs")).map((f) => readFileSync(join(ROOT, "src", "worker", f), "utf8")).join("\n");
    for (const secret of wanted.secrets) {
      assert.equal(declared[secret], undefined, `${secret} is a secret: ${config} must not declare it as a var`);
      assert.ok(workerSource.includes(`"${secret}"`), `the Worker reads the secret ${secret}`);
    }
    // The README's table of settings: each "var, required" is in [vars].
    for (const m of readFileSync(join(ROOT, readme), "utf8").matchAll(/^\| `(\w+)` \| var, required \|/gm)) {
      assert.equal(declared[m[1]], "Environment Variable", `${m[1]} is a required var: ${config} must set it`);
    }
  });
}

test("the binding parser can fail: a KV namespace the steps create but the config lacks is reported", () => {
  const wanted = namedBindings(["npx wrangler kv namespace create SESSIONS", "npx wrangler deploy"]);
  const declared = reportedBindings("Your Worker has access to the following bindings:\nBinding    Resource\nenv.OTHER (abc)      KV Namespace\n");
  assert.deepEqual(wanted.kv, ["SESSIONS"]);
  assert.equal(declared.OTHER, "KV Namespace");
  assert.equal(declared.SESSIONS, undefined);
});
