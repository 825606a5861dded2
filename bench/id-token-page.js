// The page of bench/id-token.mjs, run in headless Chromium (served cross-origin isolated, so
// performance.now() has its fine resolution). It verifies the same Discord id_tokens with ours
// and with the jose peer, round-robin, and hands back the times in µs.
//
// Ours is the package's real path: the client's shell state `S` and the shell's `dow_id_token`
// (src/browser/shell.js), which is exactly what `handleRedirect` runs: the core's IdTokenDriver
// (`fetch` → `verify` → `done`) driven by the shell's `verifyIdToken` loop with WebCrypto.
// `fetch` is replaced by a local answer with the JWKS for both implementations (no network).
import init, { DiscordOAuthClient } from "/pkg/index.js";
import { createLocalJWKSet, verifyIdToken } from "/jose.js";
import CFG from "/config.js";

const { dow_id_token } = await import(CFG.shell);
await init();

globalThis.fetch = async (input) => {
  const url = typeof input === "string" ? input : input.url;
  if (url !== CFG.jwksUrl) throw new TypeError("bench: no network here: " + url);
  return new Response(CFG.jwks, { status: 200, headers: { "content-type": "application/json" } });
};

/**
 * A DiscordOAuthClient as an app makes it, and its shell state. The state is not exported; the
 * shell calls the `onRequest` option as a method of it (`S.onRequest(trace)`), so one anonymous
 * request hands it over. Throws if that ever changes, rather than measuring something else.
 */
async function ourClient() {
  let S = null;
  const client = new DiscordOAuthClient({
    clientId: CFG.clientId, redirectUri: location.origin + "/", scopes: ["openid", "identify"],
    storage: "memory", onRequest() { S = this; },
  });
  await client.request("GET", "/oauth2/keys", undefined, { auth: false });
  if (typeof S?.core?.idToken !== "function") throw new Error("bench: no shell state from onRequest");
  return { client, S };
}

// The TokenSet the core's `exchanged` gives handleRedirect, holding the id_token.
const tokenSet = (t) => ({
  access_token: t.access_token, token_type: "Bearer", expires_at: Date.now() + 604_800_000,
  refresh_token: "bench-refresh-token", scope: "openid identify", id_token: t.id_token,
});

function check(claims, t) {
  if (claims?.sub !== CFG.userId || claims.nonce !== t.nonce || claims.aud !== CFG.clientId || claims.iss !== CFG.issuer) {
    throw new Error("bench: a verification did not give the token's claims: " + JSON.stringify(claims));
  }
}

const expect = { issuer: CFG.issuer, clientId: CFG.clientId };
const peerKeys = async () => createLocalJWKSet(await (await fetch(CFG.jwksUrl)).json());
const RSA = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
const b64 = (s) => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
const signingJwk = JSON.parse(CFG.jwks).keys.at(-1);

/** Times one verification (µs) and checks its claims outside the timer. */
async function timed(t, verify) {
  const t0 = performance.now();
  const claims = await verify();
  const us = (performance.now() - t0) * 1000;
  check(claims, t);
  return us;
}

// Each implementation, for one token `t`. `first`: as at a login (a new client or key set: the
// keys fetched, parsed and imported); `repeated`: the same client or key set again.
let warmOurs, warmKeys, floorKey;
const IMPLS = {
  ours_first: async (t) => {
    const { client, S } = await ourClient(); // outside the timer, as the app's start-up is
    const tokens = tokenSet(t);
    try {
      return await timed(t, () => dow_id_token(S, tokens, t.nonce));
    } finally {
      client.free();
    }
  },
  js_first: (t) => timed(t, async () => verifyIdToken(t.id_token, await peerKeys(), { ...expect, nonce: t.nonce })),
  js_at_hash_first: (t) => timed(t, async () =>
    verifyIdToken(t.id_token, await peerKeys(), { ...expect, nonce: t.nonce, accessToken: t.access_token })),
  ours_repeated: (t) => {
    const tokens = tokenSet(t);
    return timed(t, () => dow_id_token(warmOurs.S, tokens, t.nonce));
  },
  js_repeated: (t) => timed(t, () => verifyIdToken(t.id_token, warmKeys, { ...expect, nonce: t.nonce })),
  js_at_hash_repeated: (t) => timed(t, () =>
    verifyIdToken(t.id_token, warmKeys, { ...expect, nonce: t.nonce, accessToken: t.access_token })),
  // The floor both pay: WebCrypto alone on the already split token (no parsing, no checks).
  webcrypto_import_verify: (t) => floor(t, true),
  webcrypto_verify: (t) => floor(t, false),
};

async function floor(t, fresh) {
  const [h, c, s] = t.id_token.split(".");
  const data = new TextEncoder().encode(h + "." + c), sig = b64(s);
  const t0 = performance.now();
  const key = fresh ? await crypto.subtle.importKey("jwk", signingJwk, RSA, false, ["verify"]) : floorKey;
  const ok = await crypto.subtle.verify(RSA, key, sig, data);
  const us = (performance.now() - t0) * 1000;
  if (!ok) throw new Error("bench: WebCrypto refused a good token");
  return us;
}

/** The error code a refusal gives; throws if the bad token is accepted. */
async function refused(verify) {
  try {
    await verify();
  } catch (e) {
    return e.code ?? e.message;
  }
  throw new Error("bench: a bad token was accepted");
}

window.run = async ({ tokens, tampered, warmup }) => {
  warmOurs = await ourClient();
  warmKeys = await peerKeys();
  floorKey = await crypto.subtle.importKey("jwk", signingJwk, RSA, false, ["verify"]);
  // Negative controls: a tampered signature is refused by each implementation, first and
  // repeated; a wrong access token by the at_hash variant.
  const bad = tokenSet({ ...tokens[0], id_token: tampered });
  const fresh = await ourClient();
  const negative = {
    ours_first: await refused(() => dow_id_token(fresh.S, bad, tokens[0].nonce)),
    ours_repeated: await refused(() => dow_id_token(warmOurs.S, bad, tokens[0].nonce)),
    js_first: await refused(async () => verifyIdToken(tampered, await peerKeys(), { ...expect, nonce: tokens[0].nonce })),
    js_repeated: await refused(() => verifyIdToken(tampered, warmKeys, { ...expect, nonce: tokens[0].nonce })),
    js_at_hash_wrong_access_token: await refused(() =>
      verifyIdToken(tokens[0].id_token, warmKeys, { ...expect, nonce: tokens[0].nonce, accessToken: "not-the-access-token" })),
  };
  fresh.client.free();
  // Warm-up (the JIT, the wasm, WebCrypto), then round-robin: token i through every
  // implementation, the order rotated at each i.
  const names = Object.keys(IMPLS);
  const times = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < warmup; i++) for (const n of names) await IMPLS[n](tokens[i % tokens.length]);
  for (let i = 0; i < tokens.length; i++) {
    for (let k = 0; k < names.length; k++) {
      const n = names[(i + k) % names.length];
      times[n].push(await IMPLS[n](tokens[i]));
    }
  }
  warmOurs.client.free();
  return { times, negative, crossOriginIsolated, userAgent: navigator.userAgent };
};
window.ready = true;
