// Where a Worker's CPU goes under load: a V8 CPU profile of one Worker (ours or the JavaScript
// peer) in workerd through Miniflare, taken over workerd's inspector while autocannon drives one
// route, summed by function (self time) and printed as a table. A tool for finding the next
// cut, not a benchmark: the profiler itself slows the Worker, so compare shares, not times.
// For readable wasm frames build the Worker with its names kept:
//   WORKER_KEEP_NAMES=1 FORCE_BUILD=1 bash scripts/build-worker.sh
//   PROFILE_KIND=ours PROFILE_MODE=kv PROFILE_ROUTE=/api/users/@me node bench/profile.mjs
// Env: PROFILE_KIND (ours | peer_js), PROFILE_MODE (kv | do), PROFILE_ROUTE, PROFILE_SECONDS (8),
// PROFILE_TOP (40 rows), PROFILE_OUT (also write the raw .cpuprofile there).
import { Miniflare } from "miniflare";
import { writeFileSync } from "node:fs";
import WebSocket from "ws";
import { start, control, login, load, workerOptions } from "./lib.mjs";

const KIND = process.env.PROFILE_KIND ?? "ours";
const MODE = process.env.PROFILE_MODE ?? "kv";
const ROUTE = process.env.PROFILE_ROUTE ?? "/api/users/@me";
const SECONDS = Number(process.env.PROFILE_SECONDS ?? 8);
const TOP = Number(process.env.PROFILE_TOP ?? 40);
const EMU_PORT = 28790, PORT = 28787, INSPECTOR = 28792;
const emu = `http://127.0.0.1:${EMU_PORT}`;
const target = process.env.CARGO_TARGET_DIR ?? "target";

/** A minimal DevTools-protocol client over one WebSocket. */
async function devtools(url) {
  const ws = new WebSocket(url);
  await new Promise((ok, fail) => { ws.once("open", ok); ws.once("error", fail); });
  let next = 1;
  const waiting = new Map();
  ws.on("message", (data) => {
    const msg = JSON.parse(data);
    if (msg.id && waiting.has(msg.id)) {
      const { ok, fail } = waiting.get(msg.id);
      waiting.delete(msg.id);
      msg.error ? fail(new Error(JSON.stringify(msg.error))) : ok(msg.result);
    }
  });
  const send = (method, params = {}) => new Promise((ok, fail) => {
    const id = next++;
    waiting.set(id, { ok, fail });
    ws.send(JSON.stringify({ id, method, params }));
  });
  return { send, close: () => ws.close() };
}

/** Self time per function name (and its share), from a `.cpuprofile`. */
function summarize(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]);
    const f = node.callFrame;
    const name = `${f.functionName || "(anonymous)"} ${f.url ? f.url.split("/").pop() + ":" + f.lineNumber : ""}`.trim();
    self.set(name, (self.get(name) ?? 0) + (dt[i] ?? 0));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  return { total, rows: [...self].sort((a, b) => b[1] - a[1]) };
}

const e = await start(`${target}/release/discord-emulator`, ["--port", String(EMU_PORT), "--auto-approve", "--quiet"],
  { ready: /listening on/ });
let mf;
try {
  await control(emu, "rate-limits", { limit: 0, window_ms: 1000 });
  await control(emu, "rate-limits", { global: null });
  await control(emu, "applications/1100000000000000001/redirect_uris", { uri: `http://127.0.0.1:${PORT}/auth/callback` });
  mf = new Miniflare({ ...workerOptions(KIND, MODE, { emulator: emu, port: PORT }), inspectorPort: INSPECTOR });
  await mf.ready;
  const base = `http://127.0.0.1:${PORT}`;
  const cookie = await login(base);
  await load(base + ROUTE, { headers: { cookie }, duration: 2 }); // warm-up, not profiled
  const targets = await (await fetch(`http://127.0.0.1:${INSPECTOR}/json`)).json();
  const worker = targets.find((t) => t.title?.includes(KIND)) ?? targets[0];
  const dt = await devtools(worker.webSocketDebuggerUrl);
  await dt.send("Profiler.enable");
  await dt.send("Profiler.setSamplingInterval", { interval: 100 });
  await dt.send("Profiler.start");
  const run = await load(base + ROUTE, { headers: { cookie }, duration: SECONDS });
  const { profile } = await dt.send("Profiler.stop");
  dt.close();
  if (process.env.PROFILE_OUT) writeFileSync(process.env.PROFILE_OUT, JSON.stringify(profile));
  const { total, rows } = summarize(profile);
  console.log(`${KIND} ${MODE} ${ROUTE}: ${run.rps} req/s under the profiler, ${run.requests} requests, ` +
    `${(total / 1000 / run.requests).toFixed(3)} ms sampled per request (target ${worker.title})`);
  for (const [name, us] of rows.slice(0, TOP)) {
    console.log(`${(100 * us / total).toFixed(1).padStart(5)} %  ${(us / 1000 / run.requests * 1000).toFixed(1).padStart(6)} µs/req  ${name}`);
  }
} finally {
  await mf?.dispose();
  e.stop();
}
