import type { FilePatch } from "./classify-input.ts";

const HUNK = /^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@/;

/**
 * The added and removed lines per file of a `git diff --no-prefix` patch. Hunks are read by their line
 * counts, so a removed line that looks like a header ("--- x") is still a removed line.
 */
export function parseUnifiedDiff(text: string): FilePatch[] {
  const out: FilePatch[] = [];
  let cur: { path?: string; oldPath?: string; added: string[]; removed: string[] } | null = null;
  let oldLeft = 0;
  let newLeft = 0;
  const flush = () => {
    const path = cur?.path ?? cur?.oldPath;
    if (cur && path !== undefined) out.push({ path, added: cur.added, removed: cur.removed });
  };
  for (const line of text.split("\n")) {
    if (oldLeft > 0 || newLeft > 0) {
      if (line.startsWith("-")) {
        cur?.removed.push(line.slice(1));
        oldLeft--;
      } else if (line.startsWith("+")) {
        cur?.added.push(line.slice(1));
        newLeft--;
      } else if (line.startsWith(" ")) {
        oldLeft--;
        newLeft--;
      }
      continue;
    }
    if (line.startsWith("diff --git ")) {
      flush();
      cur = { added: [], removed: [] };
    } else if (!cur) {
      continue;
    } else if (line.startsWith("--- ")) {
      cur.oldPath = headerPath(line.slice(4)) ?? cur.oldPath;
    } else if (line.startsWith("+++ ")) {
      cur.path = headerPath(line.slice(4)) ?? cur.path;
    } else if (line.startsWith("rename to ")) {
      cur.path = unquoteGitPath(line.slice("rename to ".length));
    } else {
      const m = HUNK.exec(line);
      if (m) {
        oldLeft = m[1] === undefined ? 1 : Number(m[1]);
        newLeft = m[2] === undefined ? 1 : Number(m[2]);
      }
    }
  }
  flush();
  return out;
}

function headerPath(text: string): string | undefined {
  // git ends a header path containing a space with a tab.
  const path = unquoteGitPath(text.replace(/\t$/, ""));
  return path === "/dev/null" ? undefined : path;
}

const ESCAPES: Record<string, string> = { a: "\x07", b: "\b", t: "\t", n: "\n", v: "\v", f: "\f", r: "\r", '"': '"', "\\": "\\" };

/** A path as git prints it: as is, or C-quoted ("a\tb", octal bytes for non-ASCII). */
export function unquoteGitPath(text: string): string {
  if (!text.startsWith('"') || !text.endsWith('"') || text.length < 2) return text;
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  const body = text.slice(1, -1);
  for (let i = 0; i < body.length; i++) {
    if (body[i] !== "\\") {
      const cp = body.codePointAt(i)!;
      bytes.push(...encoder.encode(String.fromCodePoint(cp)));
      if (cp > 0xffff) i++;
      continue;
    }
    const next = body[++i] ?? "";
    if (/[0-7]/.test(next)) {
      bytes.push(parseInt(body.slice(i, i + 3), 8));
      i += 2;
    } else {
      bytes.push((ESCAPES[next] ?? next).charCodeAt(0));
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}
