// Starts the built Worker (build/index.js) in workerd through Miniflare, with a real local
// KV namespace, the way the Worker tests use it.
import { Miniflare } from "miniflare";

export const EMULATOR = `http://127.0.0.1:${process.env.TEST_EMULATOR_PORT ?? 18790}`;

/** Default bindings: the emulator's confidential application. */
export function defaultBindings(overrides = {}) {
  return {
    DISCORD_CLIENT_ID: "1100000000000000001",
    DISCORD_CLIENT_SECRET: "emulator-client-secret",
    SESSION_SECRET: "test-session-secret-0123456789abcdef0123456789abcdef",
    DISCORD_BOT_TOKEN: "emulator-bot-token",
    DISCORD_API_BASE: `${EMULATOR}/api/v10`,
    DISCORD_AUTHORIZE_URL: `${EMULATOR}/oauth2/authorize`,
    ...overrides,
  };
}

export function startWorker({ bindings = defaultBindings(), workers } = {}) {
  const base = {
    modules: true,
    scriptPath: "build/index.js",
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2026-04-01",
    kvNamespaces: ["SESSIONS"],
    bindings,
  };
  return new Miniflare(workers ? { workers: workers.map((w) => ({ ...base, ...w })) } : base);
}
