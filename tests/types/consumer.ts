// A consumer of the published typings: must pass `tsc --strict --noEmit -p tests/types`
// against the built pkg/. Every option, return value and model is used with its type, and
// the assertions below fail to compile if a signature loosens to `any`.
import init, {
  DiscordOAuthClient, DiscordSession, avatarUrl, bannerUrl, guildIconUrl, snowflakeTimestamp,
  hasPermission, userFlags, activityLogin, avatarDecorationUrl, guildTagBadgeUrl, displayName, mention,
  isAvatarAnimated, memberAvatarUrl, memberDisplayAvatarUrl, accentColorHex, isConnectionVisible,
} from "discord-oauth-wasm";
import type {
  TokenSet, User, Guild, Member, Connection, AuthorizationInfo, DiscordOAuthError,
  DiscordOAuthErrorCode, AuthorizeOptions, DiscordOAuthClientOptions, JoinGuildResult,
  UserFlagName, JsonValue, ActivitySdk, ActivityLoginError, ActivityLoginErrorCode,
  ActivityAuthenticateResult,
} from "discord-oauth-wasm";

// `IsAny<T>` is true only for `any`: used to prove no public signature returns `any`.
type IsAny<T> = 0 extends 1 & T ? true : false;
type AssertFalse<T extends false> = T;
type Resolved<T> = T extends Promise<infer U> ? U : T;

type _1 = AssertFalse<IsAny<Resolved<ReturnType<DiscordOAuthClient["fetchUser"]>>>>;
type _2 = AssertFalse<IsAny<Resolved<ReturnType<DiscordOAuthClient["handleRedirect"]>>>>;
type _3 = AssertFalse<IsAny<Resolved<ReturnType<DiscordOAuthClient["request"]>>>>;
type _4 = AssertFalse<IsAny<Parameters<DiscordOAuthClient["authorizeUrl"]>[0]>>;
type _5 = AssertFalse<IsAny<Resolved<ReturnType<DiscordSession["user"]>>>>;
type _6 = AssertFalse<IsAny<ConstructorParameters<typeof DiscordOAuthClient>[0]>>;

function isDiscordOAuthError(e: unknown): e is DiscordOAuthError {
  return e instanceof Error && e.name === "DiscordOAuthError";
}

async function main(): Promise<void> {
  await init();
  const options: DiscordOAuthClientOptions = {
    clientId: "1100000000000000002",
    redirectUri: "http://localhost/callback",
    scopes: ["identify", "guilds", "guilds.members.read"],
    storage: "local",
  };
  const client = new DiscordOAuthClient(options);
  const authorize: AuthorizeOptions = {
    responseType: "code", scopes: ["identify", "bot"], prompt: "consent", state: "s",
    permissions: "8", guildId: "1", disableGuildSelect: true, integrationType: 0,
    redirectUri: "http://localhost/callback", data: { returnTo: "/", n: [1, 2] },
  };
  const url: string = await client.authorizeUrl(authorize);
  const plain: string = await client.authorizeUrl();
  void url; void plain;
  const tokens: TokenSet | null = await client.handleRedirect();
  if (tokens) {
    const at: string = tokens.access_token;
    const exp: number = tokens.expires_at;
    const rt: string | undefined = tokens.refresh_token;
    const back: JsonValue | undefined = tokens.data;
    void at; void exp; void rt; void back;
  }
  const authed: boolean = client.isAuthenticated;
  const current: TokenSet | null = client.tokens();
  client.setTokens(current);
  client.setTokens(null);
  void authed;
  const token: string = await client.accessToken();
  const refreshed: TokenSet = await client.refresh();
  void token; void refreshed;
  const user: User = await client.fetchUser();
  const name: string = user.global_name ?? user.username;
  const guilds: Guild[] = await client.fetchGuilds();
  const connections: Connection[] = await client.fetchConnections();
  const member: Member = await client.fetchGuildMember(guilds[0].id);
  const info: AuthorizationInfo = await client.fetchAuthorization();
  const raw: unknown = await client.request("GET", "/users/@me");
  await client.request("PUT", "/users/@me/applications/1/role-connection", { platform_name: "x" });
  void name; void connections; void member; void info; void raw;
  await client.login({ prompt: "none" });
  await client.logout();

  const session = new DiscordSession({ baseUrl: "" });
  const defaultSession = new DiscordSession();
  const loginUrl: string = session.loginUrl({ returnTo: "/", scopes: ["identify"], prompt: "consent" });
  defaultSession.login();
  const me: User | null = await session.user();
  const sg: Guild[] = await session.guilds();
  const sc: Connection[] = await session.connections();
  const sm: Member = await session.guildMember("1");
  const joined: JoinGuildResult = await session.joinGuild("1", { nick: "n", roles: ["2"], mute: false, deaf: false });
  const joinedBool: boolean = joined.joined;
  await session.logout();
  void loginUrl; void me; void sg; void sc; void sm; void joinedBool;

  const avatar: string = avatarUrl(user, { size: 128, format: "webp" });
  const banner: string | null = bannerUrl(user);
  const icon: string | null = guildIconUrl(guilds[0], { size: 64 });
  const created: number = snowflakeTimestamp(user.id);
  const admin: boolean = hasPermission(guilds[0].permissions ?? "0", "MANAGE_GUILD");
  const flags: UserFlagName[] = userFlags(user.public_flags ?? 0);
  void avatar; void banner; void icon; void created; void admin; void flags;

  // Discord's 2025–26 user surface and the model helpers.
  const deco: string | null = avatarDecorationUrl(user, { size: 128 });
  const badge: string | null = guildTagBadgeUrl(user, { size: 16, format: "webp" });
  const tag: string | null | undefined = user.primary_guild?.tag;
  const shown: boolean | null | undefined = user.primary_guild?.identity_enabled;
  const palette: string | undefined = user.collectibles?.nameplate?.palette;
  const skuId: string | null | undefined = user.avatar_decoration_data?.sku_id;
  const shownName: string = displayName(sm);
  const at: string = mention(user);
  const animated: boolean = isAvatarAnimated(user.avatar);
  const gAvatar: string | null = memberAvatarUrl("1", sm, { size: 64 });
  const dAvatar: string | null = memberDisplayAvatarUrl("1", sm);
  const hex: string | null = accentColorHex(user);
  const visible: boolean = isConnectionVisible(sc[0]);
  const connName: string | null = sc[0].name;
  void deco; void badge; void tag; void shown; void palette; void skuId; void shownName;
  void at; void animated; void gAvatar; void dAvatar; void hex; void visible; void connName;

  try {
    await client.fetchUser();
  } catch (e) {
    if (isDiscordOAuthError(e)) {
      const code: DiscordOAuthErrorCode = e.code;
      const retry: number | undefined = e.retryAfter;
      const global: boolean | undefined = e.global;
      const status: number | undefined = e.status;
      const dc: number | undefined = e.discordCode;
      const desc: string | undefined = e.description;
      if (code === "rate_limited") void retry;
      void global; void status; void dc; void desc;
    }
  }
}

void main;

// activityLogin against a structural stand-in of @discord/embedded-app-sdk's DiscordSDK.
async function activity(sdk: ActivitySdk): Promise<void> {
  const auth: ActivityAuthenticateResult = await activityLogin(sdk, { scopes: ["identify"] });
  const id: string = auth.user.id;
  const token: string = auth.access_token;
  void id; void token;
  await activityLogin(sdk, { scopes: ["identify", "guilds"], tokenUrl: "/api/token", prompt: "none" });
  try {
    await activityLogin(sdk, { scopes: ["identify"] });
  } catch (e) {
    const err = e as ActivityLoginError;
    const code: ActivityLoginErrorCode = err.code;
    if (code === "access_denied" || code === "discord_unavailable") void err.retryAfter;
  }
}
void activity;
type _7 = AssertFalse<IsAny<Resolved<ReturnType<typeof activityLogin>>>>;

// Wrong uses must not compile.
// @ts-expect-error storage is one of three names
new DiscordOAuthClient({ clientId: "1", redirectUri: "x", storage: "cookies" });
// @ts-expect-error an unknown scope
new DiscordOAuthClient({ clientId: "1", redirectUri: "x", scopes: ["idenitfy"] });
// @ts-expect-error an unknown permission
hasPermission("8", "FLY");
// @ts-expect-error scopes are required
activityLogin({ clientId: "1", commands: {} as ActivitySdk["commands"] }, {});
// @ts-expect-error a connection's name may be null
const _connName: string = ({} as Connection).name;
