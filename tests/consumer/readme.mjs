// The npm README's examples, as a user copies them: the fenced code blocks of
// pkg-template/README.md (the README npm shows), found by what they are, not by position, so
// that sections added around them do not break the consumer tests.
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const README = join(ROOT, "pkg-template", "README.md");

/** Every fenced block of a Markdown text: `{ lang, code, heading }` (heading: the last `#` line above). */
export function codeBlocks(markdown) {
  const blocks = [];
  let heading = "";
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^#{1,6} /.test(line)) heading = line.replace(/^#+ /, "");
    const open = line.match(/^```(\S*)\s*$/);
    if (!open) continue;
    const body = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]); i++) body.push(lines[i]);
    blocks.push({ lang: open[1], code: body.join("\n") + "\n", heading });
  }
  return blocks;
}

/** The one block whose first line is `// <file>` (e.g. `src/auth.ts`); throws if not exactly one. */
export function fileBlock(markdown, file) {
  const found = codeBlocks(markdown).filter((b) => b.code.split("\n")[0].trim() === `// ${file}`);
  if (found.length !== 1) throw new Error(`README: expected one code block starting "// ${file}", found ${found.length}`);
  return found[0].code;
}

/** The README's plain `<script type="module">` page: the html block that holds such a script. */
export function plainPage(markdown) {
  let found = codeBlocks(markdown).filter((b) => b.lang === "html" && b.code.includes('<script type="module">'));
  // Other sections (e.g. a Discord Activity) may show pages too: the one under "Plain ..." wins.
  if (found.length > 1) found = found.filter((b) => /plain/i.test(b.heading));
  if (found.length !== 1) throw new Error(`README: expected one html block with <script type="module">, found ${found.length}`);
  return found[0].code;
}

export function readme() {
  return readFileSync(README, "utf8");
}
