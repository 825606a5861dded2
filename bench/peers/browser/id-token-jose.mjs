// The plain-JS peer of bench/id-token.mjs: a relying party verifying Discord's id_token with
// `jose`, making the checks our core makes (src/discord/oidc.rs `IdToken::parse`,
// `check_claims`, `Jwks::select`): RS256 only, the key by `kid`, `iss`, `aud` (and `azp`),
// `sub`, `exp` / `iat` with 60 s leeway, the nonce. With `accessToken`, also `at_hash` (OIDC
// Core §3.1.3.6: the left half of SHA-256 of the access token, through crypto.subtle; jose does
// not check it). Bundled for the page by esbuild.
import { createLocalJWKSet, jwtVerify } from "jose";

export { createLocalJWKSet };

const LEEWAY_SECS = 60;

function b64url(bytes) {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The verified claims of `idToken`, or a throw. `keys`: a createLocalJWKSet(…) key set. */
export async function verifyIdToken(idToken, keys, { issuer, clientId, nonce, accessToken }) {
  const { payload } = await jwtVerify(idToken, keys, {
    algorithms: ["RS256"],
    issuer,
    audience: clientId,
    clockTolerance: LEEWAY_SECS,
    requiredClaims: ["iss", "aud", "sub", "exp", "iat"],
  });
  // What jwtVerify leaves to the caller: `sub` non-empty, `iat` not ahead (jose checks it only
  // with maxTokenAge), `azp` (OIDC Core §3.1.3.7), the nonce, `at_hash`.
  if (typeof payload.sub !== "string" || payload.sub === "") throw new Error("sub");
  if (payload.iat > Math.floor(Date.now() / 1000) + LEEWAY_SECS) throw new Error("iat in the future");
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (payload.azp !== undefined ? payload.azp !== clientId : audiences.length > 1) throw new Error("azp");
  if (nonce !== undefined && payload.nonce !== nonce) throw new Error("nonce");
  if (accessToken !== undefined && payload.at_hash !== undefined) {
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(accessToken)));
    if (payload.at_hash !== b64url(digest.subarray(0, 16))) throw new Error("at_hash");
  }
  return payload;
}
