// Measures verifying one Discord id_token (RS256) in headless Chromium the way our browser
// client does it in `handleRedirect`: the Rust core's IdTokenDriver (src/browser/id_token.rs,
// steps `fetch` → `verify` → `done`: parse, claims, key choice) run by the JS shell's
// `verifyIdToken` loop with WebCrypto (src/browser/shell.js, through its internal export
// `dow_id_token`, which handleRedirect itself calls), from the built package in pkg/. Beside
// it, on the same page, round-robin token by token, the plain-JS peer
// (bench/peers/browser/id-token-jose.mjs): jose's jwtVerify (RS256 only, issuer, audience,
// clockTolerance 60) plus what jose leaves to the caller (sub, iat not ahead, azp, nonce), and
// a second variant that also checks `at_hash` with crypto.subtle (our browser build leaves
// at_hash out, docs/oidc.md, so the first variant is the same work as ours).
//
// Two cases: `first`, as at each login (ours: a new client, so the JWKS is fetched, parsed and
// its key imported; the peer: a fresh createLocalJWKSet over the fetched JWKS, so jose imports
// the key); `repeated`, the same client / key set again (ours keeps the JWKS and the imported
// WebCrypto key per client, as jose does per key set). `fetch` is replaced in the page by a
// local answer with the JWKS, for both: no network. The floor both stand on is
// timed too: WebCrypto importKey + verify, and verify alone, on the already split token.
//
// The tokens are signed in Node with jose's SignJWT by a fresh RSA key (scripts/oidc-keygen.mjs),
// with the claims Discord's id_token has (iss https://discord.com, aud, sub, iat, exp,
// auth_time, at_hash, nonce; header alg, typ, kid); the JWKS holds that key and a second one.
// Every timed verification must give the token's claims; a tampered signature must be refused
// by each implementation first. Prints one JSON line: medians in µs, n, ratios ours / peer.
//
//   node bench/id-token.mjs                 BENCH_ID_TOKENS=300 (verifications per implementation)
// Needs pkg/ (scripts/build-web.sh) and Chromium (CHROMIUM, default /usr/bin/chromium).
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { existsSync, mkdirSync, readFileSync, readdirSync } from "node:fs";
import { extname, join, normalize } from "node:path";
import { buildSync } from "esbuild";
import { SignJWT, calculateJwkThumbprint, importJWK } from "jose";
import { launch } from "../tests/support/browser.mjs";

const N = Number(process.env.BENCH_ID_TOKENS ?? 300);
const WARMUP = 20;
const CLIENT_ID = "1100000000000000002", USER_ID = "1150000000000000001";
const ISSUER = "https://discord.com"; // the client's default: the origin of its API base
const JWKS_URL = "https://discord.com/api/v10/oauth2/keys"; // answered in the page, never fetched

const snippets = "pkg/snippets";
const shell = existsSync(snippets) && readdirSync(snippets).map((d) => join(snippets, d, "src/browser/shell.js")).find(existsSync);
if (!shell) throw new Error("no pkg/snippets/*/src/browser/shell.js: run scripts/build-web.sh first");
mkdirSync("bench/out/id-token", { recursive: true });
buildSync({ entryPoints: ["bench/peers/browser/id-token-jose.mjs"], bundle: true, minify: true, format: "esm",
            outfile: "bench/out/id-token/jose.js", logLevel: "silent" });

// The keys and the tokens.
const b64 = (b) => Buffer.from(b).toString("base64url");
const keygen = () => JSON.parse(execFileSync(process.execPath, ["scripts/oidc-keygen.mjs"], { encoding: "utf8" }));
const publicJwk = async ({ kty, n, e }) => ({ kty, use: "sig", alg: "RS256", kid: await calculateJwkThumbprint({ kty, n, e }), n, e });
const signing = keygen();
const jwks = { keys: [await publicJwk(keygen()), await publicJwk(signing)] }; // found by kid, not by position
const kid = jwks.keys[1].kid;
const privateKey = await importJWK(signing, "RS256");
const now = Math.floor(Date.now() / 1000);
async function newToken() {
  const nonce = b64(randomBytes(32)), access_token = b64(randomBytes(22));
  const at_hash = b64(createHash("sha256").update(access_token).digest().subarray(0, 16));
  const id_token = await new SignJWT({ auth_time: now, at_hash, nonce })
    .setProtectedHeader({ alg: "RS256", typ: "JWT", kid })
    .setIssuer(ISSUER).setSubject(USER_ID).setAudience(CLIENT_ID)
    .setIssuedAt(now).setExpirationTime(now + 3600) // Discord's and the emulator's lifetime: 1 h
    .sign(privateKey);
  return { id_token, nonce, access_token };
}
const tokens = [];
for (let i = 0; i < N; i++) tokens.push(await newToken());
const [h, c, s] = tokens[0].id_token.split(".");
const sig = Buffer.from(s, "base64url");
sig[7] ^= 1;
const tampered = `${h}.${c}.${b64(sig)}`;

// The page, its modules and the package, cross-origin isolated (5 µs timers instead of 100 µs).
const config = { shell: "/" + shell, jwks: JSON.stringify(jwks), jwksUrl: JWKS_URL, clientId: CLIENT_ID, userId: USER_ID, issuer: ISSUER };
const files = {
  "/index.html": ["text/html", '<!doctype html><title>id_token</title><script type="module" src="/page.js"></script>'],
  "/config.js": ["text/javascript", `export default ${JSON.stringify(config)};`],
  "/page.js": ["text/javascript", readFileSync("bench/id-token-page.js")],
  "/jose.js": ["text/javascript", readFileSync("bench/out/id-token/jose.js")],
};
const types = { ".js": "text/javascript", ".wasm": "application/wasm" };
const isolated = { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp", "cache-control": "no-store" };
const server = createServer((req, res) => {
  const path = req.url.split("?")[0];
  if (files[path]) {
    res.writeHead(200, { "content-type": files[path][0], ...isolated });
    return res.end(files[path][1]);
  }
  const file = normalize(path.slice(1));
  if (file.startsWith("pkg/") && existsSync(file)) {
    res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream", ...isolated });
    return res.end(readFileSync(file));
  }
  res.writeHead(404);
  res.end();
}).listen(0, "127.0.0.1");
await new Promise((r) => server.once("listening", r));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const browser = await launch();
let result;
try {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`http://127.0.0.1:${server.address().port}/index.html`);
  await page.waitForFunction(() => window.ready, null, { timeout: 30_000 }).catch(() => {
    throw new Error("the page did not load: " + errors.join("; "));
  });
  result = await page.evaluate((arg) => window.run(arg), { tokens, tampered, warmup: WARMUP });
} finally {
  await browser.close();
  server.close();
}

const EXPECTED = {
  ours_first: "invalid_grant", ours_repeated: "invalid_grant",
  js_first: "ERR_JWS_SIGNATURE_VERIFICATION_FAILED", js_repeated: "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
  js_at_hash_wrong_access_token: "at_hash",
};
for (const [k, code] of Object.entries(EXPECTED)) {
  if (result.negative[k] !== code) throw new Error(`negative control ${k}: ${result.negative[k]}, expected ${code}`);
}
const m = Object.fromEntries(Object.entries(result.times).map(([k, v]) => [k, Math.round(median(v))]));
const ratio = (a, b) => Number((a / b).toFixed(2));
console.log(JSON.stringify({
  command: `BENCH_ID_TOKENS=${N} node bench/id-token.mjs`,
  n: N, warmup: WARMUP, cross_origin_isolated: result.crossOriginIsolated,
  browser: result.userAgent.match(/Chrome\/[\d.]+/)?.[0],
  first: {
    ours_median_us: m.ours_first, js_jose_median_us: m.js_first, js_jose_at_hash_median_us: m.js_at_hash_first,
    ratio_ours_over_js: ratio(m.ours_first, m.js_first), ratio_ours_over_js_at_hash: ratio(m.ours_first, m.js_at_hash_first),
  },
  repeated: {
    ours_median_us: m.ours_repeated, js_jose_median_us: m.js_repeated, js_jose_at_hash_median_us: m.js_at_hash_repeated,
    ratio_ours_over_js: ratio(m.ours_repeated, m.js_repeated), ratio_ours_over_js_at_hash: ratio(m.ours_repeated, m.js_at_hash_repeated),
  },
  webcrypto_floor: { import_verify_median_us: m.webcrypto_import_verify, verify_median_us: m.webcrypto_verify },
  negative_controls: result.negative,
}));
