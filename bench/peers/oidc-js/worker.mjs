// The plain-JS peer of the OpenID provider's token endpoint, for bench/oidc-token.mjs: the same
// work as POST /oidc/token with scope `openid` (Basic client auth compared in constant time,
// the code redeemed once in a Durable Object, PKCE S256, the session read from a second
// object, an RS256 id_token signed with `jose`), written the way a JS Worker would. Not a
// provider: `POST /mint` stores a code for the bench. Bundled with esbuild by the bench.
// Like ours it writes one structured log line per request (to stdout, drained by the bench).
import { importJWK, SignJWT } from "jose";

const enc = new TextEncoder();
const b64url = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
async function same(a, b) {
  const [x, y] = await Promise.all([a, b].map((s) => crypto.subtle.digest("SHA-256", enc.encode(s))));
  return crypto.subtle.timingSafeEqual ? crypto.subtle.timingSafeEqual(x, y) : b64url(x) === b64url(y);
}
let key;

export class Store {
  constructor(state) { this.storage = state.storage; }
  async fetch(req) {
    const path = new URL(req.url).pathname;
    if (path === "/put") { await this.storage.put("v", await req.json()); return new Response(null, { status: 204 }); }
    if (path === "/get") { const v = await this.storage.get("v"); return v ? Response.json(v) : new Response(null, { status: 404 }); }
    // /redeem: once.
    const v = await this.storage.get("v");
    if (!v) return new Response(null, { status: 404 });
    if (v.used) return new Response(null, { status: 409 });
    v.used = true;
    await this.storage.put("v", v);
    return Response.json(v);
  }
}

const error = (status, code) => Response.json({ error: code, error_description: code }, { status });

export default {
  // One structured log line per request, as ours writes (and as bench/peers/worker-js does).
  async fetch(req, env) {
    const started = Date.now();
    const log = { route: new URL(req.url).pathname, method: req.method, status: 0, duration_ms: 0 };
    const res = await handle(req, env);
    log.status = res.status;
    log.duration_ms = Date.now() - started;
    console.log(JSON.stringify(log));
    return res;
  },
};

async function handle(req, env) {
  const url = new URL(req.url);
  const obj = (name) => env.STORE.get(env.STORE.idFromName(name));
  if (url.pathname === "/mint") {
    const { code, grant, session } = await req.json();
    await obj("session").fetch("https://o/put", { method: "PUT", body: JSON.stringify(session) });
    await obj("code:" + code).fetch("https://o/put", { method: "PUT", body: JSON.stringify(grant) });
    return new Response(null, { status: 204 });
  }
  if (url.pathname !== "/oidc/token" || req.method !== "POST") return error(404, "not_found");
  const form = new URLSearchParams(await req.text());
  const [id, secret] = atob((req.headers.get("authorization") ?? "").replace(/^Basic /, "")).split(":");
  const clients = JSON.parse(env.OIDC_CLIENTS);
  const client = clients.find((c) => c.client_id === id);
  if (!(await same(secret ?? "", client?.client_secret ?? "")) || !client) return error(401, "invalid_client");
  if (form.get("grant_type") !== "authorization_code") return error(400, "unsupported_grant_type");
  const r = await obj("code:" + form.get("code")).fetch("https://o/redeem", { method: "POST" });
  if (r.status !== 200) return error(400, "invalid_grant");
  const grant = await r.json();
  if (grant.client_id !== id || grant.redirect_uri !== form.get("redirect_uri")) return error(400, "invalid_grant");
  const digest = b64url(await crypto.subtle.digest("SHA-256", enc.encode(form.get("code_verifier") ?? "")));
  if (digest !== grant.challenge) return error(400, "invalid_grant");
  const s = await obj("session").fetch("https://o/get");
  if (s.status !== 200) return error(400, "invalid_grant");
  const user = (await s.json()).user;
  key ??= await importJWK(JSON.parse(env.OIDC_SIGNING_KEY), "RS256");
  const now = Math.floor(Date.now() / 1000);
  const id_token = await new SignJWT({ preferred_username: user.username, name: user.global_name ?? user.username, nonce: grant.nonce })
    .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: "peer" })
    .setIssuer(url.origin).setSubject(user.id).setAudience(id).setIssuedAt(now).setExpirationTime(now + 600)
    .sign(key);
  const access_token = b64url(crypto.getRandomValues(new Uint8Array(32)));
  return Response.json({ access_token, token_type: "Bearer", expires_in: 3600, id_token, scope: "openid" }, { headers: { "cache-control": "no-store" } });
}
