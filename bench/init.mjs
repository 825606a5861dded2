// Time from import() to the first authorize URL in Chromium: ours (fetch + compile the wasm,
// init(), new DiscordOAuthClient, authorizeUrl) beside each peer (import of its bundle, then its
// first authorize URL), and an empty module's import as the floor. RUNS fresh contexts each,
// round-robin (run i of every peer before run i+1 of any), medians; for ours also where the time
// goes (import, init(), construction, first call). Prints JSON.
// `ours-preload` is ours again on a page that carries the documented
// `<link rel="preload" as="fetch" type="application/wasm" crossorigin>` for the wasm
// (docs/browser.md): the wasm's request then starts with the page instead of at init().
import { createServer } from "node:http";
import { readFileSync, mkdirSync, writeFileSync } from "node:fs";
import { extname, join } from "node:path";
import { buildSync } from "esbuild";
import { launch } from "../tests/support/browser.mjs";

const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const PEERS = ["ours", "ours-preload", "oauth4webapi", "arctic", "oidc-client-ts", "empty"];
mkdirSync("bench/out/init", { recursive: true });
for (const peer of ["oauth4webapi", "arctic", "oidc-client-ts", "ours"]) {
  buildSync({ entryPoints: [`bench/peers/browser/${peer}.mjs`], bundle: true, minify: true, format: "esm",
              outfile: `bench/out/init/${peer}.js`, logLevel: "silent", external: ["*.wasm"] });
}
writeFileSync("bench/out/init/empty.js", "export const authorizeUrl = async () => \"https://discord.com/oauth2/authorize\";\n");
// The wasm beside our bundle, where the glue's `new URL(..., import.meta.url)` looks for it.
writeFileSync("bench/out/init/discord_oauth_wasm_bg.wasm", readFileSync("pkg/discord_oauth_wasm_bg.wasm"));
const PRELOAD = '<link rel="preload" href="/discord_oauth_wasm_bg.wasm" as="fetch" type="application/wasm" crossorigin>';
const page = (peer) => `<!doctype html><title>${peer}</title>${peer === "ours-preload" ? PRELOAD : ""}<script type="module">
  const t0 = performance.now();
  const m = await import("/${peer === "ours-preload" ? "ours" : peer}.js");
  const url = await m.authorizeUrl();
  const at = (name) => performance.getEntriesByName(name)[0]?.startTime;
  const phases = at("ours:imported") === undefined ? null : {
    import: at("ours:imported") - t0, init: at("ours:init") - at("ours:imported"),
    client: at("ours:client") - at("ours:init"), first_call: at("ours:url") - at("ours:client"),
  };
  window.result = { ms: performance.now() - t0, phases, ok: url.startsWith("https://discord.com/oauth2/authorize") };
</script>`;
const types = { ".js": "text/javascript", ".wasm": "application/wasm" };
const server = createServer((req, res) => {
  const name = req.url.split("?")[0];
  if (name.endsWith(".html")) { res.writeHead(200, { "content-type": "text/html" }); return res.end(page(name.slice(1, -5))); }
  try {
    const body = readFileSync(join("bench/out/init", name));
    res.writeHead(200, { "content-type": types[extname(name)] ?? "application/octet-stream", "cache-control": "no-store" });
    res.end(body);
  } catch { res.writeHead(404); res.end(); }
}).listen(0, "127.0.0.1");
await new Promise((r) => server.once("listening", r));
const origin = `http://127.0.0.1:${server.address().port}`;
const browser = await launch();
const out = {};
const times = Object.fromEntries(PEERS.map((p) => [p, []]));
const phases = {};
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
try {
  for (let i = 0; i < RUNS; i++) {
    for (const peer of PEERS) {
      const ctx = await browser.newContext();
      const p = await ctx.newPage();
      await p.goto(`${origin}/${peer}.html`);
      const r = await p.waitForFunction(() => window.result, null, { timeout: 20_000 }).then((h) => h.jsonValue());
      if (!r.ok) throw new Error(`${peer}: unexpected authorize URL`);
      times[peer].push(r.ms);
      if (r.phases) (phases[peer] ??= []).push(r.phases);
      await ctx.close();
    }
  }
  for (const peer of PEERS) {
    const t = times[peer];
    out[peer] = { median_ms: +median(t).toFixed(1), min_ms: +Math.min(...t).toFixed(1), runs: t.length };
  }
  for (const [peer, list] of Object.entries(phases)) {
    out[peer].phases_median_ms = Object.fromEntries(
      Object.keys(list[0]).map((k) => [k, +median(list.map((x) => x[k])).toFixed(1)]));
  }
} finally { await browser.close(); server.close(); }
console.log(JSON.stringify(out, null, 2));
process.exit(0);
