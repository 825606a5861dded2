// Field lists of the two sides of the package's model types: the interfaces of the published
// .d.ts (src/browser/typings.rs emits them) and the serde fields of the Rust models
// (src/discord/models/, src/discord/token.rs), which mirror what Discord sends.

/** `{ InterfaceName: Map<field, { optional }> }` of every `export interface` in a .d.ts text. */
export function dtsInterfaces(text) {
  const src = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/[^\n]*/g, "");
  const out = {};
  const re = /export\s+(?:declare\s+)?interface\s+(\w+)(?:<[^>]*>)?(?:\s+extends\s+[^{]+)?\s*\{/g;
  let m;
  while ((m = re.exec(src))) {
    let depth = 1, i = re.lastIndex, member = "";
    const fields = new Map();
    const flush = () => {
      const f = member.match(/^\s*(?:readonly\s+)?([A-Za-z_$][\w$]*)(\?)?\s*:/);
      if (f) fields.set(f[1], { optional: Boolean(f[2]) });
      member = "";
    };
    for (; i < src.length && depth > 0; i++) {
      const c = src[i];
      if (c === "{" || c === "(" || c === "[" || c === "<") depth++;
      else if (c === "}" || c === ")" || c === "]" || (c === ">" && src[i - 1] !== "=")) depth--;
      if (depth === 1 && (c === ";" || c === "\n")) flush();
      else if (depth >= 1) member += c;
    }
    flush();
    out[m[1]] = fields;
  }
  return out;
}

/**
 * `{ StructName: Map<jsonName, { optional }> }` of every `pub struct` with named fields in a
 * Rust source text, with serde's `rename` applied. `optional`: the field may be absent from
 * the JSON (`#[serde(default)]`, or `Option` with `skip_serializing_if`).
 */
export function rustStructs(text) {
  const out = {};
  const re = /pub struct (\w+)(?:<[^>]*>)?\s*\{\n([\s\S]*?)\n\}/g;
  let m;
  while ((m = re.exec(text))) {
    const fields = new Map();
    let attrs = "";
    for (const line of m[2].split("\n")) {
      const t = line.trim();
      if (t.startsWith("#[")) { attrs += t; continue; }
      const f = t.match(/^pub (\w+)\s*:\s*(.+?),?$/);
      if (!f) { if (!t.startsWith("//")) attrs = ""; continue; }
      const serde = [...attrs.matchAll(/#\[serde\(([^\]]*)\)\]/g)].map((a) => a[1]).join(",");
      if (/(^|[,\s])skip([,\s]|$)/.test(serde)) { attrs = ""; continue; }
      const rename = serde.match(/rename\s*=\s*"([^"]+)"/);
      const optional = /(^|[,\s])default\b/.test(serde) || /skip_serializing_if/.test(serde);
      fields.set(rename ? rename[1] : f[1], { optional, type: f[2] });
      attrs = "";
    }
    out[m[1]] = fields;
  }
  return out;
}
