import { posix } from "node:path";

/** The tracked files a check's failure output names, and whether the output shows it names them all. */
export interface NamedFiles {
  /** Relative to the repository root, each a tracked file, in the order the output first names them. */
  files: string[];
  /**
   * The output is whole (it still shows its start: the package manager's `> pkg lint` banner, prettier's
   * "Checking formatting..."), or its own summary counts exactly what it listed. An excerpt cut from the
   * end of a longer output may leave files out: then they are no list to confine the fixer to.
   */
  complete: boolean;
}

const ANSI = /\u001b\[[0-9;?]*[A-Za-z]|\u001b\][^\u0007]*\u0007/g;
/** prettier: `[warn] src/a.js`, `[error] src/a.js: SyntaxError: ...`. */
const PRETTIER_LINE = /^\[(?:warn|error)\]\s+(.+?)(?::\s.*)?$/;
/** eslint's unix format, biome, tsc and most compilers: `path:line:col: message`, `path:line:col category`. */
const POSITION = /^(\S+?):(\d+)(?::\d+)?(?=[:\s]|$)/;
/** tsc's own: `src/a.ts(3,7): error TS...`. */
const PAREN_POSITION = /^(\S+?)\(\d+,\d+\)/;
/** eslint's compact format: `/abs/src/a.js: line 1, col 5, Error - ...`. */
const COMPACT = /^(\S+): line \d+, col \d+,/;
/** biome's diagnostics without a position: `src/a.js format ━━━━━━`. */
const BIOME_HEADER = /^(\S+)\s+\S+(?:\s+\S+)*\s+━/;
/** What starts an output, so an excerpt that shows it is whole: npm's and pnpm's banner, yarn's, bun's, prettier's. */
const OUTPUT_START = [/^> \S/, /^yarn run v\d/, /^\$ \S/, /^Checking formatting\.\.\./];

/**
 * The tracked files a check's failure output names: eslint's stylish (a file's path alone on a line, its
 * problems indented below) and unix / compact formats, prettier's `[warn] path`, biome's and compilers'
 * `path:line:col`. A path may be relative to the checkout or absolute under it (the check ran in a
 * checkout elsewhere): an absolute one is the longest tracked path it ends with. Only tracked files count,
 * so a path in a message (a config file, node_modules) names nothing unless it is one.
 */
export function filesNamedInOutput(output: string, trackedFiles: Iterable<string>): NamedFiles {
  const tracked = trackedFiles instanceof Set ? (trackedFiles as Set<string>) : new Set(trackedFiles);
  const lines = output.replace(ANSI, "").split(/\r?\n/).map((l) => l.trimEnd());
  const files: string[] = [];
  const seen = new Set<string>();
  for (const line of lines) {
    for (const candidate of candidates(line)) {
      const file = trackedPath(candidate, tracked);
      if (!file) continue;
      if (!seen.has(file)) {
        seen.add(file);
        files.push(file);
      }
      break;
    }
  }
  return { files, complete: files.length > 0 && (lines.some((l) => OUTPUT_START.some((re) => re.test(l))) || summaryAgrees(lines, files.length)) };
}

function candidates(line: string): string[] {
  const trimmed = line.trim();
  if (!trimmed) return [];
  const out = [trimmed];
  for (const re of [PRETTIER_LINE, POSITION, PAREN_POSITION, COMPACT, BIOME_HEADER]) {
    const m = re.exec(trimmed);
    if (m?.[1]) out.push(m[1]);
  }
  return out;
}

/** The tracked file a path in the output is, or null. */
function trackedPath(raw: string, tracked: ReadonlySet<string>): string | null {
  const path = raw.replace(/^["'`]|["'`]$/g, "");
  if (path.startsWith("/")) {
    // The longest tracked path the absolute path ends with: scanning from the left, the first suffix found.
    for (let i = path.indexOf("/"); i >= 0; i = path.indexOf("/", i + 1)) {
      const rel = path.slice(i + 1);
      if (rel && tracked.has(rel)) return rel;
    }
    return null;
  }
  const rel = posix.normalize(path);
  if (rel.startsWith("../") || rel === "..") return null;
  return tracked.has(rel) ? rel : null;
}

/**
 * The tool's own summary agrees with what was listed: prettier's "Code style issues found in N files",
 * eslint's "✖ N problems" against its problem lines (stylish) or "N problems" against its `path:line:col` lines (unix).
 */
function summaryAgrees(lines: string[], fileCount: number): boolean {
  for (const line of lines) {
    const prettier = /Code style issues (?:were )?found in (?:(\d+) files?|the above file)\b/.exec(line);
    if (prettier) return fileCount === (prettier[1] ? Number(prettier[1]) : 1);
    const stylish = /^✖ (\d+) problems? \(/.exec(line.trim());
    if (stylish) return Number(stylish[1]) === lines.filter((l) => /^\s+\d+:\d+\s+(?:error|warning)\s/.test(l)).length;
    const unix = /^(\d+) problems?$/.exec(line.trim());
    if (unix) return Number(unix[1]) === lines.filter((l) => POSITION.test(l.trim())).length;
  }
  return false;
}
