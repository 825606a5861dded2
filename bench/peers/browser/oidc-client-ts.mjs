// The same browser flow with oidc-client-ts's OidcClient (Discord metadata given by hand).
import { OidcClient } from "oidc-client-ts";

const client = new OidcClient({
  authority: "https://discord.com",
  metadata: {
    issuer: "https://discord.com",
    authorization_endpoint: "https://discord.com/oauth2/authorize",
    token_endpoint: "https://discord.com/api/v10/oauth2/token",
    revocation_endpoint: "https://discord.com/api/v10/oauth2/token/revoke",
  },
  client_id: "1100000000000000002",
  redirect_uri: location.origin + "/",
  response_type: "code",
  scope: "identify",
  loadUserInfo: false,
});

export async function authorizeUrl() {
  return (await client.createSigninRequest({})).url;
}
export const handleRedirect = (current) => client.processSigninResponse(current);
export const refresh = (state) => client.useRefreshToken({ state });
export const revoke = (token) => client.revokeToken(token, "refresh_token");
