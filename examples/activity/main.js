// A minimal Activity: log in with activityLogin, then read the user through the Worker.
//
// Inside Discord (the URL has `frame_id`), this is the real DiscordSDK. Outside (offline
// development), DiscordSDKMock stands in for the Discord client, its `authorize` answered by
// the discord-emulator's /_emulator/activity/authorize and `authenticate` by the emulator's
// /oauth2/@me, so the whole flow runs against the emulator and the Worker.
import { DiscordSDK, DiscordSDKMock } from "@discord/embedded-app-sdk";
import { activityLogin } from "discord-oauth-wasm/activity";

const CLIENT_ID = import.meta.env.VITE_DISCORD_CLIENT_ID ?? "1100000000000000001";
const EMULATOR = import.meta.env.VITE_EMULATOR_URL ?? "http://127.0.0.1:8790";
const inDiscord = new URLSearchParams(location.search).has("frame_id");

function offlineSdk() {
  const sdk = new DiscordSDKMock(CLIENT_ID, null, null, null);
  sdk._updateCommandMocks({
    async authorize({ client_id, scope }) {
      const res = await fetch(`${EMULATOR}/_emulator/activity/authorize`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ client_id, scope }),
      });
      if (!res.ok) throw { code: 5000, message: `emulator: ${res.status}` };
      return res.json(); // { code }
    },
    async authenticate({ access_token }) {
      const res = await fetch(`${EMULATOR}/api/v10/oauth2/@me`, {
        headers: { authorization: `Bearer ${access_token}` },
      });
      if (!res.ok) throw { code: 4009, message: `emulator: ${res.status}` };
      const { user, scopes, expires, application } = await res.json();
      return { access_token, user, scopes, expires, application };
    },
  });
  return sdk;
}

const status = document.querySelector("#status");
try {
  const sdk = inDiscord ? new DiscordSDK(CLIENT_ID) : offlineSdk();
  await sdk.ready();
  const { user } = await activityLogin(sdk, { scopes: ["identify", "guilds"] });
  status.textContent = `Hello ${user.global_name ?? user.username}`;
  // The session cookie (HttpOnly, partitioned) does the rest: no token in this code.
  const me = await fetch("/.proxy/api/users/@me").then((r) => r.json());
  document.querySelector("#me").textContent = JSON.stringify(me, null, 2);
} catch (e) {
  status.textContent = `${e.code ?? "error"}: ${e.message}`;
}
