// The same browser flow with oauth4webapi: PKCE authorize URL, callback, code exchange
// (public client), refresh, revoke.
import * as oauth from "oauth4webapi";

const as = {
  issuer: "https://discord.com",
  authorization_endpoint: "https://discord.com/oauth2/authorize",
  token_endpoint: "https://discord.com/api/v10/oauth2/token",
  revocation_endpoint: "https://discord.com/api/v10/oauth2/token/revoke",
};
const client = { client_id: "1100000000000000002" };
const auth = oauth.None();
const redirectUri = location.origin + "/";

export async function authorizeUrl() {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  sessionStorage.setItem("pkce", JSON.stringify({ verifier, state }));
  const url = new URL(as.authorization_endpoint);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", client.client_id);
  url.searchParams.set("redirect_uri", redirectUri);
  url.searchParams.set("scope", "identify");
  url.searchParams.set("state", state);
  url.searchParams.set("code_challenge", await oauth.calculatePKCECodeChallenge(verifier));
  url.searchParams.set("code_challenge_method", "S256");
  return url.href;
}

export async function handleRedirect(current) {
  const { verifier, state } = JSON.parse(sessionStorage.getItem("pkce"));
  const params = oauth.validateAuthResponse(as, client, new URL(current), state);
  const res = await oauth.authorizationCodeGrantRequest(as, client, auth, params, redirectUri, verifier);
  return oauth.processAuthorizationCodeResponse(as, client, res);
}

export async function refresh(refreshToken) {
  const res = await oauth.refreshTokenGrantRequest(as, client, auth, refreshToken);
  return oauth.processRefreshTokenResponse(as, client, res);
}

export async function revoke(token) {
  return oauth.processRevocationResponse(await oauth.revocationRequest(as, client, auth, token));
}
