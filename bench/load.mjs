// Worker throughput and latency under a loopback load generator (autocannon), ours beside the
// JavaScript peer in bench/peers/worker-js, both under `wrangler dev` against one emulator with
// its rate limits lifted; plus the emulator's own start-up time and requests per second.
// Both Workers write one structured log line per request. Each run also records the CPU time
// per request of the Worker's workerd and of wrangler dev (which relays every log line).
// Prints JSON.
import { readdirSync, readFileSync } from "node:fs";
import { start, control, login, load } from "./lib.mjs";

// CPU seconds used so far by the processes of a process group (a `wrangler dev` and the workerd
// it runs), by program name: where a Worker's requests spend the machine (Linux /proc only).
function cpuOf(pgid) {
  const out = {};
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const m = readFileSync(`/proc/${pid}/stat`, "utf8").match(/^\d+ \((.*)\) (.*)$/s);
      const f = m[2].split(" ");
      if (Number(f[2]) !== pgid) continue;
      const name = m[1] === "workerd" ? "workerd" : "wrangler";
      out[name] = (out[name] ?? 0) + (Number(f[11]) + Number(f[12])) / 100;
    } catch { /* gone, or no /proc */ }
  }
  return out;
}

/** A load run plus the CPU ms per request of the Worker's workerd and of wrangler dev itself. */
async function measured(url, opts, pgid) {
  const before = cpuOf(pgid);
  const r = await load(url, opts);
  const after = cpuOf(pgid);
  if (r.requests > 0 && Object.keys(after).length) {
    r.cpu_ms_per_req = Object.fromEntries(Object.keys(after).map((k) =>
      [k, +((1000 * (after[k] - (before[k] ?? 0))) / r.requests).toFixed(2)]));
  }
  return r;
}

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 5));
const EMU_PORT = 28790, OURS = 28787, PEER = 28788;
const emu = `http://127.0.0.1:${EMU_PORT}`;
const target = process.env.CARGO_TARGET_DIR ?? "target";
const out = {};

const e = await start(`${target}/release/discord-emulator`, ["--port", String(EMU_PORT), "--auto-approve", "--quiet"],
  { ready: /listening on/ });
out.emulator = { startup_ms: Math.round(e.startupMs) };
try {
  await control(emu, "rate-limits", { limit: 0, window_ms: 1000 });
  await control(emu, "rate-limits", { global: null });
  for (const port of [OURS, PEER]) {
    for (const id of ["1100000000000000001"]) {
      await control(emu, `applications/${id}/redirect_uris`, { uri: `http://localhost:${port}/auth/callback` });
    }
  }
  // The emulator alone: /users/@me with a client-credentials token.
  const tok = await (await fetch(emu + "/api/v10/oauth2/token", { method: "POST",
    headers: { authorization: "Basic " + btoa("1100000000000000001:emulator-client-secret"), "content-type": "application/x-www-form-urlencoded" },
    body: "grant_type=client_credentials&scope=identify" })).json();
  out.emulator.users_me = await load(emu + "/api/v10/users/@me", { headers: { authorization: "Bearer " + tok.access_token }, duration: DURATION });

  const vars = ["--var", `DISCORD_API_BASE:${emu}/api/v10`, "--var", `DISCORD_AUTHORIZE_URL:${emu}/oauth2/authorize`,
    "--var", "DISCORD_CLIENT_SECRET:emulator-client-secret", "--var", "SESSION_SECRET:bench-session-secret-0123456789abcdef0123456789abcdef"];
  const common = ["--ip", "127.0.0.1", "--show-interactive-dev-session=false", "--log-level", "error"];
  const ours = await start("npx", ["wrangler", "dev", "--port", String(OURS), "--persist-to", "bench/out/state-ours", ...common, ...vars],
    { url: `http://127.0.0.1:${OURS}/auth/session` });
  const peer = await start("npx", ["wrangler", "dev", "-c", "bench/peers/worker-js/wrangler.toml", "--port", String(PEER),
    "--persist-to", "bench/out/state-peer", ...common, ...vars], { url: `http://127.0.0.1:${PEER}/auth/session` });
  try {
    const workers = { ours: { port: OURS, w: ours }, peer_js: { port: PEER, w: peer } };
    for (const [name, x] of Object.entries(workers)) {
      x.base = `http://localhost:${x.port}`;
      x.cookie = await login(x.base);
    }
    // ROUNDS interleaved rounds, the order of the two Workers alternating, so that a busy
    // moment of the machine does not land on one side only; each figure is the median.
    const runs = { ours: { auth_session: [], api_users_me: [] }, peer_js: { auth_session: [], api_users_me: [] } };
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 ? ["peer_js", "ours"] : ["ours", "peer_js"];
      for (const [route, path] of [["auth_session", "/auth/session"], ["api_users_me", "/api/users/@me"]]) {
        for (const name of order) {
          const { base, cookie, w } = workers[name];
          runs[name][route].push(await measured(base + path, { headers: { cookie }, duration: DURATION }, w.child.pid));
        }
      }
    }
    const median = (xs) => { const v = [...xs].sort((a, b) => a - b); return v[(v.length - 1) >> 1]; };
    for (const name of Object.keys(runs)) {
      out[name] = {};
      for (const [route, rs] of Object.entries(runs[name])) {
        const cpu = {};
        for (const k of Object.keys(rs[0].cpu_ms_per_req ?? {})) cpu[k] = median(rs.map((r) => r.cpu_ms_per_req?.[k] ?? 0));
        out[name][route] = {
          rps: median(rs.map((r) => r.rps)), p50_ms: median(rs.map((r) => r.p50_ms)), p99_ms: median(rs.map((r) => r.p99_ms)),
          non2xx: rs.reduce((a, r) => a + r.non2xx, 0), requests: rs.reduce((a, r) => a + r.requests, 0),
          cpu_ms_per_req: cpu, rounds: rs.map((r) => ({ rps: r.rps, p99_ms: r.p99_ms })),
        };
      }
    }
    out.rounds = ROUNDS;
    out.duration_s = DURATION;
    for (const route of ["auth_session", "api_users_me"]) {
      out.ratio = out.ratio ?? {};
      out.ratio[route] = {
        rps: +(out.ours[route].rps / out.peer_js[route].rps).toFixed(2),
        p99: +(out.ours[route].p99_ms / out.peer_js[route].p99_ms).toFixed(2),
      };
    }
  } finally { ours.stop(); peer.stop(); }
} finally { e.stop(); }
console.log(JSON.stringify(out, null, 2));
process.exit(0);
