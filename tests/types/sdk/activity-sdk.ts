// activityLogin is typed structurally against @discord/embedded-app-sdk (the package does not
// depend on it): the real DiscordSDK and DiscordSDKMock must fit, with the SDK's own scope
// names checked and authenticate's result type carried through. Run by the test command
// (`tsc -p tests/types/sdk`) against the built pkg/.
import { DiscordSDK, DiscordSDKMock } from "@discord/embedded-app-sdk";
import { activityLogin } from "discord-oauth-wasm";

type IsAny<T> = 0 extends 1 & T ? true : false;
type AssertFalse<T extends false> = T;

export async function withTheSdk(): Promise<string> {
  const sdk = new DiscordSDK("1100000000000000001");
  await sdk.ready();
  const auth = await activityLogin(sdk, { scopes: ["identify", "guilds"] });
  type _1 = AssertFalse<IsAny<typeof auth>>;
  const id: string = auth.user.id;
  const token: string = auth.access_token;
  const mock = new DiscordSDKMock("1100000000000000001", null, null, null);
  await activityLogin(mock, { scopes: ["identify"], tokenUrl: "/api/token", prompt: "none" });
  // @ts-expect-error not a scope name of the SDK
  await activityLogin(sdk, { scopes: ["idenitfy"] });
  return id + token;
}
