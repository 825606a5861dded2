// Soak with faults: SOAK_REQUESTS (default 20,000) requests at concurrency 50 over a mix of
// /auth/session and /api/users/@me, through the built Worker in workerd (Miniflare), while the
// emulator injects 429 bursts, 5xx, answers slower than the Worker's upstream timeout,
// malformed JSON and dropped connections. Counts responses by status, sessions stored before
// and after, and 500s that are not a documented config_error (a panic shows as one).
// Session mode: SOAK_STORE=kv (default: sessions in KV; writes bench/out/soak.json) or
// SOAK_STORE=do (sessions in Durable Objects, binding SESSION_STORE; bench/out/soak-do.json).
import { Miniflare } from "miniflare";
import { writeFileSync } from "node:fs";
import { start, control, sleep } from "./lib.mjs";

const TOTAL = Number(process.env.SOAK_REQUESTS ?? 20_000);
const CONCURRENCY = 50, SESSIONS = 20, EMU_PORT = 28791;
const emu = `http://127.0.0.1:${EMU_PORT}`;
const target = process.env.CARGO_TARGET_DIR ?? "target";
const STORE = process.env.SOAK_STORE === "do" ? "do" : "kv";
const FILE = STORE === "do" ? "bench/out/soak-do.json" : "bench/out/soak.json";

const e = await start(`${target}/release/discord-emulator`, ["--port", String(EMU_PORT), "--auto-approve", "--quiet"], { ready: /listening on/ });
const mf = new Miniflare({
  modules: true, scriptPath: "build/index.js",
  modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
  compatibilityDate: "2026-04-01", kvNamespaces: ["SESSIONS"],
  ...(STORE === "do" ? { durableObjects: { SESSION_STORE: { className: "DiscordSessionStore", useSQLite: true } } } : {}),
  bindings: { DISCORD_CLIENT_ID: "1100000000000000001", DISCORD_CLIENT_SECRET: "emulator-client-secret",
    SESSION_SECRET: "soak-session-secret-0123456789abcdef0123456789abcdef", DISCORD_BOT_TOKEN: "emulator-bot-token",
    DISCORD_API_BASE: `${emu}/api/v10`, DISCORD_AUTHORIZE_URL: `${emu}/oauth2/authorize` },
});
const base = "http://localhost";

// The sessions stored. KV mode: the session entries (`session:…`; the per-user index entries
// are not counted). Durable Object mode: the live sessions reachable through each fixture
// user's index object (the objects' own operations, as tests/support/worker.mjs reads them).
const FIXTURE_USERS = Array.from({ length: 9 }, (_, i) => `115000000000000000${i + 1}`);
async function storedSessions() {
  if (STORE === "kv") {
    const { keys } = await (await mf.getKVNamespace("SESSIONS")).list({ prefix: "session:" });
    return keys.length;
  }
  const ns = await mf.getDurableObjectNamespace("SESSION_STORE");
  let n = 0;
  for (const user of FIXTURE_USERS) {
    const keys = await (await ns.get(ns.idFromName(`user:${user}`)).fetch("https://session-store/index")).json();
    for (const name of keys) {
      const res = await ns.get(ns.idFromName(name)).fetch("https://session-store/session");
      await res.arrayBuffer();
      if (res.status === 200) n++;
    }
  }
  return n;
}
const out = { command: `SOAK_STORE=${STORE} SOAK_REQUESTS=${TOTAL} node bench/soak.mjs`, store: STORE, requests: TOTAL, concurrency: CONCURRENCY, statuses: {}, undocumented_500: 0, bodies_without_json: 0 };
try {
  await control(emu, "rate-limits", { limit: 0, window_ms: 1000 });
  // Sessions made through the real login flow.
  const cookies = [];
  for (let i = 0; i < SESSIONS; i++) {
    const a = await mf.dispatchFetch(base + "/auth/login", { redirect: "manual" });
    const state = a.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    const b = await fetch(a.headers.get("location"), { redirect: "manual" });
    const cb = new URL(b.headers.get("location"));
    const c = await mf.dispatchFetch(base + cb.pathname + cb.search, { redirect: "manual", headers: { cookie: state } });
    cookies.push(c.headers.getSetCookie().map((x) => x.split(";")[0]).find((x) => /session=./.test(x)));
  }
  out.sessions_before = await storedSessions();

  // Faults, re-armed while the soak runs.
  let soaking = true;
  const faults = (async () => {
    const route = "GET /api/v10/users/@me";
    const kinds = [
      { kind: "status", status: 429, retry_after: 0.2, global: false, count: 40 },
      { kind: "status", status: 429, retry_after: 0.5, global: true, count: 5 },
      { kind: "status", status: 500, count: 20 }, { kind: "status", status: 503, count: 20 },
      { kind: "delay", delay_ms: 12_000, count: 5 }, { kind: "malformed", count: 20 }, { kind: "drop", count: 20 },
    ];
    for (let i = 0; soaking; i++) { await control(emu, "faults", { route, ...kinds[i % kinds.length] }); await sleep(150); }
  })();

  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < TOTAL) {
      const i = next++;
      const path = i % 2 ? "/api/users/@me" : "/auth/session";
      try {
        const res = await mf.dispatchFetch(base + path, { headers: { cookie: cookies[i % SESSIONS] } });
        const text = await res.text();
        out.statuses[res.status] = (out.statuses[res.status] ?? 0) + 1;
        let body = null;
        try { body = JSON.parse(text); } catch { if (res.status >= 400) out.bodies_without_json++; }
        if (res.status === 500 && body?.error !== "config_error") out.undocumented_500++;
      } catch (err) { out.statuses.dispatch_error = (out.statuses.dispatch_error ?? 0) + 1; }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  out.seconds = +((performance.now() - t0) / 1000).toFixed(1);
  soaking = false; await faults;
  await fetch(emu + "/_emulator/faults", { method: "DELETE" });
  out.sessions_after = await storedSessions();
  let alive = 0;
  for (const cookie of cookies) if ((await mf.dispatchFetch(base + "/auth/session", { headers: { cookie } })).status === 200) alive++;
  out.sessions_answering_after = alive;
  out.emulator_counters = await control(emu, "counters");
} finally { await mf.dispose(); e.stop(); }
// Written here, not printed: Miniflare forwards the Worker's own log lines to stdout.
writeFileSync(FILE, JSON.stringify(out, null, 2) + "\n");
console.log(`[soak ${STORE}] ${out.requests} requests in ${out.seconds} s: ${JSON.stringify(out.statuses)}`);
process.exit(0);
