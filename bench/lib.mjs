// Shared pieces of the bench scripts: child processes, the emulator, logging in through a
// Worker (following the emulator's auto-approve redirect by hand), autocannon runs.
import { spawn } from "node:child_process";
import autocannon from "autocannon";

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts a command; resolves when `ready` matches its output (or the URL answers). */
export async function start(cmd, args, { ready, url, env = {}, timeoutMs = 180_000 } = {}) {
  const t0 = performance.now();
  // Its own process group, so that stopping it also stops what it started (npx → wrangler → workerd).
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let log = "";
  const onData = (d) => { log += d; if (log.length > 200_000) log = log.slice(-100_000); };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${cmd} exited:\n${log.slice(-3000)}`);
    if (ready && ready.test(log)) break;
    if (url) { try { await fetch(url); break; } catch { /* not yet */ } }
    if (Date.now() > deadline) { try { process.kill(-child.pid, "SIGTERM"); } catch { /* gone */ } throw new Error(`${cmd} did not start:\n${log.slice(-3000)}`); }
    await sleep(ready && !url ? 5 : 100);
  }
  const stop = () => { try { process.kill(-child.pid, "SIGTERM"); } catch { /* already gone */ } };
  return { child, startupMs: performance.now() - t0, log: () => log, stop };
}

export async function control(emu, path, body) {
  const res = await fetch(emu + "/_emulator/" + path, body === undefined ? {} :
    { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`control ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

const cookiesOf = (res) => res.headers.getSetCookie().map((c) => c.split(";")[0]);

/** Logs in through a Worker at `base` against an --auto-approve emulator; returns the session cookie. */
export async function login(base) {
  const a = await fetch(base + "/auth/login", { redirect: "manual" });
  const stateCookies = cookiesOf(a).join("; ");
  const b = await fetch(a.headers.get("location"), { redirect: "manual" }); // emulator approves
  const callback = new URL(b.headers.get("location"));
  const c = await fetch(base + callback.pathname + callback.search, { redirect: "manual", headers: { cookie: stateCookies } });
  const session = cookiesOf(c).find((x) => /session=/.test(x) && !/=$/.test(x));
  if (c.status !== 302 || !session) throw new Error(`login failed: ${c.status} ${await c.text()}`);
  return session;
}

/** One autocannon run: requests per second, latency percentiles (ms), statuses. */
export async function load(url, { headers = {}, connections = 50, duration = 10 } = {}) {
  const r = await autocannon({ url, headers, connections, duration, pipelining: 1 });
  return {
    rps: Math.round(r.requests.average),
    p50_ms: r.latency.p50, p99_ms: r.latency.p99,
    requests: r.requests.total, non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts,
  };
}

// --- the two Workers in workerd through Miniflare directly (no `wrangler dev`) -------------

import { readdirSync, readFileSync } from "node:fs";

/** The Workers the benchmarks compare: ours (build/) and the JavaScript peer. */
export const WORKERS = {
  ours: { scriptPath: "build/index.js", className: "DiscordSessionStore" },
  peer_js: { scriptPath: "bench/peers/worker-js/index.js", className: "PeerSessionStore" },
};

/**
 * Miniflare options for one Worker (`ours` or `peer_js`) in a session mode (`kv` or `do`):
 * the same KV namespace for both, and in `do` mode the Worker's own Durable Object class on the
 * binding SESSION_STORE (SQLite-backed), as tests/support/worker.mjs does for ours.
 * The Worker's stdout (its one log line per request) is drained and counted, not printed.
 */
export function workerOptions(kind, mode, { emulator, port, persist, logCounter } = {}) {
  const w = WORKERS[kind];
  return {
    name: kind,
    modules: true,
    scriptPath: w.scriptPath,
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2026-04-01",
    kvNamespaces: ["SESSIONS"],
    ...(mode === "do" ? { durableObjects: { SESSION_STORE: { className: w.className, useSQLite: true } } } : {}),
    bindings: {
      DISCORD_CLIENT_ID: "1100000000000000001", DISCORD_CLIENT_SECRET: "emulator-client-secret",
      SESSION_SECRET: "bench-session-secret-0123456789abcdef0123456789abcdef",
      DISCORD_API_BASE: `${emulator}/api/v10`, DISCORD_AUTHORIZE_URL: `${emulator}/oauth2/authorize`,
    },
    cf: false, // no request.cf data to fetch: the fallback object
    ...(port !== undefined ? { host: "127.0.0.1", port } : {}),
    ...(persist ? { kvPersist: `${persist}/kv`, durableObjectsPersist: `${persist}/do` } : {}),
    handleRuntimeStdio(stdout, stderr) {
      stdout.on("data", (chunk) => {
        if (!logCounter) return;
        for (const b of chunk) if (b === 10) logCounter.lines++;
      });
      stderr.resume();
    },
  };
}

/** The workerd processes started by this Node process (Miniflare's children), by pid. */
export function workerdPids() {
  const pids = new Set();
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const m = readFileSync(`/proc/${pid}/stat`, "utf8").match(/^\d+ \((.*)\) (.*)$/s);
      if (m[1] === "workerd" && Number(m[2].split(" ")[1]) === process.pid) pids.add(Number(pid));
    } catch { /* gone, or no /proc */ }
  }
  return pids;
}

/** CPU seconds used so far by a process (user + system; Linux /proc only). */
export function cpuSeconds(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8").match(/^\d+ \(.*\) (.*)$/s)[1].split(" ");
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch { return NaN; }
}

export const median = (xs) => { const v = [...xs].sort((a, b) => a - b); return v[(v.length - 1) >> 1]; };
