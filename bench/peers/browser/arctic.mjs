// The same browser flow with arctic's Discord provider (public client: no secret).
import { Discord, generateCodeVerifier, generateState } from "arctic";

const discord = new Discord("1100000000000000002", null, location.origin + "/");

export function authorizeUrl() {
  const state = generateState();
  const verifier = generateCodeVerifier();
  sessionStorage.setItem("pkce", JSON.stringify({ verifier, state }));
  return discord.createAuthorizationURL(state, verifier, ["identify"]).href;
}

export async function handleRedirect(current) {
  const { verifier, state } = JSON.parse(sessionStorage.getItem("pkce"));
  const url = new URL(current);
  if (url.searchParams.get("state") !== state) throw new Error("invalid_state");
  return discord.validateAuthorizationCode(url.searchParams.get("code"), verifier);
}

export const refresh = (refreshToken) => discord.refreshAccessToken(refreshToken);
export const revoke = (token) => discord.revokeToken(token);
