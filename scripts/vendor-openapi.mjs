#!/usr/bin/env node
// Vendors the part of Discord's OpenAPI 3.1 description (repository discord/discord-api-spec,
// specs/openapi.json) that describes the routes this crate calls: each route's success
// response schema and every schema it references, transitively. Run by hand when Discord
// updates the spec (nothing downloads at build or test time):
//   node scripts/vendor-openapi.mjs path/to/openapi.json <commit of discord-api-spec>
// Writes tests/openapi/discord-api.json, read by tests/openapi.rs (Rust models),
// tests/openapi/*.test.mjs (the .d.ts and the emulator's answers).
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// The routes this crate calls (src/discord/api/, src/worker/api_routes.rs), as
// "METHOD path" in the spec's own path syntax.
export const ROUTES = [
  "GET /users/@me",
  "GET /users/@me/guilds",
  "GET /users/@me/guilds/{guild_id}/member",
  "GET /users/@me/connections",
  "GET /oauth2/@me",
  "GET /oauth2/applications/@me",
  "GET /users/@me/applications/{application_id}/role-connection",
  "PUT /users/@me/applications/{application_id}/role-connection",
  "PUT /guilds/{guild_id}/members/{user_id}",
  "GET /applications/{application_id}/role-connections/metadata",
  "PUT /applications/{application_id}/role-connections/metadata",
];

const [specPath, commit] = process.argv.slice(2);
if (!specPath || !/^[0-9a-f]{40}$/.test(commit ?? "")) {
  console.error("usage: node scripts/vendor-openapi.mjs <openapi.json> <40-hex commit>");
  process.exit(2);
}
const spec = JSON.parse(readFileSync(specPath, "utf8"));
const schemas = {};
const refName = (ref) => ref.replace("#/components/schemas/", "");
function collect(node) {
  if (Array.isArray(node)) return node.forEach(collect);
  if (!node || typeof node !== "object") return;
  if (typeof node.$ref === "string") {
    const name = refName(node.$ref);
    if (!(name in schemas)) {
      schemas[name] = spec.components.schemas[name];
      collect(schemas[name]);
    }
  }
  for (const value of Object.values(node)) collect(value);
}
const routes = {};
for (const route of ROUTES) {
  const [method, path] = route.split(" ");
  const op = spec.paths[path]?.[method.toLowerCase()];
  if (!op) throw new Error(`${route} is not in the spec`);
  const ok = op.responses["200"] ?? op.responses["201"];
  const schema = ok.content["application/json"].schema;
  collect(schema);
  routes[route] = { operationId: op.operationId, schema };
}
const sorted = Object.fromEntries(Object.keys(schemas).sort().map((k) => [k, schemas[k]]));
const out = {
  source: {
    repository: "discord/discord-api-spec",
    path: "specs/openapi.json",
    commit,
    openapi: spec.openapi,
    apiVersion: spec.info.version,
  },
  routes,
  schemas: sorted,
};
const target = join(dirname(fileURLToPath(import.meta.url)), "..", "tests", "openapi", "discord-api.json");
writeFileSync(target, JSON.stringify(out, null, 1) + "\n");
console.log(`${Object.keys(routes).length} routes, ${Object.keys(sorted).length} schemas -> ${target}`);
