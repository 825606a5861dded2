// Starts the built Worker (build/index.js) in workerd through Miniflare, with a real local
// KV namespace, the way the Worker tests use it; and drives the emulator's control API.
//
// The emulator must be running: scripts/test.sh starts it and exports EMULATOR_URL; by hand,
// `cargo build -p discord-emulator && target/debug/discord-emulator --port 18790`.
import { Miniflare } from "miniflare";

export const EMULATOR =
  process.env.EMULATOR_URL ?? `http://127.0.0.1:${process.env.TEST_EMULATOR_PORT ?? 18790}`;
export const ORIGIN = "http://localhost";
export const CLIENT_ID = "1100000000000000001";
export const USER = "1150000000000000001";
export const PLAIN_USER = "1150000000000000003";
export const OWNED_GUILD = "1160000000000000001";
export const ADMIN_GUILD = "1160000000000000002";
export const SESSION_COOKIE = "__Host-discord_session";
export const STATE_COOKIE = "__Host-discord_oauth_state";

/** Default bindings: the emulator's confidential application. */
export function defaultBindings(overrides = {}) {
  const b = {
    DISCORD_CLIENT_ID: CLIENT_ID,
    DISCORD_CLIENT_SECRET: "emulator-client-secret",
    SESSION_SECRET: "test-session-secret-0123456789abcdef0123456789abcdef",
    DISCORD_BOT_TOKEN: "emulator-bot-token",
    DISCORD_API_BASE: `${EMULATOR}/api/v10`,
    DISCORD_AUTHORIZE_URL: `${EMULATOR}/oauth2/authorize`,
    ...overrides,
  };
  for (const [k, v] of Object.entries(b)) if (v === undefined) delete b[k];
  return b;
}

/**
 * The session store the suite runs against: `WORKER_STORE=do` runs every Worker test with
 * sessions in Durable Objects (binding SESSION_STORE), otherwise Workers KV (scripts/test.sh
 * runs the suite once per mode).
 */
export const STORE = process.env.WORKER_STORE === "do" ? "do" : "kv";

function objects(owner) {
  return { SESSION_STORE: { className: "DiscordSessionStore", useSQLite: true, ...(owner ? { scriptName: owner } : {}) } };
}

/** Miniflare over build/index.js (or `scriptPath`, e.g. the host Worker example);
 * `workers` (an array of option objects) for several isolates. */
export function startWorker({ bindings = defaultBindings(), workers, kvPersist, outboundService, logLines, scriptPath = "build/index.js" } = {}) {
  const base = {
    ...(outboundService ? { outboundService } : {}),
    modules: true,
    scriptPath,
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2026-04-01",
    kvNamespaces: ["SESSIONS"],
    bindings,
  };
  if (workers) {
    const first = workers[0].name;
    const multi = new Miniflare({
      kvPersist,
      workers: workers.map((w, i) => ({
        ...base,
        ...(STORE === "do" && !w.durableObjects ? { durableObjects: objects(i === 0 ? undefined : first) } : {}),
        ...w,
      })),
    });
    multi.__firstWorker = first;
    return multi;
  }
  if (STORE === "do" && !base.durableObjects) base.durableObjects = objects();
  // logLines (an array): collects workerd's stdout lines (the Worker's log lines) instead of
  // printing them.
  const stdio = logLines
    ? {
        handleRuntimeStdio(stdout, stderr) {
          let buf = "";
          stdout.on("data", (chunk) => {
            buf += chunk;
            const lines = buf.split("\n");
            buf = lines.pop();
            logLines.push(...lines.filter((l) => l.trim()));
          });
          stderr.resume();
        },
      }
    : {};
  return new Miniflare({ ...base, ...stdio, kvPersist });
}

/**
 * The Worker named `name` of a several-isolate Miniflare (`startWorker({ workers })`), with a
 * `dispatchFetch` like Miniflare's own that reaches that Worker: through Miniflare's entry,
 * with its `MF-Route-Override` header naming the Worker (the entry removes it before the Worker
 * sees the request). Not `mf.getWorker(name)`: the proxy it returns makes synchronous calls
 * into workerd, and this Miniflare's synchronous proxy can fall out of step with its worker
 * thread on a loaded machine, after which every later call of the instance fails (seen once in
 * CI on 2026-12-06; fixed upstream in workers-sdk pull request 15552, in no 4.x release yet).
 * config.test.mjs shows that each name is reached: its Workers differ in one broken setting each.
 */
export function workerNamed(mf, name) {
  return {
    dispatchFetch(url, init = {}) {
      const headers = Object.fromEntries(new Headers(init.headers ?? {}));
      return mf.dispatchFetch(url, { ...init, headers: { ...headers, "MF-Route-Override": name } });
    },
  };
}

// --- the emulator's control API -----------------------------------------------------------

export async function emu(path, body) {
  const res = await fetch(`${EMULATOR}/_emulator/${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`emulator ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}
export const resetEmulator = () => emu("reset", {});
export const counters = () => emu("counters");
export const fault = (f) => emu("faults", f);
export const expireTokens = (body = {}) => emu("tokens/expire", body);
export const tokenLifetime = (seconds) => emu("token-lifetime", { seconds });

// --- cookies and requests -----------------------------------------------------------------

/** The Set-Cookie headers of a response, by name: { value, attrs, raw }. */
export function setCookies(res) {
  const out = {};
  for (const raw of res.headers.getSetCookie()) {
    const [pair, ...attrs] = raw.split(";").map((s) => s.trim());
    const i = pair.indexOf("=");
    out[pair.slice(0, i)] = { value: pair.slice(i + 1), attrs, raw };
  }
  return out;
}

/** dispatchFetch without following redirects, with optional cookies ({name: value}). */
export function request(mf, path, { cookies = {}, headers = {}, ...init } = {}) {
  const cookie = Object.entries(cookies)
    .map(([k, v]) => `${k}=${v}`)
    .join("; ");
  return mf.dispatchFetch(path.startsWith("http") ? path : `${ORIGIN}${path}`, {
    redirect: "manual",
    ...init,
    headers: { ...(cookie ? { cookie } : {}), ...headers },
  });
}

/** GET /auth/login: the authorize URL and the state cookie's value. */
export async function startLogin(mf, query = "") {
  const res = await request(mf, `/auth/login${query}`);
  if (res.status !== 302) throw new Error(`login: ${res.status} ${await res.text()}`);
  const location = new URL(res.headers.get("location"));
  const state = setCookies(res)[STATE_COOKIE]?.value;
  return { res, location, state };
}

/** Asks the emulator to approve (or cancel) an authorize URL: the redirect back to the Worker. */
export async function approve(authorizeUrl, { user_id, action = "approve" } = {}) {
  const params = Object.fromEntries(authorizeUrl.searchParams);
  const { location } = await emu("authorize", { ...params, user_id, action });
  return location;
}

/** The whole login: login, consent at the emulator, callback. Returns the session cookie. */
export async function login(mf, { query = "", user_id } = {}) {
  const { location, state } = await startLogin(mf, query);
  const callback = await approve(location, { user_id });
  const res = await request(mf, callback, { cookies: { [STATE_COOKIE]: state } });
  if (res.status !== 302) throw new Error(`callback: ${res.status} ${await res.text()}`);
  const session = setCookies(res)[SESSION_COOKIE]?.value;
  return { session, res, callback, state, cookies: { [SESSION_COOKIE]: session } };
}

/** The emulator's fixture users (emulator/src/fixtures.rs), for the Durable Object listing. */
const FIXTURE_USERS = Array.from({ length: 9 }, (_, i) => `115000000000000000${i + 1}`);

/** Miniflare instance -> (object name -> stub) of its session objects (Durable Object mode). */
const STUBS = new WeakMap();

/**
 * The stub of a session object by name, made once per name: `idFromName` and `get` are
 * synchronous calls through Miniflare's proxy, the kind that can fall out of step on a loaded
 * machine (`workerNamed`), so the listing below makes as few as it can. Stub `fetch`es are
 * asynchronous.
 */
async function objectStubs(mf) {
  if (!STUBS.has(mf)) {
    const ns = await mf.getDurableObjectNamespace("SESSION_STORE", mf.__firstWorker);
    const byName = new Map();
    STUBS.set(mf, (name) => {
      if (!byName.has(name)) byName.set(name, ns.get(ns.idFromName(name)));
      return byName.get(name);
    });
  }
  return STUBS.get(mf);
}

/**
 * Every stored entry: [{ name, value }]. KV mode: the KV entries (sessions, and the per-user
 * index entries `user:…`; `prefix` picks some). Durable Object mode: the
 * live sessions reachable through each fixture user's index object (the objects' own GET
 * operations, which only the Worker can reach in production).
 */
export async function kvEntries(mf, binding = "SESSIONS", prefix = undefined) {
  if (STORE === "do") {
    const object = await objectStubs(mf);
    const out = [];
    for (const user of FIXTURE_USERS) {
      const keys = await (await object(`user:${user}`).fetch("https://session-store/index")).json();
      for (const name of keys) {
        const res = await object(name).fetch("https://session-store/session");
        if (res.status === 200) out.push({ name, value: await res.text() });
        else await res.arrayBuffer();
      }
    }
    return out.filter(({ name }) => !prefix || name.startsWith(prefix)).sort((x, y) => x.name.localeCompare(y.name));
  }
  const kv = await mf.getKVNamespace(binding);
  const { keys } = await kv.list(prefix ? { prefix } : {});
  return Promise.all(keys.map(async ({ name }) => ({ name, value: await kv.get(name) })));
}

/** The session entries only (`session:…`), without the per-user index. */
export const sessionEntries = (mf) => kvEntries(mf, "SESSIONS", "session:");

/** Reads the JSON error body and checks its shape. */
export async function errorBody(res) {
  const type = res.headers.get("content-type") ?? "";
  if (!type.startsWith("application/json")) throw new Error(`not JSON: ${type}`);
  const body = await res.json();
  if (typeof body.error !== "string" || typeof body.message !== "string") {
    throw new Error(`not an error body: ${JSON.stringify(body)}`);
  }
  return body;
}

// --- the Worker's state-cookie format, rebuilt here to forge cookies with the right key ---

import { createHmac, createCipheriv, randomBytes } from "node:crypto";

const b64url = (buf) => Buffer.from(buf).toString("base64url");

function deriveKey(secret, label) {
  const prk = createHmac("sha256", "discord-oauth-wasm/v1/extract").update(secret).digest();
  return createHmac("sha256", prk)
    .update(Buffer.concat([Buffer.from(`discord-oauth-wasm/v1/${label}`), Buffer.from([1])]))
    .digest();
}

/** A state cookie value the Worker accepts as its own (same derivation and format). */
export function sealState(secret, payload) {
  const nonce = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", deriveKey(secret, "state-cookie/encrypt"), nonce);
  cipher.setAAD(Buffer.from("state-cookie"));
  const ct = Buffer.concat([cipher.update(JSON.stringify(payload)), cipher.final(), cipher.getAuthTag()]);
  const body = b64url(Buffer.concat([nonce, ct]));
  const mac = createHmac("sha256", deriveKey(secret, "state-cookie/sign"))
    .update(`state-cookie.${body}`)
    .digest();
  return `${body}.${b64url(mac)}`;
}

/** The store key of a session cookie's value (`session:<hex HMAC>`, as crypto.rs derives it). */
export function sessionKey(secret, sessionId) {
  return "session:" + createHmac("sha256", deriveKey(secret, "session/kv-key")).update(sessionId).digest("hex");
}
