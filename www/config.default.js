// The demo's configuration: the committed default, for the local discord-emulator on its
// default port (8790). app.js loads /config.js when it exists (scripts/demo.sh writes it for
// each run, and it is ignored by git) and falls back to this file otherwise. Copy this file
// to www/config.js to change a value by hand.
//
// None of this is secret: the Worker keeps the client secret, and a public client has none.
export default {
  // Shown in the page header: where the page logs in.
  backend: "discord-emulator at http://127.0.0.1:8790",

  // "Server session" mode: the Worker (DiscordSession). "" means this origin.
  workerBase: "",
  // Scopes the page asks the Worker's /auth/login for (its DISCORD_SCOPES is only the default).
  serverScopes: ["identify", "guilds", "connections", "guilds.join"],
  // The "Join our server" button: a guild in the Worker's JOIN_GUILD_ALLOWLIST whose bot is a
  // member there (the emulator's "Rustaceans"), or null to hide the button.
  joinGuild: { id: "1160000000000000002", name: "Rustaceans" },

  // "Browser only" mode (DiscordOAuthClient, PKCE): an application switched to "Public
  // Client", or null to switch the mode off. The redirect URI is this page: location.origin + "/".
  browser: {
    clientId: "1100000000000000002",
    authorizeEndpoint: "http://127.0.0.1:8790/oauth2/authorize",
    apiBase: "http://127.0.0.1:8790/api/v10",
    scopes: ["identify", "guilds", "connections"],
  },

  // The helpers build https://cdn.discordapp.com URLs; the emulator serves stand-in images
  // under <emulator>/cdn. null with real Discord.
  cdnBase: "http://127.0.0.1:8790/cdn",
};
