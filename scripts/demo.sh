#!/usr/bin/env bash
# Runs the demo: the Worker under `wrangler dev` (local KV) serving www/, against the local
# discord-emulator -- or against real Discord when .dev.vars holds DISCORD_CLIENT_ID and
# DISCORD_CLIENT_SECRET. Installs whatever is missing first, writes the page's www/config.js
# (ignored by git) for this run, and prints the URL to open. Ctrl-C stops everything.
#
# Real Discord (.dev.vars, never committed):
#   DISCORD_CLIENT_ID=...            your application id
#   DISCORD_CLIENT_SECRET=...        its secret; add http://localhost:8787/auth/callback as a redirect
#   DISCORD_BOT_TOKEN=...            optional: the "Join our server" button
#   JOIN_GUILD_ALLOWLIST=...         optional: the guild id(s) the button may join (bot must be in it)
#   DISCORD_PUBLIC_CLIENT_ID=...     optional: a "Public Client" application for the browser-only
#                                    mode (redirect URI http://localhost:8787/); without it that mode is off
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
SETUP_SKIP_BROWSER=1 scripts/setup.sh

# A development SESSION_SECRET, generated once and kept in the ignored .dev.vars.
touch .dev.vars
if ! grep -q '^SESSION_SECRET=' .dev.vars; then
  echo "SESSION_SECRET=\"$(node -e 'process.stdout.write(require("crypto").randomBytes(48).toString("base64url"))')\"" >> .dev.vars
  echo "[demo] wrote a development SESSION_SECRET to .dev.vars"
fi
# A value of .dev.vars (quotes removed), or empty.
dev_var() { sed -n "s/^$1=//p" .dev.vars | tail -n 1 | sed -e 's/^"\(.*\)"$/\1/' -e "s/^'\(.*\)'$/\1/"; }

# Writes www/config.js (ignored by git) from the environment: the page's settings for this run
# (see www/config.default.js for what each one means).
write_page_config() {
  node --input-type=module -e '
    import { writeFileSync } from "node:fs";
    const e = process.env, emu = e.EMU || null;
    const config = {
      backend: e.BACKEND,
      workerBase: "",
      serverScopes: ["identify", "guilds", "connections", ...(e.JOIN_ID ? ["guilds.join"] : [])],
      joinGuild: e.JOIN_ID ? { id: e.JOIN_ID, name: e.JOIN_NAME || "our server" } : null,
      browser: e.PUBLIC_ID ? {
        clientId: e.PUBLIC_ID,
        authorizeEndpoint: emu ? `${emu}/oauth2/authorize` : "https://discord.com/oauth2/authorize",
        apiBase: emu ? `${emu}/api/v10` : "https://discord.com/api/v10",
        scopes: ["identify", "guilds", "connections"],
      } : null,
      cdnBase: emu ? `${emu}/cdn` : null,
    };
    writeFileSync("www/config.js", "// Written by scripts/demo.sh for this run (ignored by git). Defaults: config.default.js.\n" +
      `export default ${JSON.stringify(config, null, 2)};\n`);
  '
}

PIDS=()
# Services run in their own process groups (setsid) and are stopped as groups: wrangler dev
# and its workerd go with npx.
trap 'for p in "${PIDS[@]}"; do kill -- "-$p" 2>/dev/null || kill "$p" 2>/dev/null; done' EXIT
VARS=()
PAGE="http://localhost:$DEMO_PORT"
if grep -q '^DISCORD_CLIENT_SECRET=' .dev.vars; then
  echo "[demo] .dev.vars has DISCORD_CLIENT_SECRET: talking to real Discord"
  echo "[demo] register $PAGE/auth/callback as a redirect URI of your application"
  JOIN_ID=$(dev_var JOIN_GUILD_ALLOWLIST | cut -d, -f1 | tr -d ' ')
  PUBLIC_ID=$(dev_var DISCORD_PUBLIC_CLIENT_ID)
  BACKEND="discord.com" EMU="" JOIN_ID="$JOIN_ID" JOIN_NAME="our server" PUBLIC_ID="$PUBLIC_ID" \
    write_page_config
else
  EMU="http://127.0.0.1:$DEMO_EMULATOR_PORT"
  # The debug build: quick to build, the same one scripts/test.sh uses, fast enough for a demo.
  cargo build -q -p discord-emulator
  setsid "$CARGO_TARGET_DIR/debug/discord-emulator" --port "$DEMO_EMULATOR_PORT" --quiet &
  PIDS+=($!)
  wait_for_url "$EMU/_emulator/health" 30
  # The fixtures know port 8787; register this run's page too (harmless when it is 8787).
  for app in 1100000000000000001 1100000000000000002; do
    for uri in "$PAGE/auth/callback" "$PAGE/" "http://127.0.0.1:$DEMO_PORT/auth/callback" "http://127.0.0.1:$DEMO_PORT/"; do
      curl -sf -o /dev/null -H 'content-type: application/json' -d "{\"uri\":\"$uri\"}" \
        "$EMU/_emulator/applications/$app/redirect_uris"
    done
  done
  # Webhook Events: the emulator signs with the application's (deterministic) key and POSTs to
  # the Worker's /auth/events; POST $EMU/_emulator/deauthorize {client_id, user_id} then ends
  # that user's sessions.
  curl -sf -o /dev/null -H 'content-type: application/json' \
    -d "{\"url\":\"http://127.0.0.1:$DEMO_PORT/auth/events\"}" \
    "$EMU/_emulator/applications/1100000000000000001/events_url"
  PUBLIC_KEY=$("$CARGO_TARGET_DIR/debug/discord-emulator" --print-fixtures | grep -m1 '"verify_key"' | cut -d'"' -f4)
  VARS=(--var "DISCORD_API_BASE:$EMU/api/v10" --var "DISCORD_AUTHORIZE_URL:$EMU/oauth2/authorize"
        --var "DISCORD_CLIENT_SECRET:emulator-client-secret" --var "DISCORD_BOT_TOKEN:emulator-bot-token"
        --var "JOIN_GUILD_ALLOWLIST:1160000000000000002" --var "DISCORD_PUBLIC_KEY:$PUBLIC_KEY")
  BACKEND="discord-emulator at $EMU" EMU="$EMU" JOIN_ID=1160000000000000002 JOIN_NAME=Rustaceans \
    PUBLIC_ID=1100000000000000002 write_page_config
  echo "[demo] discord-emulator on $EMU (consent page, fixture users and guilds)"
fi

scripts/build-web.sh
echo "[demo] starting the Worker (wrangler dev, local KV in .wrangler/state)"
setsid npx wrangler dev --port "$DEMO_PORT" --ip 127.0.0.1 --persist-to .wrangler/state \
  --show-interactive-dev-session=false "${VARS[@]}" &
PIDS+=($!)
wait_for_url "http://127.0.0.1:$DEMO_PORT/" 180
echo
echo "  discord-oauth-wasm demo: open $PAGE/"
echo "  (Ctrl-C stops the Worker${EMU:+ and the emulator})"
echo
wait "${PIDS[-1]}"
