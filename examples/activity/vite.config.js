// The Activity's dev server. Discord's proxy maps the Activity's `/.proxy/<prefix>/…` to the
// URL mappings of the Developer Portal; with the mapping `/` → the Worker's host, the page's
// `/.proxy/api/token` reaches the Worker's `/api/token`. This proxy does the same offline.
import { defineConfig } from "vite";
import { fileURLToPath } from "node:url";

const worker = process.env.WORKER_URL ?? "http://127.0.0.1:8787";

export default defineConfig({
  resolve: {
    // The package as built in this repository (scripts/build-web.sh); in your own Activity,
    // `npm install discord-oauth-wasm` instead. `discord-oauth-wasm/activity` is activityLogin
    // alone: the bundle then carries no wasm.
    alias: {
      "discord-oauth-wasm/activity": fileURLToPath(new URL("../../pkg/activity.js", import.meta.url)),
    },
  },
  server: {
    port: 5173,
    strictPort: true,
    proxy: {
      "/.proxy": { target: worker, rewrite: (path) => path.replace(/^\/\.proxy/, "") },
    },
  },
  build: { target: "es2022" },
});
