// Reads the five Python libraries' API references (docs/migrating/seeds/, text as scraped from
// their documentation sites) into their public items, so tests/docs/migrating.test.mjs can ask
// each migration guide for a row per item. The references come in three scraped shapes (Sphinx
// text with blank lines, Sphinx with `¶` anchors, and Sphinx with `- ` bullets); each has its
// own reader below. An item's key is what the guide's first column spells:
//
//   `Class`                 a class or exception
//   `Class(param)`          a constructor parameter
//   `Class.member`          an attribute, property, method, enum member or model field
//   `Class.method(param)`   a method parameter
//   `Class: x == y`         an operator the model documents (`==`, `!=`, `str()`, `hash()`)
//   `SETTING`               a configuration value
//   `@decorator`            a decorator
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const SEED_DIR = join(import.meta.dirname, "../../docs/migrating/seeds");

/** The libraries, their seed file, their guide and the reader of the seed's shape. */
export const LIBRARIES = [
  { name: "flask-discord", pkg: "flask_discord", seed: "flask-discord.txt", guide: "flask-discord.md", shape: "blank" },
  { name: "quart-discord", pkg: "quart_discord", seed: "quart-discord.txt", guide: "quart-discord.md", shape: "pilcrow" },
  { name: "starlette-discord", pkg: "starlette_discord", seed: "starlette-discord.txt", guide: "starlette-discord.md", shape: "bullet" },
  { name: "disco-oauth2", pkg: "disco_oauth2", seed: "disco-oauth2.txt", guide: "disco-oauth2.md", shape: "blank" },
  { name: "discordoauth2", pkg: "discordoauth2", seed: "discordoauth2.txt", guide: "discordoauth2.md", shape: "bullet" },
];

// The scrapes glue words together where the page had markup ("quart_discord.Unauthorizedif
// current user…"). Where a glued token would be read as a name, this is the name it stands for.
const GLUE = {
  exchangeclient_id: "client_id",
};
// A class name glued to the next word: the glued tails seen in the scrapes.
const GLUED_TAIL = /(if|objects?|class|instances?|and|object)$/;

/** A signature's parameter names: `(a, b: int = 1, *, c=..., **kw)` → a, b, c, kw. */
export function signatureParams(sig) {
  const out = [];
  let depth = 0, cur = "";
  for (const ch of sig) {
    if ("([{".includes(ch)) depth++;
    if (")]}".includes(ch)) depth--;
    if (ch === "," && depth === 0) { out.push(cur); cur = ""; } else cur += ch;
  }
  out.push(cur);
  return out
    .map((p) => p.trim().replace(/^\*{1,2}/, "").split(/[:=]/)[0].trim())
    .filter((p) => /^[a-z_][a-z0-9_]*$/.test(p) && p !== "self" && p !== "cls");
}

/** Collects items in order, once each. */
class Items {
  constructor() { this.list = []; this.seen = new Set(); this.cls = null; }
  add(key, kind) {
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push({ key, kind });
  }
  klass(name, sig) {
    this.cls = name;
    this.add(name, "class");
    for (const p of signatureParams(sig ?? "")) this.add(`${name}(${p})`, "parameter");
  }
  member(name, sig, kind = "member") {
    const owner = this.cls ?? "module";
    this.add(`${owner}.${name}`, kind);
    for (const p of signatureParams(sig ?? "")) this.add(`${owner}.${name}(${p})`, "parameter");
    return `${owner}.${name}`;
  }
}

const OPERATOR = /^(?:- )?(x == y|x != y|str\(x\)|hash\(x\))$/;
const MEMBER_PREFIX = /^(?:(?:property|static|classmethod|async|await)\s+)*/;

/** Sphinx text with blank lines between blocks (flask-discord, disco-oauth2). */
function readBlank(text, pkg) {
  const items = new Items();
  const lines = text.split("\n").map((l) => l.trim()).filter(Boolean);
  let skip = false, section = "";
  for (const line of lines) {
    if (skip) { skip = false; continue; }
    if (line === "Type:" || line === "Return type:") { skip = true; continue; }
    if (/^(Configuration Values|Models|Utilities|Exceptions)$/.test(line)) section = line;
    let m;
    if ((m = line.match(/^class ([\w.]+)\.(\w+)(?:\((.*)\))?/))) { items.klass(m[2], m[3]); continue; }
    if ((m = line.match(/^@([\w.]+)\.(\w+)/))) { items.add(`@${m[2]}`, "decorator"); continue; }
    if ((m = line.match(OPERATOR))) { items.add(`${items.cls}: ${m[1]}`, "operator"); continue; }
    if (/^[A-Z][A-Z0-9_]+$/.test(line)) {
      if (section === "Configuration Values") items.add(line, "setting");
      else items.member(line, null, "member");
      continue;
    }
    const rest = line.replace(MEMBER_PREFIX, "");
    if ((m = rest.match(/^([a-z_][a-z0-9_]*)(?:\((.*?)\)[^(]*|: .*|#)?$/)) && items.cls) {
      items.member(m[1], m[2]);
    }
  }
  return items.list;
}

/** Sphinx with `¶` after each heading (quart-discord). */
function readPilcrow(text, pkg) {
  const items = new Items();
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    let m;
    if ((m = line.match(OPERATOR))) { items.add(`${items.cls}: ${m[1]}`, "operator"); continue; }
    const at = line.indexOf("¶");
    if (at < 0) continue;
    const head = line.slice(0, at).replace(/\[source\]$/, "");
    const prev = (lines[i - 1] ?? "").trim();
    if (prev === "class" && (m = head.match(/^([\w.]+)\.(\w+)(?:\((.*)\))?/))) { items.klass(m[2], m[3]); continue; }
    if ((m = head.match(/^([a-z_][a-z0-9_]*)(?:\((.*?)\).*)?$/)) && items.cls) items.member(m[1], m[2]);
  }
  mentions(text, pkg, items);
  return items.list;
}

/** Sphinx with `- ` bullets (starlette-discord, discordoauth2). Where a signature does not
 * name the parameters (`*args, **kwargs`, or discordoauth2's `generate_uri(metadata)` whose
 * parameter list says otherwise), the documented `name (type) –` parameters count too. */
function readBullet(text, pkg) {
  const items = new Items();
  const heads = [...text.matchAll(/(?:^|``)- (class |await )?([\w.]+)\(([^)]*)\)[^\n]*?(?:¶|$)|(?:^|``)- (?:property )?([a-z_]+)¶/gm)];
  for (let h = 0; h < heads.length; h++) {
    const m = heads[h];
    const block = text.slice(m.index + m[0].length, heads[h + 1]?.index ?? text.length);
    const documented = [...block.matchAll(/(?:^|[.\s])([a-z_][a-z0-9_]*) \((?=[A-Za-z`\n])/g)]
      .map((d) => GLUE[d[1]] ?? d[1]);
    if (m[4]) { items.member(m[4], null); continue; }
    const name = m[2].split(".").at(-1);
    const sig = m[3];
    const vague = /^\s*\*args/.test(sig) || pkg === "discordoauth2";
    if (m[1] === "class ") {
      items.klass(name, sig);
      if (vague) for (const p of documented) items.add(`${name}(${p})`, "parameter");
    } else {
      const key = items.member(name, sig);
      if (vague) for (const p of documented) items.add(`${key}(${p})`, "parameter");
    }
  }
  mentions(text, pkg, items);
  return items.list;
}

/** Exceptions and token classes the reference only names (in Raises and Returns lines). */
function mentions(text, pkg, items) {
  for (const m of text.matchAll(new RegExp(`${pkg}\\.(?:exceptions\\.|models\\.)?([A-Z][A-Za-z0-9]+)(?:\\.([a-z_]+[a-z]))?`, "g"))) {
    const name = m[1].replace(GLUED_TAIL, "");
    if (!/(Exception|Unauthorized|RateLimited|AccessDenied|AccessToken)$/.test(name)) continue;
    items.add(name, "class");
    if (m[2] && pkg === "discordoauth2") items.add(`${name}.${m[2]}`, "member");
  }
}

/** The items of one library's seed, in reference order. */
export function seedItems(lib) {
  const text = readFileSync(join(SEED_DIR, lib.seed), "utf8");
  const read = { blank: readBlank, pilcrow: readPilcrow, bullet: readBullet }[lib.shape];
  return read(text, lib.pkg);
}
