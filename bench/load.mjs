// Worker throughput and latency under a loopback load generator (autocannon), ours beside the
// JavaScript peer in bench/peers/worker-js, both in workerd through Miniflare directly (its
// own HTTP listener; no `wrangler dev`, whose log relay capped both Workers), against one
// emulator with its rate limits lifted; in both session modes: KV (`kv`) and Durable Objects
// (`do`, each Worker's own object class on the binding SESSION_STORE). Both Workers write one
// structured log line per request to workerd's stdout, which is drained and counted here.
// Each run also records the CPU time per request of the Worker's workerd process.
// Plus the emulator's own start-up time and requests per second. Prints JSON.
//   BENCH_DURATION (s per run, 10)  BENCH_ROUNDS (interleaved rounds, 5)  BENCH_MODES (kv,do)
//   BENCH_WARMUP (s of unrecorded load per Worker and route before the rounds, 2)
//   BENCH_ROUTES (auth_session,api_users_me)
import { Miniflare } from "miniflare";
import { start, control, login, load, workerOptions, workerdPids, cpuSeconds, median } from "./lib.mjs";

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 5));
const MODES = (process.env.BENCH_MODES ?? "kv,do").split(",");
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);
const EMU_PORT = 28790, PORTS = { ours: 28787, peer_js: 28788 };
const ALL_ROUTES = [["auth_session", "/auth/session"], ["api_users_me", "/api/users/@me"]];
// BENCH_ROUTES (auth_session,api_users_me) narrows a run to some routes, for A/B runs of a change.
const ROUTES = ALL_ROUTES.filter(([name]) => (process.env.BENCH_ROUTES ?? "auth_session,api_users_me").split(",").includes(name));
const emu = `http://127.0.0.1:${EMU_PORT}`;
const target = process.env.CARGO_TARGET_DIR ?? "target";
const out = {
  command: `BENCH_DURATION=${DURATION} BENCH_ROUNDS=${ROUNDS} BENCH_WARMUP=${WARMUP} BENCH_MODES=${MODES.join(",")}${process.env.BENCH_ROUTES ? ` BENCH_ROUTES=${process.env.BENCH_ROUTES}` : ""} node bench/load.mjs`,
  harness: "Miniflare (workerd, its HTTP listener on 127.0.0.1), autocannon 50 connections",
  rounds: ROUNDS, duration_s: DURATION, warmup_s: WARMUP,
};

/** A load run plus the CPU ms per request of the Worker's workerd. */
async function measured(url, opts, pid) {
  const before = cpuSeconds(pid);
  const r = await load(url, opts);
  const after = cpuSeconds(pid);
  if (r.requests > 0) r.cpu_ms_per_req = +((1000 * (after - before)) / r.requests).toFixed(2);
  return r;
}

/** Starts one Worker in its own Miniflare (its own workerd) on its port. */
async function startWorker(kind, mode) {
  const before = workerdPids();
  const logCounter = { lines: 0 };
  const mf = new Miniflare(workerOptions(kind, mode, { emulator: emu, port: PORTS[kind], logCounter }));
  const url = await mf.ready;
  const pid = [...workerdPids()].find((p) => !before.has(p));
  return { mf, url, pid, logCounter };
}

const e = await start(`${target}/release/discord-emulator`, ["--port", String(EMU_PORT), "--auto-approve", "--quiet"],
  { ready: /listening on/ });
out.emulator = { startup_ms: Math.round(e.startupMs) };
try {
  await control(emu, "rate-limits", { limit: 0, window_ms: 1000 });
  await control(emu, "rate-limits", { global: null });
  for (const port of Object.values(PORTS)) {
    await control(emu, "applications/1100000000000000001/redirect_uris", { uri: `http://127.0.0.1:${port}/auth/callback` });
  }
  // The emulator alone: /users/@me with a client-credentials token.
  const tok = await (await fetch(emu + "/api/v10/oauth2/token", { method: "POST",
    headers: { authorization: "Basic " + btoa("1100000000000000001:emulator-client-secret"), "content-type": "application/x-www-form-urlencoded" },
    body: "grant_type=client_credentials&scope=identify" })).json();
  out.emulator.users_me = await load(emu + "/api/v10/users/@me", { headers: { authorization: "Bearer " + tok.access_token }, duration: DURATION });

  for (const mode of MODES) {
    const workers = {};
    try {
      for (const kind of ["ours", "peer_js"]) {
        workers[kind] = await startWorker(kind, mode);
        workers[kind].base = `http://127.0.0.1:${PORTS[kind]}`;
        workers[kind].cookie = await login(workers[kind].base);
      }
      // A short warm-up of each Worker and route (not recorded): the first seconds of a fresh
      // isolate (JIT, first object start) are not its steady state.
      for (const [, path] of ROUTES) for (const w of Object.values(workers)) await load(w.base + path, { headers: { cookie: w.cookie }, duration: WARMUP });
      // ROUNDS interleaved rounds, the order of the two Workers alternating, so that a busy
      // moment of the machine does not land on one side only; each figure is the median.
      const runs = Object.fromEntries(["ours", "peer_js"].map((k) => [k, Object.fromEntries(ROUTES.map(([r]) => [r, []]))]));
      const linesBefore = Object.fromEntries(Object.entries(workers).map(([k, w]) => [k, w.logCounter.lines]));
      for (let round = 0; round < ROUNDS; round++) {
        const order = round % 2 ? ["peer_js", "ours"] : ["ours", "peer_js"];
        for (const [route, path] of ROUTES) {
          for (const name of order) {
            const { base, cookie, pid } = workers[name];
            runs[name][route].push(await measured(base + path, { headers: { cookie }, duration: DURATION }, pid));
          }
        }
      }
      const m = (out[mode] = {});
      for (const name of Object.keys(runs)) {
        m[name] = {};
        for (const [route, rs] of Object.entries(runs[name])) {
          m[name][route] = {
            rps: median(rs.map((r) => r.rps)), p50_ms: median(rs.map((r) => r.p50_ms)), p99_ms: median(rs.map((r) => r.p99_ms)),
            non2xx: rs.reduce((a, r) => a + r.non2xx, 0), errors: rs.reduce((a, r) => a + r.errors + r.timeouts, 0),
            requests: rs.reduce((a, r) => a + r.requests, 0),
            cpu_ms_per_req: median(rs.map((r) => r.cpu_ms_per_req ?? NaN)),
            rounds: rs.map((r) => ({ rps: r.rps, p99_ms: r.p99_ms })),
          };
        }
        // The log lines the Worker wrote during the rounds, per request answered (should be 1).
        const requests = Object.values(m[name]).reduce((a, r) => a + r.requests, 0);
        m[name].log_lines_per_request = +((workers[name].logCounter.lines - linesBefore[name]) / requests).toFixed(3);
      }
      m.ratio = {};
      for (const [route] of ROUTES) {
        m.ratio[route] = {
          rps: +(m.ours[route].rps / m.peer_js[route].rps).toFixed(2),
          p99: +(m.ours[route].p99_ms / m.peer_js[route].p99_ms).toFixed(2),
        };
      }
    } finally {
      for (const w of Object.values(workers)) await w.mf.dispose();
    }
  }
} finally { e.stop(); }
console.log(JSON.stringify(out, null, 2));
process.exit(0);
