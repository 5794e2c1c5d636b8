import { parseShellCalls, type ParsedCommand } from "./ci/script-calls.ts";

/** Tools that drive a browser: a check using one needs a browser this machine's sandbox rarely has. */
export const BROWSER_TOOL = /\b(playwright|cypress|puppeteer|testcafe|wdio|webdriverio|nightwatch|karma)\b/i;

// Scripts that change the working tree, never end, or ship something: none of them is a check.
const REWRITE_NAMES = new Set(["format", "fmt", "prettier", "prettify", "fix", "autofix", "format:fix", "format:write", "clean"]);
const REWRITE_SUFFIX = /(^fix[:-]|[:-](fix|write|update|update-snapshots?|u)$)/;
const CHECK_MODE = /\s(--check|-c|--list-different|-l)\b/;
const WRITE_FLAGS = /\s(--fix|--write|--update-snapshot|--updateSnapshot|-u)(\s|=|$)/;
const SERVE_NAMES = new Set(["dev", "start", "serve", "watch", "preview", "storybook", "stop", "restart"]);
const SERVE_SUFFIX = /[:-](watch|dev|serve|start|debug|preview)$/;
const WATCH_FLAGS = /\s--watch(All)?(?!=false)\b/;
const LIFECYCLE = new Set(["deploy", "release", "publish", "version", "prepare", "preinstall", "install", "postinstall", "prepublish", "prepublishOnly", "prepack", "postpack", "semantic-release", "changeset"]);

/**
 * A package.json's scripts and what they call of each other: `check: npm run check:type && npm run
 * check:lint` is an aggregate of its two parts. Reads nothing but the object it is given.
 */
export class PackageScripts {
  private readonly parsed = new Map<string, ParsedCommand[]>();

  constructor(private readonly scripts: Record<string, string>) {}

  /** From package.json's `scripts` value: only string entries count. */
  static from(value: unknown): PackageScripts {
    const scripts: Record<string, string> = {};
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      for (const [name, body] of Object.entries(value)) if (typeof body === "string") scripts[name] = body;
    }
    return new PackageScripts(scripts);
  }

  get names(): string[] {
    return Object.keys(this.scripts);
  }

  has(name: string): boolean {
    return Object.hasOwn(this.scripts, name);
  }

  body(name: string): string {
    return this.has(name) ? this.scripts[name]! : "";
  }

  /** The scripts of this package a script calls directly, in order (`run-s check:*` expanded). */
  callees(name: string): string[] {
    const out: string[] = [];
    for (const command of this.commands(name)) {
      for (const call of command.calls) {
        if (call.kind !== "script" || call.workspaces || command.dir !== null) continue;
        for (const match of this.matching(call.script)) if (!out.includes(match)) out.push(match);
      }
    }
    return out;
  }

  /** It only runs other scripts of this package (`npm run a && npm run b`, `run-s a b`). */
  isAggregate(name: string): boolean {
    const commands = this.commands(name);
    if (commands.length === 0) return false;
    const rootScripts = (c: ParsedCommand) => c.dir === null && c.calls.length > 0 && c.calls.every((call) => call.kind === "script" && !call.workspaces && this.matching(call.script).length > 0);
    return commands.every(rootScripts);
  }

  /** Every script `name` runs, directly or through others (not itself unless it loops). */
  reachable(name: string): Set<string> {
    const seen = new Set<string>();
    const queue = this.callees(name);
    while (queue.length > 0) {
      const next = queue.shift()!;
      if (seen.has(next)) continue;
      seen.add(next);
      queue.push(...this.callees(next));
    }
    return seen;
  }

  /**
   * Why the script is not a check, or null: it rewrites files, never ends, ships something, needs a
   * browser, or runs a script that does one of those.
   */
  notACheck(name: string): string | null {
    const own = this.ownReason(name);
    if (own) return own;
    for (const script of this.reachable(name)) {
      const why = this.ownReason(script);
      if (why && !why.startsWith("is ")) return `runs "${script}", which ${why}`;
    }
    return null;
  }

  private ownReason(name: string): string | null {
    const body = ` ${this.body(name)}`;
    if (name === "test" && /no test specified/.test(body)) return 'is npm\'s placeholder ("no test specified")';
    if (LIFECYCLE.has(name.split(":")[0]!)) return "is a lifecycle or release script";
    if (WRITE_FLAGS.test(body) || ((REWRITE_NAMES.has(name) || REWRITE_SUFFIX.test(name)) && !CHECK_MODE.test(body))) return "rewrites files";
    if (SERVE_NAMES.has(name) || SERVE_SUFFIX.test(name) || WATCH_FLAGS.test(body)) return "watches or serves (it never ends)";
    const browser = BROWSER_TOOL.exec(body);
    return browser ? `needs a browser (${browser[1]!.toLowerCase()})` : null;
  }

  /** Script names an npm-run-all pattern names: `*` stays within one `:` segment, `**` crosses them. */
  matching(pattern: string): string[] {
    if (!pattern.includes("*")) return this.has(pattern) ? [pattern] : [];
    const source = pattern
      .split(/(\*\*|\*)/)
      .map((part) => (part === "**" ? ".*" : part === "*" ? "[^:]*" : part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")))
      .join("");
    const re = new RegExp(`^${source}$`);
    return this.names.filter((n) => re.test(n));
  }

  private commands(name: string): ParsedCommand[] {
    let commands = this.parsed.get(name);
    if (!commands) {
      commands = parseShellCalls(this.body(name));
      this.parsed.set(name, commands);
    }
    return commands;
  }
}
