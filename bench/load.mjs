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
    for (const [name, port, w] of [["ours", OURS, ours], ["peer_js", PEER, peer]]) {
      const base = `http://localhost:${port}`;
      const cookie = await login(base);
      out[name] = {
        auth_session: await measured(base + "/auth/session", { headers: { cookie }, duration: DURATION }, w.child.pid),
        api_users_me: await measured(base + "/api/users/@me", { headers: { cookie }, duration: DURATION }, w.child.pid),
      };
    }
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
