// Cold start: from a new Miniflare (a new workerd process, a new isolate that loads and, for
// ours, compiles the Worker's wasm) to the first answer of GET /auth/session with a live
// session, ours beside the JavaScript peer, in KV mode and in Durable Object mode (where the
// first answer also starts the session's object). The session was made beforehand through
// the login flow and is persisted on disk (bench/out/cold-state/), so each sample answers 200
// after one store read. Samples interleaved across Workers and modes (order alternating);
// medians. Phases: `ready` = new Miniflare() until its listener is up (workerd started, the
// Worker's modules loaded); `first_answer` = the first request after that.
//   COLD_SAMPLES (11)  BENCH_MODES (kv,do)
import { Miniflare } from "miniflare";
import { rmSync } from "node:fs";
import { start, control, workerOptions, median } from "./lib.mjs";

const SAMPLES = Number(process.env.COLD_SAMPLES ?? 11);
const MODES = (process.env.BENCH_MODES ?? "kv,do").split(",");
const EMU_PORT = 28792;
const emu = `http://127.0.0.1:${EMU_PORT}`;
const target = process.env.CARGO_TARGET_DIR ?? "target";
const STATE = "bench/out/cold-state";
const base = "http://localhost";
const cookiesOf = (res) => res.headers.getSetCookie().map((c) => c.split(";")[0]);
const options = (kind, mode) => ({ ...workerOptions(kind, mode, { emulator: emu, persist: `${STATE}/${kind}-${mode}` }), port: 0, host: "127.0.0.1" });

const out = { command: `COLD_SAMPLES=${SAMPLES} BENCH_MODES=${MODES.join(",")} node bench/cold.mjs`, samples: SAMPLES };
const e = await start(`${target}/release/discord-emulator`, ["--port", String(EMU_PORT), "--auto-approve", "--quiet"], { ready: /listening on/ });
try {
  await control(emu, "rate-limits", { limit: 0, window_ms: 1000 });
  await control(emu, "applications/1100000000000000001/redirect_uris", { uri: `${base}/auth/callback` });
  rmSync(STATE, { recursive: true, force: true });
  // One session per Worker and mode, made through the login flow and left on disk.
  const cases = [];
  for (const mode of MODES) for (const kind of ["ours", "peer_js"]) {
    const mf = new Miniflare(options(kind, mode));
    try {
      const a = await mf.dispatchFetch(base + "/auth/login", { redirect: "manual" });
      const b = await fetch(a.headers.get("location"), { redirect: "manual" });
      const cb = new URL(b.headers.get("location"));
      const c = await mf.dispatchFetch(base + cb.pathname + cb.search, { redirect: "manual", headers: { cookie: cookiesOf(a).join("; ") } });
      const cookie = cookiesOf(c).find((x) => /session=./.test(x));
      if (c.status !== 302 || !cookie) throw new Error(`${kind}/${mode}: login failed: ${c.status} ${await c.text()}`);
      cases.push({ kind, mode, cookie, total: [], ready: [], first: [] });
    } finally { await mf.dispose(); }
  }
  for (let i = 0; i < SAMPLES; i++) {
    for (const c of i % 2 ? [...cases].reverse() : cases) {
      const t0 = performance.now();
      const mf = new Miniflare(options(c.kind, c.mode));
      try {
        await mf.ready;
        const t1 = performance.now();
        const res = await mf.dispatchFetch(base + "/auth/session", { headers: { cookie: c.cookie } });
        await res.text();
        const t2 = performance.now();
        if (res.status !== 200) throw new Error(`${c.kind}/${c.mode}: /auth/session answered ${res.status}`);
        c.total.push(t2 - t0); c.ready.push(t1 - t0); c.first.push(t2 - t1);
      } finally { await mf.dispose(); }
    }
  }
  for (const mode of MODES) {
    out[mode] = {};
    for (const c of cases.filter((x) => x.mode === mode)) {
      const r = (xs) => Math.round(xs) ;
      out[mode][c.kind] = {
        median_ms: r(median(c.total)), min_ms: r(Math.min(...c.total)),
        ready_median_ms: r(median(c.ready)), first_answer_median_ms: +median(c.first).toFixed(1),
        samples_ms: c.total.map(r),
      };
    }
    out[mode].ratio = {
      total: +(out[mode].ours.median_ms / out[mode].peer_js.median_ms).toFixed(2),
      first_answer: +(out[mode].ours.first_answer_median_ms / out[mode].peer_js.first_answer_median_ms).toFixed(2),
    };
  }
} finally { e.stop(); rmSync(STATE, { recursive: true, force: true }); }
console.log(JSON.stringify(out, null, 2));
process.exit(0);
