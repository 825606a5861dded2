#!/usr/bin/env bash
# Runs the demo: the Worker under `wrangler dev` (local KV) serving www/, against the local
# discord-emulator -- or against real Discord when .dev.vars holds DISCORD_CLIENT_ID and
# DISCORD_CLIENT_SECRET. Installs whatever is missing first. Ctrl-C stops everything.
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

PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done' EXIT
VARS=()
if grep -q '^DISCORD_CLIENT_SECRET=' .dev.vars; then
  echo "[demo] .dev.vars has DISCORD_CLIENT_SECRET: talking to real Discord"
  echo "[demo] register http://localhost:$DEMO_PORT/auth/callback as a redirect URI of your application"
else
  EMU="http://127.0.0.1:$DEMO_EMULATOR_PORT"
  cargo build -q --release -p discord-emulator
  "$CARGO_TARGET_DIR/release/discord-emulator" --port "$DEMO_EMULATOR_PORT" &
  PIDS+=($!)
  wait_for_url "$EMU/_emulator/counters" 30
  VARS=(--var "DISCORD_API_BASE:$EMU/api/v10" --var "DISCORD_AUTHORIZE_URL:$EMU/oauth2/authorize"
        --var "DISCORD_CLIENT_SECRET:emulator-client-secret" --var "DISCORD_BOT_TOKEN:emulator-bot-token")
  echo "[demo] discord-emulator on $EMU (consent page, fixture users and guilds)"
fi

scripts/build-web.sh
echo "[demo] starting the Worker; open http://localhost:$DEMO_PORT/"
npx wrangler dev --port "$DEMO_PORT" --ip 127.0.0.1 --persist-to .wrangler/state "${VARS[@]}"
