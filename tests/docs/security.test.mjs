// SECURITY.md names, for each threat, the tests that prove its defence. This keeps those names
// true: every "quoted" test name and every `backticked` test or fuzz-target name of the table's
// last column must occur in the test sources, so a renamed or deleted test fails here instead
// of leaving the threat model citing a test that no longer exists.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const ROOT = join(import.meta.dirname, "../..");
const SOURCES = ["src", "tests", "emulator/src", "emulator/tests", "fuzz/fuzz_targets", "bench", "scripts"];

function files(dir) {
  let out = [];
  let entries;
  try { entries = readdirSync(dir); } catch { return out; }
  for (const name of entries) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(files(p));
    else if (/\.(rs|mjs|js|sh)$/.test(name) && !p.endsWith("security.test.mjs")) out.push(p);
  }
  return out;
}
const corpus = SOURCES.flatMap((d) => files(join(ROOT, d)))
// A fuzz target is named by its file: the path is part of what is searched.
  .map((p) => ({ p, text: `${relative(ROOT, p)}\n${readFileSync(p, "utf8")}` }));

// The rows of the threat table: `| threat | defence | proved by |`.
const rows = readFileSync(join(ROOT, "SECURITY.md"), "utf8").split("\n")
  .filter((l) => l.startsWith("| ") && !l.startsWith("| threat") && !l.startsWith("|---"))
  .map((l) => l.split(" | "))
  .map((cells) => ({ threat: cells[0].slice(2), proof: cells.at(-1).replace(/ \|$/, "") }));

// Test names as the test files spell them; `…` in SECURITY.md stands for any text.
function pattern(name) {
  const parts = name.split("…").map((s) => s.trim().replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(parts.join("[\\s\\S]*?"));
}
// Backticked names that are paths, flags or file names are not test names.
const isName = (s) => /^[a-z_][a-z0-9_]*$/.test(s);

test("SECURITY.md has a threat table with a proof for every row", () => {
  assert.ok(rows.length >= 12, `only ${rows.length} rows`);
  for (const r of rows) assert.ok(r.proof.trim().length > 0, `no proof for ${r.threat}`);
});

for (const r of rows) {
  test(`SECURITY.md: the tests named for "${r.threat.slice(0, 60)}" exist`, () => {
    const quoted = [...r.proof.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
    const ticked = [...r.proof.matchAll(/`([^`]+)`/g)].map((m) => m[1]).filter(isName);
    const missing = [];
    for (const name of quoted) {
      const re = pattern(name);
      if (!corpus.some((f) => re.test(f.text))) missing.push(`"${name}"`);
    }
    for (const name of ticked) {
      if (!corpus.some((f) => f.text.includes(name))) missing.push(`\`${name}\``);
    }
    assert.deepEqual(missing, [], `named in SECURITY.md but found in no test source (${SOURCES.join(", ")})`);
    assert.ok(quoted.length + ticked.length > 0 || /scripts\/setup\.sh/.test(r.proof), "names no test");
  });
}
