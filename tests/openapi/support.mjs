// Shared by the OpenAPI checks: the vendored part of Discord's OpenAPI 3.1 description
// (tests/openapi/discord-api.json, written by scripts/vendor-openapi.mjs) and a JSON Schema
// 2020-12 validator over it (OpenAPI 3.1 schemas are JSON Schema 2020-12).
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Ajv2020 from "ajv/dist/2020.js";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const SPEC = JSON.parse(readFileSync(join(ROOT, "tests", "openapi", "discord-api.json"), "utf8"));

/** The schema a `$ref` names, or the schema itself. */
export function resolve(schema) {
  const ref = schema?.$ref;
  return ref ? resolve(SPEC.schemas[ref.replace("#/components/schemas/", "")]) : schema;
}

/** Whether a schema allows null (`type: [..., "null"]` or a null alternative). */
export function nullable(schema) {
  const s = resolve(schema);
  const types = Array.isArray(s.type) ? s.type : [s.type];
  return types.includes("null") || [...(s.oneOf ?? []), ...(s.anyOf ?? [])].some(nullable);
}

/** The schema without its null alternative: what a non-null value must be. */
export function nonNull(schema) {
  const s = resolve(schema);
  for (const key of ["oneOf", "anyOf"]) {
    const alts = (s[key] ?? []).filter((a) => resolve(a).type !== "null");
    if (alts.length === 1 && !alts[0].const) return resolve(alts[0]);
  }
  return s;
}

/** A validator per route: `validate(route, value)` → list of errors (empty when valid). */
export function validator() {
  // `format` is an annotation in 2020-12; `strict: false` accepts OpenAPI's extra keywords.
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema({ $id: "discord", components: { schemas: SPEC.schemas } });
  const compiled = new Map();
  return (route, value) => {
    if (!compiled.has(route)) {
      const schema = JSON.parse(
        JSON.stringify(SPEC.routes[route].schema).replaceAll('"#/components/', '"discord#/components/'),
      );
      compiled.set(route, ajv.compile(schema));
    }
    const check = compiled.get(route);
    return check(value) ? [] : check.errors.map((e) => `${e.instancePath || "/"} ${e.message}`);
  };
}
