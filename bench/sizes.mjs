// Sizes: our browser client (wasm + JS glue, gzipped) beside peers bundled by esbuild --minify
// for the same flow (authorize URL with PKCE, callback, code exchange, refresh, revoke), and the
// Worker (ours: build/index.js + build/index_bg.wasm; the JavaScript peer bundled).
// Prints a JSON object; bench/run.sh writes it into BENCHMARKS.md.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { buildSync } from "esbuild";

const gz = (buf) => gzipSync(buf, { level: 9 }).length;
const bundle = (entry, opts = {}) =>
  buildSync({ entryPoints: [entry], bundle: true, minify: true, format: "esm", write: false,
              logLevel: "silent", external: ["*.wasm"], ...opts }).outputFiles[0].contents;

const wasm = readFileSync("pkg/discord_oauth_wasm_bg.wasm");
const glue = bundle("bench/peers/browser/ours.mjs");
// The whole package as shipped (issue 13's measure): every .js file of pkg/ (entry, glue, shell
// snippet, the plain-JS modules) and the .wasm, each gzipped on its own, summed. The flow bundle
// above leaves out what the flow does not import (DiscordSession, activityLogin, the helpers).
const files = (dir) => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));
const shipped = files("pkg").filter((f) => /\.(js|wasm)$/.test(f));
const whole = shipped.reduce((sum, f) => sum + gz(readFileSync(f)), 0);
const out = {
  browser: {
    ours: {
      wasm_raw: wasm.length, wasm_gzip: gz(wasm), js_gzip: gz(glue), total_gzip: gz(wasm) + gz(glue),
      package_gzip: whole, package_files: shipped.length,
    },
  },
  worker: {},
};
for (const peer of ["oauth4webapi", "arctic", "oidc-client-ts"]) {
  const js = bundle(`bench/peers/browser/${peer}.mjs`);
  out.browser[peer] = { js_raw: js.length, total_gzip: gz(js) };
}
const wWasm = readFileSync("build/index_bg.wasm");
// The entry (build/index.js) and worker-build's module it imports (build/core.mjs).
const wJs = Buffer.concat(["build/index.js", "build/core.mjs"].map((f) => readFileSync(f)));
out.worker.ours = { wasm_raw: wWasm.length, wasm_gzip: gz(wWasm), js_gzip: gz(wJs), total_gzip: gz(wWasm) + gz(wJs) };
const peerJs = bundle("bench/peers/worker-js/index.js", { external: ["*.wasm", "cloudflare:*"] }); // the runtime provides cloudflare:workers
out.worker.peer_js = { js_raw: peerJs.length, total_gzip: gz(peerJs) };
console.log(JSON.stringify(out, null, 2));
