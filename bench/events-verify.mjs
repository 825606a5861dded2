// Measures POST /auth/events in workerd: the median time of a signed PING (verified, 204) and
// of a request refused before the check (no signature headers, 401), sequential through
// Miniflare, 3 rounds after a warm-up; and the Worker's wasm size. Run it on two builds (e.g.
// the Ed25519 check on WebCrypto, and on a Rust crate) to compare them: README.md, "Discord
// app events", has the figures that chose WebCrypto.
//
//   node bench/events-verify.mjs [BUILD_DIR=build] [N=2000]
// (BUILD_DIR relative to the repository root: Miniflare refuses paths outside it.)
import { Miniflare } from "miniflare";
import { generateKeyPairSync, sign } from "node:crypto";
import { gzipSync } from "node:zlib";
import { readFileSync } from "node:fs";

const dir = process.argv[2] ?? "build";
const n = Number(process.argv[3] ?? 2000);
const { privateKey, publicKey } = generateKeyPairSync("ed25519");
const pub = Buffer.from(publicKey.export({ format: "jwk" }).x, "base64url").toString("hex");
const mf = new Miniflare({
  modules: true,
  scriptPath: `${dir}/index.js`,
  modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
  compatibilityDate: "2026-04-01",
  kvNamespaces: ["SESSIONS"],
  handleRuntimeStdio(stdout, stderr) { stdout.resume(); stderr.resume(); }, // drop the log lines
  bindings: {
    DISCORD_CLIENT_ID: "1100000000000000001",
    DISCORD_CLIENT_SECRET: "bench",
    SESSION_SECRET: "bench-session-secret-0123456789abcdef0123456789",
    DISCORD_PUBLIC_KEY: pub,
  },
});
const body = JSON.stringify({ version: 1, application_id: "1100000000000000001", type: 0 });
const signed = () => {
  const ts = String(Math.floor(Date.now() / 1000));
  return { "x-signature-ed25519": sign(null, Buffer.from(ts + body), privateKey).toString("hex"), "x-signature-timestamp": ts };
};
async function run(headersOf, expect) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const headers = headersOf();
    const t0 = process.hrtime.bigint();
    const res = await mf.dispatchFetch("http://localhost/auth/events", { method: "POST", headers, body });
    await res.arrayBuffer();
    times.push(Number(process.hrtime.bigint() - t0) / 1000);
    if (res.status !== expect) throw new Error(`status ${res.status}, expected ${expect}`);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}
await run(signed, 204); // warm up: isolate, key import
const verified = [], refused = [];
for (let round = 0; round < 3; round++) {
  verified.push(await run(signed, 204));
  refused.push(await run(() => ({}), 401));
}
await mf.dispose();
const med = (a) => a.sort((x, y) => x - y)[1];
const wasm = readFileSync(`${dir}/index_bg.wasm`);
console.log(JSON.stringify({
  build: dir,
  wasm_bytes: wasm.length,
  wasm_gzip_bytes: gzipSync(wasm, { level: 9 }).length,
  median_us_verified_ping: Math.round(med(verified)),
  median_us_refused_unsigned: Math.round(med(refused)),
}));
