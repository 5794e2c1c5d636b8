import type { EcosystemId } from "../ecosystems/registry.ts";

/**
 * What a failed install's output says about its cause (pure: output lines in, a diagnosis out). A
 * lockfile out of sync, a registry certificate this machine does not trust, a package or version that
 * does not exist, an unsupported engine or refused credentials fail the same way on every retry, so
 * they are final (`retryable: false`) with the cause and its fix. Network trouble (timeouts, resets,
 * DNS, a registry's 5xx) may pass next time and stays retryable. Output that matches neither is null.
 */
export type InstallDiagnosis =
  | { retryable: false; rule: FinalRule; cause: string; fix: string }
  | { retryable: true; rule: "network"; cause: string };

export type FinalRule = "lockfile_out_of_sync" | "unsupported_engine" | "auth" | "tls" | "not_found";

export interface InstallFailureContext {
  packageManager: EcosystemId;
  /** The lockfile the install used, relative to the checkout; null for an install without one. */
  lockfile: string | null;
}

interface Rule {
  rule: FinalRule;
  patterns: RegExp[];
  explain(ctx: InstallFailureContext, line: string, lines: readonly string[]): { cause: string; fix: string };
}

const FINAL_RULES: Rule[] = [
  {
    rule: "lockfile_out_of_sync",
    patterns: [
      /can only install packages when your package\.json and (package-lock\.json|npm-shrinkwrap\.json)/, // npm ci
      /ERR_PNPM_OUTDATED_LOCKFILE/,
      /ERR_PNPM_LOCKFILE_CONFIG_MISMATCH/,
      /Your lockfile needs to be updated/, // Yarn 1
      /\bYN0028\b|The lockfile would have been modified by this install/, // Yarn 2+
      /lockfile had changes, but lockfile is frozen/, // Bun
    ],
    explain: ({ packageManager, lockfile }, line) => {
      const file = lockfile ?? "the lockfile";
      const settings = /LOCKFILE_CONFIG_MISMATCH/.test(line);
      return {
        cause: settings ? `${file} was made with other ${packageManager} settings (overrides, patches...) than the commit has` : `${file} is out of sync with package.json`,
        fix: `run ${packageManager} install and commit ${file}`,
      };
    },
  },
  {
    rule: "unsupported_engine",
    patterns: [/\bcode EBADENGINE\b/, /ERR_PNPM_UNSUPPORTED_ENGINE/, /The engine "[^"]+" is incompatible with this module/],
    explain: (_ctx, line, lines) => ({
      cause: `a package does not support this worker's runtime (${requiredEngine(lines) ?? clip(line)})`,
      fix: "run the worker with a Node.js version the packages' `engines` allow, or change `engines` (engine-strict refuses the install)",
    }),
  },
  {
    rule: "auth",
    patterns: [/\bcode E40[13]\b/, /ERR_PNPM_FETCH_40[13]/, /\bYN0041\b/, /Request failed "40[13]/, /^error: .*\b40[13]\b/],
    explain: (_ctx, line, lines) => {
      const registry = registryIn(line, lines);
      return {
        cause: `${registry ? `the registry ${registry}` : "the registry"} refused the request (${/403|Forbidden/.test(line) ? "403 Forbidden" : "401 Unauthorized"})`,
        fix: `log in: npm login --registry ${registry ?? "<the registry's URL>"} as the worker's user (installs use that user's ~/.npmrc credentials)`,
      };
    },
  },
  {
    rule: "tls",
    patterns: [
      /SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|UNABLE_TO_VERIFY_LEAF_SIGNATURE|CERT_HAS_EXPIRED|ERR_TLS_CERT_ALTNAME_INVALID/,
      /self[- ]signed certificate|unable to get local issuer certificate|certificate has expired/i,
    ],
    explain: (_ctx, line, lines) => ({
      cause: `the TLS certificate of ${registryIn(line, lines) ?? "the registry"} is not trusted here (${tlsCode(line)})`,
      // install-trust.ts passes the worker's NODE_EXTRA_CA_CERTS, SSL_CERT_* and npm `cafile` to the install.
      fix: "set NODE_EXTRA_CA_CERTS (or npm's cafile) for the worker: PushPals passes it to installs; or fix the registry's certificate",
    }),
  },
  {
    rule: "not_found",
    patterns: [
      /\bcode E404\b|\bcode ETARGET\b|No matching version found for/, // npm
      /ERR_PNPM_FETCH_404|ERR_PNPM_NO_MATCHING_VERSION/,
      /Couldn't find (any versions for|package) "/, // Yarn 1
      /\bYN0082\b|Response Code: 404/, // Yarn 2+
      /^error: package "[^"]+" not found|^error: GET \S+ - 404\b|No version matching "[^"]+" found for specifier/, // Bun
    ],
    explain: (_ctx, line, lines) => {
      const detail = notFoundLine(lines) ?? line;
      const registry = registryIn(detail, lines) ?? "the registry";
      return { cause: `a package or version the commit names does not exist on ${registry} (${clip(detail)})`, fix: `check the version exists on ${registry}` };
    },
  },
];

/** Transient: the same install may well pass on the next attempt. */
const NETWORK = [
  /\b(ETIMEDOUT|ESOCKETTIMEDOUT|ECONNRESET|ECONNREFUSED|EAI_AGAIN|ENOTFOUND|EPIPE|E5\d\d)\b|ERR_PNPM_META_FETCH_FAIL|ERR_PNPM_FETCH_5\d\d/,
  /socket hang up|network timeout|\b50[0-4]\b.{0,3}(Internal Server Error|Bad Gateway|Service Unavailable|Gateway Time-?out)/i,
];

export function diagnoseInstallFailure(lines: readonly string[], ctx: InstallFailureContext): InstallDiagnosis | null {
  for (const { rule, patterns, explain } of FINAL_RULES) {
    const line = lines.find((l) => patterns.some((p) => p.test(l)));
    if (line !== undefined) return { retryable: false, rule, ...explain(ctx, line, lines) };
  }
  for (const line of lines) {
    const found = NETWORK.map((p) => p.exec(line)?.[0]).find((m) => m !== undefined);
    if (found) return { retryable: true, rule: "network", cause: `a network error reaching the registry (${found})` };
  }
  return null;
}

/** The registry a line (or else the output) names: its origin, e.g. https://registry.npmjs.org/. */
function registryIn(line: string, lines: readonly string[]): string | null {
  for (const text of [line, ...lines]) {
    const url = /\bhttps?:\/\/[^\s"'`<>]+/.exec(text)?.[0];
    if (!url) continue;
    try {
      return `${new URL(url).origin}/`;
    } catch {}
  }
  return null;
}

function tlsCode(line: string): string {
  return /[A-Z_]*CERT[A-Z_]*|self[- ]signed certificate[a-z ]*|unable to get local issuer certificate|certificate has expired/i.exec(line)?.[0]?.trim() ?? "certificate error";
}

/** npm's `notsup Required: {"node":">=22"}` / pnpm's `Expected version:` line, when there is one. */
function requiredEngine(lines: readonly string[]): string | null {
  const line = lines.find((l) => /Required: \{|Expected version:|Expected version "/.test(l));
  return line ? clip(line.replace(/^.*?(Required|Expected version)/, "$1")) : null;
}

function notFoundLine(lines: readonly string[]): string | undefined {
  return lines.find((l) => /404 Not Found|No matching version|notarget|No candidates found|not found|Couldn't find|No version matching/i.test(l) && !/\bcode\b/.test(l));
}

function clip(line: string): string {
  const text = line.replace(/^\s*(npm (error|ERR!)( notarget| notsup)?|error:?|ERR_PNPM_\w+|➤ YN\d{4}: [│|]?)\s*/, "").trim();
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}
