#!/usr/bin/env node
// Prints a new RSA private key (2048 bits, RS256) as a JSON Web Key on one line: the value of
// the Worker's OIDC_SIGNING_KEY secret (docs/oidc-provider.md). Node's own WebCrypto, no
// network. Usage:
//   node scripts/oidc-keygen.mjs | npx wrangler secret put OIDC_SIGNING_KEY
//   node scripts/oidc-keygen.mjs --bits 3072 > key.json   (2048 to 8192)
// The key is printed, never written anywhere: pipe it straight into the secret.
import { webcrypto } from "node:crypto";

const at = process.argv.indexOf("--bits");
const bits = at > 0 ? Number(process.argv[at + 1]) : 2048;
if (!Number.isInteger(bits) || bits < 2048 || bits > 8192 || bits % 8) {
  console.error("--bits must be a multiple of 8 from 2048 to 8192");
  process.exit(2);
}
const { privateKey } = await webcrypto.subtle.generateKey(
  { name: "RSASSA-PKCS1-v1_5", modulusLength: bits, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
  true,
  ["sign", "verify"],
);
const jwk = await webcrypto.subtle.exportKey("jwk", privateKey);
// Only the RSA members and the algorithm: the Worker derives the kid (RFC 7638 thumbprint).
const { kty, n, e, d, p, q, dp, dq, qi } = jwk;
process.stdout.write(JSON.stringify({ kty, alg: "RS256", n, e, d, p, q, dp, dq, qi }) + "\n");
