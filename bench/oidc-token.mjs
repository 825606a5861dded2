// Measures the OpenID provider's POST /oidc/token in workerd (Durable Objects, Miniflare): the
// median time of a code exchange (redeem the code in its object, load the session, sign the
// RS256 id_token with WebCrypto), scope `openid` so that no Discord call is in the figure;
// codes are made beforehand through GET /oidc/authorize with a reused session. Also the median
// of a refused exchange (wrong client secret: no object touched). Beside it, in the same run
// and interleaved request by request, the plain-JS peer (bench/peers/oidc-js: the same work,
// the id_token signed with `jose`), bundled with esbuild. Both write one structured log line
// per request (drained, not printed).
//
//   EMULATOR_URL=http://127.0.0.1:PORT node bench/oidc-token.mjs [N=300]
// Needs build/ (scripts/build-worker.sh) and the emulator running.
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { build } from "esbuild";
import { createHash, randomBytes } from "node:crypto";
import { defaultBindings, request, approve, setCookies, ORIGIN, EMULATOR } from "../tests/support/worker.mjs";

const n = Number(process.argv[2] ?? 300);
const RP = "https://rp.example/callback";
const SECRET = "bench-client-secret-0123456789";
const KEY = execFileSync(process.execPath, ["scripts/oidc-keygen.mjs"], { encoding: "utf8" }).trim();
process.env.WORKER_STORE = "do";
const mf = new (await import("miniflare")).Miniflare({
  modules: true,
  scriptPath: "build/index.js",
  modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
  compatibilityDate: "2026-04-01",
  durableObjects: { SESSION_STORE: { className: "DiscordSessionStore", useSQLite: true } },
  handleRuntimeStdio(stdout, stderr) { stdout.resume(); stderr.resume(); },
  bindings: defaultBindings({
    OIDC_CLIENTS: JSON.stringify([{ client_id: "bench", client_secret: SECRET, redirect_uris: [RP] }]),
    OIDC_SIGNING_KEY: KEY,
  }),
});
const b64 = (b) => Buffer.from(b).toString("base64url");
let jar = {};
async function follow(res) {
  for (;;) {
    for (const [k, c] of Object.entries(setCookies(res))) c.value ? (jar[k] = c.value) : delete jar[k];
    const to = new URL(res.headers.get("location"), ORIGIN);
    if (to.href.startsWith(EMULATOR)) res = await request(mf, await approve(to, {}), { cookies: jar });
    else if (to.origin === ORIGIN) res = await request(mf, to.pathname + to.search, { cookies: jar });
    else return to;
  }
}
async function newCode() {
  const verifier = b64(randomBytes(32));
  const q = new URLSearchParams({
    response_type: "code", client_id: "bench", redirect_uri: RP, scope: "openid",
    code_challenge: b64(createHash("sha256").update(verifier).digest()), code_challenge_method: "S256",
  });
  const rp = await follow(await request(mf, `/oidc/authorize?${q}`, { cookies: jar }));
  return { code: rp.searchParams.get("code"), verifier };
}
// The token request as a relying party's HTTP client sends it, the same to both Workers: the
// body's length declared (dispatchFetch alone would send the body chunked, which no relying
// party does with a form it holds whole; until 2026-12-05 both Workers were measured that way).
function tokenInit(c, secret) {
  const body = new URLSearchParams({ grant_type: "authorization_code", code: c.code, redirect_uri: RP, code_verifier: c.verifier }).toString();
  return {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "content-length": String(Buffer.byteLength(body)),
      authorization: "Basic " + Buffer.from(`bench:${secret}`).toString("base64"),
    },
    body,
  };
}
const exchange = (c, secret = SECRET) => request(mf, "/oidc/token", tokenInit(c, secret));
async function timed(c, secret, expect) {
  const t0 = process.hrtime.bigint();
  const res = await exchange(c, secret);
  await res.arrayBuffer();
  if (res.status !== expect) throw new Error(`status ${res.status}, expected ${expect}`);
  return Number(process.hrtime.bigint() - t0) / 1000;
}
const median = (a) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
await timed(await newCode(), SECRET, 200); // warm-up: login, key import
const WARMUP = 20;

// The JS peer, with codes minted directly into its objects.
mkdirSync("bench/out", { recursive: true });
await build({ entryPoints: ["bench/peers/oidc-js/worker.mjs"], bundle: true, format: "esm", platform: "browser", outfile: "bench/out/oidc-peer.mjs", logLevel: "silent" });
const peer = new (await import("miniflare")).Miniflare({
  modules: true,
  scriptPath: "bench/out/oidc-peer.mjs",
  compatibilityDate: "2026-04-01",
  durableObjects: { STORE: { className: "Store", useSQLite: true } },
  handleRuntimeStdio(stdout, stderr) { stdout.resume(); stderr.resume(); }, // its log lines, as ours
  bindings: { OIDC_CLIENTS: JSON.stringify([{ client_id: "bench", client_secret: SECRET, redirect_uris: [RP] }]), OIDC_SIGNING_KEY: KEY },
});
const session = { user: { id: "1150000000000000001", username: "emulator_user", global_name: "Emulator User" } };
async function peerCode() {
  const verifier = b64(randomBytes(32));
  const code = b64(randomBytes(32));
  const grant = { client_id: "bench", redirect_uri: RP, challenge: b64(createHash("sha256").update(verifier).digest()) };
  const r = await peer.dispatchFetch("http://localhost/mint", { method: "POST", body: JSON.stringify({ code, grant, session }) });
  await r.arrayBuffer();
  return { code, verifier };
}
async function peerTimed(c, secret, expect) {
  const t0 = process.hrtime.bigint();
  const res = await peer.dispatchFetch("http://localhost/oidc/token", tokenInit(c, secret));
  await res.arrayBuffer();
  if (res.status !== expect) throw new Error(`peer status ${res.status}, expected ${expect}`);
  return Number(process.hrtime.bigint() - t0) / 1000;
}
await peerTimed(await peerCode(), SECRET, 200); // warm-up: key import

// Both Workers warmed on the timed route first (WARMUP exchanges and refusals each, as
// bench/id-token.mjs warms its verifications): the engine tiers hot code up, wasm and JS
// alike, and the medians are of the steady state a deployed Worker serves in. Each code is
// made right before its exchange, for both Workers (outside the timers), as a relying party
// redeems a code within moments of the redirect: a code made long before finds its object
// evicted, and reloading it is storage work neither Worker does in that flow. (Until
// 2026-12-04 all of our codes were made first, then all of the peer's, so ours had waited
// longer on average.)
const ok = [], refused = [], js = [], jsRefused = [];
for (let i = 0; i < WARMUP + n; i++) {
  const keep = i >= WARMUP;
  const code = await newCode(), peerCodeI = await peerCode();
  const r = await timed(code, "wrong-secret-0123456789", 401);
  const jr = await peerTimed(peerCodeI, "wrong-secret-0123456789", 401);
  const o = await timed(code, SECRET, 200);
  const j = await peerTimed(peerCodeI, SECRET, 200);
  if (keep) { refused.push(r); jsRefused.push(jr); ok.push(o); js.push(j); }
}
await mf.dispose();
await peer.dispose();
const ours = Math.round(median(ok)), theirs = Math.round(median(js));
console.log(JSON.stringify({
  n, warmup: WARMUP,
  token_median_us: ours, refused_median_us: Math.round(median(refused)),
  js_jose_token_median_us: theirs, js_refused_median_us: Math.round(median(jsRefused)),
  ratio_ours_over_js: Number((ours / theirs).toFixed(2)),
}));
