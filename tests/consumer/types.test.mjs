// Types as users compile them (issue 17): the npm README's Vite example and tsconfig.json,
// in an app with the packed package installed, through `tsc --strict --noEmit` with
// `skipLibCheck: false` (the package's own .d.ts is checked too). And the .d.ts model
// interfaces against the Rust models and what the emulator (with its fixtures) answers: every
// field either carries is declared.
// Needs: pkg/ built (scripts/build-web.sh), the emulator built and running at EMULATOR_URL.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, readme, fileBlock } from "./readme.mjs";
import { prepareApp, run, fixtures } from "./support.mjs";
import { IDS, EMULATOR_URL, emulator } from "../support/browser.mjs";
import { dtsInterfaces, rustStructs } from "./dts.mjs";

const README = readme();
const TSC = join(ROOT, "node_modules", ".bin", "tsc");
const DTS = "discord_oauth_wasm.d.ts";

let app;
before(async () => {
  app = await prepareApp("vite8", "types", {
    "src/auth.ts": fileBlock(README, "src/auth.ts"),
    "tsconfig.json": fileBlock(README, "tsconfig.json"),
  });
});

const tsc = () => run(TSC, ["-p", app, "--noEmit", "--strict", "--skipLibCheck", "false"]);

test("the README's tsconfig.json names a lib without esnext.disposable (the case issue 17 hit)", () => {
  const lib = JSON.parse(fileBlock(README, "tsconfig.json").replace(/^\/\/.*$/gm, "")).compilerOptions.lib;
  assert.ok(Array.isArray(lib), "the README's tsconfig sets lib");
  assert.ok(!lib.some((l) => /disposable|esnext/i.test(l)), `lib ${lib} should be the plain ES2022 + DOM users have`);
});

test("tsc --strict with skipLibCheck false compiles the README's src/auth.ts against the installed package", async () => {
  const r = await tsc();
  assert.equal(r.code, 0, r.out);
});

test("wasm-bindgen's .d.ts alone fails that compile on Symbol.dispose: the package's reference to esnext.disposable is what fixes it", async () => {
  const file = join(app, "node_modules", "discord-oauth-wasm", DTS);
  const published = readFileSync(file, "utf8");
  const reference = '/// <reference lib="esnext.disposable" />';
  assert.ok(published.startsWith(reference), `the published ${DTS} starts with ${reference}`);
  writeFileSync(file, published.slice(reference.length).replace(/^\n/, ""));
  try {
    const r = await tsc();
    assert.notEqual(r.code, 0, "without the reference, lib ES2022 + DOM must not compile");
    assert.match(r.out, /Property 'dispose' does not exist on type 'SymbolConstructor'/);
  } finally {
    writeFileSync(file, published);
  }
});

// Rust model (serde field names) -> the .d.ts interface that types it for users.
const MODELS = {
  "src/discord/models/user.rs": {
    User: "User", AvatarDecorationData: "AvatarDecorationData", Collectibles: "Collectibles",
    Nameplate: "Nameplate", PrimaryGuild: "PrimaryGuild",
  },
  "src/discord/models/guild.rs": { Guild: "Guild" },
  "src/discord/models/member.rs": { Member: "Member" },
  "src/discord/models/connection.rs": {
    Connection: "Connection", Integration: "ConnectionIntegration", IntegrationAccount: "IntegrationAccount",
  },
  "src/discord/models/application.rs": {
    Application: "Application", InstallParams: "InstallParams", Team: "Team", TeamMember: "TeamMember",
  },
  "src/discord/models/role_connection.rs": {
    ApplicationRoleConnection: "ApplicationRoleConnection",
    ApplicationRoleConnectionMetadata: "ApplicationRoleConnectionMetadata",
  },
  "src/discord/models/authorization.rs": { AuthorizationInfo: "AuthorizationInfo" },
  "src/discord/models/webhook.rs": { Webhook: "Webhook" },
  "src/discord/token.rs": { TokenSet: "TokenSet" },
};

function published() {
  return dtsInterfaces(readFileSync(join(app, "node_modules", "discord-oauth-wasm", DTS), "utf8"));
}

test("every serde field of the Rust models is declared in the .d.ts, required where Rust requires it", () => {
  const ts = published();
  const problems = [];
  let compared = 0;
  for (const [file, map] of Object.entries(MODELS)) {
    const rust = rustStructs(readFileSync(join(ROOT, file), "utf8"));
    for (const [struct, iface] of Object.entries(map)) {
      assert.ok(rust[struct], `${file} has pub struct ${struct}`);
      assert.ok(ts[iface], `${DTS} has interface ${iface}`);
      for (const [field, { optional }] of rust[struct]) {
        compared++;
        const decl = ts[iface].get(field);
        if (!decl) problems.push(`${iface}.${field} (Rust ${struct}.${field}) is missing`);
        else if (!optional && decl.optional) problems.push(`${iface}.${field} is optional but Rust requires it`);
      }
    }
  }
  assert.ok(compared > 50, `compared ${compared} fields`);
  assert.deepEqual(problems, []);
});

test("the field comparison can fail: a model field the .d.ts lacks is reported", () => {
  const rust = rustStructs("pub struct User {\n    /// doc\n    #[serde(rename = \"new_field\")]\n    pub x: u8,\n}");
  assert.deepEqual([...rust.User.keys()], ["new_field"]);
  assert.equal(published().User.has("new_field"), false);
});

/**
 * What the emulator answers a logged-in user of the confidential app, on every route the
 * package types: `{ User: [objects], Guild: [...], Member: [...], Connection: [...], ... }`.
 */
async function emulatorAnswers(userId) {
  const app = IDS.confidentialApp;
  const scope = "identify email guilds connections guilds.members.read";
  const { location } = await emulator("POST", "/_emulator/authorize",
    { client_id: app, response_type: "code", scope, user_id: userId, action: "approve" });
  const redirect = new URL(location);
  const code = redirect.searchParams.get("code");
  assert.ok(code, `the emulator approved: ${location}`);
  const tokenRes = await fetch(`${EMULATOR_URL}/api/v10/oauth2/token`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: `Basic ${Buffer.from(`${app}:emulator-client-secret`).toString("base64")}`,
    },
    body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: redirect.origin + redirect.pathname }),
  });
  const token = await tokenRes.json();
  assert.equal(tokenRes.status, 200, JSON.stringify(Object.keys(token)));
  const get = async (path) => {
    const res = await fetch(`${EMULATOR_URL}/api/v10${path}`, { headers: { authorization: `Bearer ${token.access_token}` } });
    assert.equal(res.status, 200, path);
    return res.json();
  };
  const user = await get("/users/@me");
  const guilds = await get("/users/@me/guilds?with_counts=true");
  const members = await Promise.all(guilds.map((g) => get(`/users/@me/guilds/${g.id}/member`)));
  const connections = await get("/users/@me/connections");
  const info = await get("/oauth2/@me");
  return {
    TokenSet: [token], User: [user, info.user].filter(Boolean), Guild: guilds, Member: members,
    Connection: connections, ConnectionIntegration: connections.flatMap((c) => c.integrations ?? []),
    AuthorizationInfo: [info], Application: [info.application],
  };
}

test("every field the emulator answers on the typed routes is declared in the .d.ts", async () => {
  const ts = published();
  await emulator("POST", "/_emulator/reset");
  const problems = new Set();
  const seen = {};
  for (const { id } of (await fixtures()).users.filter((u) => !u.bot)) {
    for (const [iface, objects] of Object.entries(await emulatorAnswers(id))) {
      assert.ok(ts[iface], `${DTS} has ${iface}`);
      for (const o of objects) for (const key of Object.keys(o)) {
        seen[iface] = (seen[iface] ?? 0) + 1;
        // TokenSet: the package turns Discord's expires_in into expires_at.
        if (iface === "TokenSet" && key === "expires_in") continue;
        if (!ts[iface].has(key)) problems.add(`${iface}.${key} (the emulator sends it) is missing`);
      }
    }
  }
  for (const iface of ["User", "Guild", "Member", "Connection", "ConnectionIntegration", "Application"]) {
    assert.ok(seen[iface] > 0, `the emulator answered ${iface} fields`);
  }
  assert.deepEqual([...problems], []);
});
