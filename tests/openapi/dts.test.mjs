// The npm package's .d.ts against Discord's OpenAPI description of the routes we call: every
// property the spec gives is declared (recursively, through nested objects and arrays), a
// property the spec allows to be `null` is typed with `| null`, and one the spec does not
// require is optional (`?`). Read with the TypeScript checker, not with patterns.
// Needs: pkg/ built (scripts/build-web.sh).
import test from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import ts from "typescript";
import { ROOT, SPEC, resolve, nullable, nonNull } from "./support.mjs";

// Each route's answer and the interface that types it for users.
const ROOT_TYPES = {
  "GET /users/@me": "User",
  "GET /users/@me/guilds": "Guild",
  "GET /users/@me/guilds/{guild_id}/member": "Member",
  "GET /users/@me/connections": "Connection",
  "GET /oauth2/@me": "AuthorizationInfo",
  "GET /oauth2/applications/@me": "Application",
  "GET /users/@me/applications/{application_id}/role-connection": "ApplicationRoleConnection",
  "PUT /users/@me/applications/{application_id}/role-connection": "ApplicationRoleConnection",
  "PUT /guilds/{guild_id}/members/{user_id}": "Member",
  "GET /applications/{application_id}/role-connections/metadata": "ApplicationRoleConnectionMetadata",
  "PUT /applications/{application_id}/role-connections/metadata": "ApplicationRoleConnectionMetadata",
};

function checker(file) {
  const program = ts.createProgram([file], { strict: true, noEmit: true, skipLibCheck: true, lib: ["lib.esnext.d.ts", "lib.dom.d.ts"] });
  const source = program.getSourceFile(file);
  const tc = program.getTypeChecker();
  const types = {};
  ts.forEachChild(source, (node) => {
    if (ts.isInterfaceDeclaration(node)) types[node.name.text] = tc.getTypeAtLocation(node);
  });
  return { tc, types };
}

/** The problems of TS type `type` against `schema`, at `path`. */
function compare(tc, type, schema, path, problems, seen = new Set()) {
  const s = nonNull(schema);
  const kinds = Array.isArray(s.type) ? s.type.filter((t) => t !== "null") : [s.type];
  if (kinds.includes("array") && s.items) {
    const element = tc.getNonNullableType(type);
    const item = tc.isArrayType(element) ? tc.getTypeArguments(element)[0] : undefined;
    if (!item) return problems.push(`${path}: the spec has an array, the .d.ts ${tc.typeToString(type)}`);
    return compare(tc, item, s.items, `${path}[]`, problems, seen);
  }
  if (!s.properties && !(s.additionalProperties && typeof s.additionalProperties === "object")) return;
  const object = tc.getNonNullableType(type);
  const key = `${path}:${tc.typeToString(object)}`;
  if (seen.has(key)) return;
  seen.add(key);
  if (s.additionalProperties && typeof s.additionalProperties === "object" && !s.properties) {
    const index = tc.getIndexTypeOfType(object, ts.IndexKind.String);
    if (!index) return problems.push(`${path}: the spec has a map, the .d.ts ${tc.typeToString(object)}`);
    return compare(tc, index, s.additionalProperties, `${path}{}`, problems, seen);
  }
  const required = new Set(s.required ?? []);
  for (const [name, prop] of Object.entries(s.properties)) {
    const symbol = tc.getPropertyOfType(object, name);
    const at = `${path}.${name}`;
    if (!symbol) { problems.push(`${at} is not declared`); continue; }
    const declared = tc.getTypeOfSymbol(symbol);
    const optional = (symbol.flags & ts.SymbolFlags.Optional) !== 0;
    const allowsNull = declared.isUnion()
      ? declared.types.some((t) => t.flags & ts.TypeFlags.Null)
      : (declared.flags & ts.TypeFlags.Null) !== 0;
    if (nullable(prop) && !allowsNull) problems.push(`${at} may be null (spec) but is typed ${tc.typeToString(declared)}`);
    if (!required.has(name) && !optional) problems.push(`${at} may be absent (spec) but is not optional`);
    compare(tc, declared, prop, at, problems, seen);
  }
}

const DTS = join(ROOT, "pkg", "discord_oauth_wasm.d.ts");

test("every field the spec gives for the routes we call is typed in the .d.ts, with its nullability", () => {
  const { tc, types } = checker(DTS);
  const problems = [];
  for (const [route, name] of Object.entries(ROOT_TYPES)) {
    assert.ok(types[name], `${name} (for ${route}) is exported by the .d.ts`);
    const schema = SPEC.routes[route].schema;
    // A route answering a list: its items.
    const item = resolve(schema).items ? resolve(schema).items : schema;
    compare(tc, types[name], item, `${name}`, problems);
  }
  assert.deepEqual([...new Set(problems)], []);
});

test("every route we call has a type above", () => {
  assert.deepEqual(Object.keys(SPEC.routes).sort(), Object.keys(ROOT_TYPES).sort());
});

test("the comparison can fail: an interface missing a field and a non-null type are reported", () => {
  const file = join(ROOT, "test-output", "openapi-probe.d.ts");
  ts.sys.writeFile(file, "export interface Guild { id: string; name: string; icon: string; features: string[] }\n");
  const { tc, types } = checker(file);
  const problems = [];
  compare(tc, types.Guild, resolve(SPEC.routes["GET /users/@me/guilds"].schema).items, "Guild", problems);
  assert.ok(problems.includes("Guild.icon may be null (spec) but is typed string"), problems.join("\n"));
  assert.ok(problems.includes("Guild.owner is not declared"), problems.join("\n"));
});
