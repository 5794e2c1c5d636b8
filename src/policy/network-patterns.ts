import { posix } from "node:path";

/**
 * Code that opens network connections, by language, as it appears on one line. Deliberately plain
 * text patterns: decidable from the diff alone, the same answer every time. Not a sandbox: code can
 * reach the network in ways no pattern sees (the sandbox is what denies it).
 */
const JS_MODULES = "(?:node:)?(?:http|https|http2|net|tls|dgram|dns|undici|axios|node-fetch|got|ws)";
const JS = [
  /\bfetch\s*\(/,
  /\bnew\s+(?:WebSocket|EventSource|XMLHttpRequest)\b/,
  /\bBun\.(?:connect|listen|serve|udpSocket)\s*\(/,
  new RegExp(`(?:\\bfrom\\s*|\\bimport\\s*\\(\\s*|\\brequire\\s*\\(\\s*|\\bimport\\s+)["'\`]${JS_MODULES}(?:/[^"'\`]*)?["'\`]`),
];
const PY = [
  /^\s*(?:import|from)\s+(?:requests|urllib3?|http\.client|httpx|aiohttp|socket|websockets?|ftplib|smtplib)\b/,
  /\burlopen\s*\(/,
];
const SHELL = [/(?:^|[\s;|&(`$])(?:curl|wget|nc|ncat|socat|ssh|scp|rsync|ftp|telnet)\s/];

const BY_EXTENSION: Record<string, RegExp[]> = {
  ".js": JS, ".mjs": JS, ".cjs": JS, ".jsx": JS, ".ts": JS, ".mts": JS, ".cts": JS, ".tsx": JS,
  ".py": PY,
  ".sh": SHELL, ".bash": SHELL, ".zsh": SHELL,
};

/** The patterns that apply to a file, by its extension; none for other files. */
export function networkPatternsFor(path: string): RegExp[] {
  return BY_EXTENSION[posix.extname(path).toLowerCase()] ?? [];
}

/** Lines that match a network pattern. */
export function networkUses(lines: readonly string[], patterns: readonly RegExp[]): number {
  return lines.filter((line) => patterns.some((re) => re.test(line))).length;
}
