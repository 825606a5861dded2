// Our client for the same flow, bundled the same way (the JS glue; the .wasm is counted apart).
// Marks where the start-up goes (bench/init.mjs reads them): init() (fetch, compile and
// instantiate the wasm), the client's construction, and the first authorizeUrl().
import init, { DiscordOAuthClient } from "../../../pkg/discord_oauth_wasm.js";

let client;
export async function authorizeUrl() {
  performance.mark("ours:imported");
  await init();
  performance.mark("ours:init");
  client = new DiscordOAuthClient({ clientId: "1100000000000000002", redirectUri: location.origin + "/" });
  performance.mark("ours:client");
  const url = await client.authorizeUrl({});
  performance.mark("ours:url");
  return url;
}
export const handleRedirect = (current) => client.handleRedirect(current);
export const refresh = () => client.refresh();
export const revoke = () => client.logout();
