// Our client for the same flow, bundled the same way (the JS glue; the .wasm is counted apart).
import init, { DiscordOAuthClient } from "../../../pkg/discord_oauth_wasm.js";

let client;
export async function authorizeUrl() {
  await init();
  client = new DiscordOAuthClient({ clientId: "1100000000000000002", redirectUri: location.origin + "/" });
  return client.authorizeUrl({});
}
export const handleRedirect = (current) => client.handleRedirect(current);
export const refresh = () => client.refresh();
export const revoke = () => client.logout();
