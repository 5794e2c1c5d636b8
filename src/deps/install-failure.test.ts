import { describe, expect, test } from "bun:test";
import type { EcosystemId } from "../ecosystems/registry.ts";
import { diagnoseInstallFailure, type InstallDiagnosis } from "./install-failure.ts";

const LOCKFILES: Record<EcosystemId, string> = { npm: "package-lock.json", pnpm: "pnpm-lock.yaml", yarn: "yarn.lock", bun: "bun.lock" };
const R = "http://127.0.0.1:4873";

function diagnose(pm: EcosystemId, output: string): InstallDiagnosis | null {
  return diagnoseInstallFailure(output.split("\n"), { packageManager: pm, lockfile: LOCKFILES[pm] });
}

// Output as each package manager prints it (the lines around the one that matters included).
const FINAL: [string, EcosystemId, string, InstallDiagnosis["rule"], RegExp, RegExp][] = [
  [
    "npm ci, package.json ahead of the lockfile",
    "npm",
    "npm error code EUSAGE\nnpm error\nnpm error `npm ci` can only install packages when your package.json and package-lock.json or npm-shrinkwrap.json are in sync. Please update your lock file with `npm install` before continuing.\nnpm error\nnpm error Missing: lib-two@1.0.0 from lock file",
    "lockfile_out_of_sync",
    /^package-lock\.json is out of sync with package\.json$/,
    /^run npm install and commit package-lock\.json$/,
  ],
  [
    "npm 6 cipm",
    "npm",
    "npm ERR! cipm can only install packages when your package.json and package-lock.json or npm-shrinkwrap.json are in sync. Please update your lock file with `npm install` before continuing.",
    "lockfile_out_of_sync",
    /out of sync/,
    /run npm install and commit package-lock\.json/,
  ],
  [
    "pnpm frozen lockfile out of date",
    "pnpm",
    ' ERR_PNPM_OUTDATED_LOCKFILE  Cannot install with "frozen-lockfile" because pnpm-lock.yaml is not up to date with <ROOT>/package.json\n\nNote that in CI environments this setting is true by default.',
    "lockfile_out_of_sync",
    /^pnpm-lock\.yaml is out of sync with package\.json$/,
    /^run pnpm install and commit pnpm-lock\.yaml$/,
  ],
  [
    "pnpm lockfile made with other overrides",
    "pnpm",
    ' ERR_PNPM_LOCKFILE_CONFIG_MISMATCH  Cannot proceed with the frozen installation. The current "overrides" configuration doesn\'t match the value found in the lockfile',
    "lockfile_out_of_sync",
    /pnpm-lock\.yaml was made with other pnpm settings/,
    /run pnpm install and commit pnpm-lock\.yaml/,
  ],
  [
    "Yarn 1 --frozen-lockfile",
    "yarn",
    "yarn install v1.22.22\n[1/4] Resolving packages...\nerror Your lockfile needs to be updated, but yarn was run with `--frozen-lockfile`.\ninfo Visit https://yarnpkg.com/en/docs/cli/install for documentation about this command.",
    "lockfile_out_of_sync",
    /yarn\.lock is out of sync/,
    /run yarn install and commit yarn\.lock/,
  ],
  [
    "Yarn 4 --immutable",
    "yarn",
    "➤ YN0000: ┌ Resolution step\n➤ YN0085: │ + lib-two@npm:1.0.0\n➤ YN0028: │ The lockfile would have been modified by this install, which is explicitly forbidden.\n➤ YN0000: └ Completed in 0s 212ms\n➤ YN0000: · Failed with errors in 0s 215ms",
    "lockfile_out_of_sync",
    /yarn\.lock is out of sync/,
    /run yarn install/,
  ],
  ["Bun --frozen-lockfile", "bun", "bun install v1.2.19 (aad3abea)\nerror: lockfile had changes, but lockfile is frozen\nnote: try re-running without --frozen-lockfile and commit the updated lockfile", "lockfile_out_of_sync", /bun\.lock is out of sync/, /run bun install and commit bun\.lock/],
  [
    "npm, engine-strict",
    "npm",
    'npm error code EBADENGINE\nnpm error engine Unsupported engine\nnpm error engine Not compatible with your version of node/npm: lib-new@1.0.0\nnpm error notsup Not compatible with your version of node/npm: lib-new@1.0.0\nnpm error notsup Required: {"node":">=99"}\nnpm error notsup Actual:   {"node":"v20.20.2","npm":"11.0.0"}',
    "unsupported_engine",
    /does not support this worker's runtime \(Required: \{"node":">=99"\}\)/,
    /engines/,
  ],
  [
    "pnpm, engine-strict",
    "pnpm",
    ' ERR_PNPM_UNSUPPORTED_ENGINE  Unsupported environment (bad pnpm and/or Node.js version)\n\nYour Node version is incompatible with "lib-new@1.0.0".\n\nExpected version: >=99\nGot: v20.20.2',
    "unsupported_engine",
    /Expected version: >=99/,
    /engines/,
  ],
  ["Yarn 1 engines", "yarn", 'error lib-new@1.0.0: The engine "node" is incompatible with this module. Expected version ">=99". Got "20.20.2"\nerror Found incompatible module.', "unsupported_engine", /runtime/, /engines/],
  [
    "npm 401",
    "npm",
    `npm error code E401\nnpm error 401 Unauthorized - GET ${R}/@acme%2fprivate - authentication token not provided`,
    "auth",
    /the registry http:\/\/127\.0\.0\.1:4873\/ refused the request \(401 Unauthorized\)/,
    /^log in: npm login --registry http:\/\/127\.0\.0\.1:4873\//,
  ],
  ["npm 403", "npm", `npm error code E403\nnpm error 403 403 Forbidden - GET ${R}/@acme%2fprivate - you do not have access`, "auth", /403 Forbidden/, /npm login --registry http:\/\/127\.0\.0\.1:4873\//],
  ["pnpm 401", "pnpm", ` ERR_PNPM_FETCH_401  GET ${R}/@acme%2Fprivate: Unauthorized - 401\n\nNo authorization header was set for the request.`, "auth", /401 Unauthorized/, /npm login --registry http:\/\/127\.0\.0\.1:4873\//],
  ["Yarn 4 401", "yarn", "➤ YN0041: │ @acme/private@npm:^1.0.0: Invalid authentication (as an anonymous user)", "auth", /^the registry refused the request \(401 Unauthorized\)$/, /npm login --registry <the registry's URL>/],
  ["Bun 401", "bun", `error: GET ${R}/@acme%2fprivate - 401`, "auth", /401/, /npm login --registry http:\/\/127\.0\.0\.1:4873\//],
  [
    "npm behind a TLS-intercepting proxy",
    "npm",
    "npm error code SELF_SIGNED_CERT_IN_CHAIN\nnpm error errno SELF_SIGNED_CERT_IN_CHAIN\nnpm error request to https://registry.npmjs.org/lib-ok failed, reason: self-signed certificate in certificate chain",
    "tls",
    /TLS certificate of https:\/\/registry\.npmjs\.org\/ is not trusted here \(SELF_SIGNED_CERT_IN_CHAIN\)/,
    /ca/,
  ],
  ["npm, private CA", "npm", "npm error code UNABLE_TO_GET_ISSUER_CERT_LOCALLY\nnpm error errno UNABLE_TO_GET_ISSUER_CERT_LOCALLY\nnpm error request to https://npm.acme.example/lib failed, reason: unable to get local issuer certificate", "tls", /UNABLE_TO_GET_ISSUER_CERT_LOCALLY/, /set NODE_EXTRA_CA_CERTS \(or npm.s cafile\) for the worker: PushPals passes it to installs/],
  ["npm, expired certificate", "npm", "npm error code CERT_HAS_EXPIRED\nnpm error request to https://npm.acme.example/lib failed, reason: certificate has expired", "tls", /CERT_HAS_EXPIRED/, /certificate/],
  // pnpm reports it as a metadata fetch failure, which would otherwise be transient.
  ["pnpm, self-signed", "pnpm", " ERR_PNPM_META_FETCH_FAIL  GET https://npm.acme.example/lib: request to https://npm.acme.example/lib failed, reason: self-signed certificate in certificate chain", "tls", /npm\.acme\.example/, /NODE_EXTRA_CA_CERTS/],
  ["Bun, self-signed", "bun", "error: SELF_SIGNED_CERT_IN_CHAIN downloading package manifest lib-ok", "tls", /SELF_SIGNED_CERT_IN_CHAIN/, /NODE_EXTRA_CA_CERTS/],
  [
    "npm, no such package",
    "npm",
    `npm error code E404\nnpm error 404 Not Found - GET ${R}/lib-nope - no such package available\nnpm error 404\nnpm error 404  'lib-nope@^1.0.0' is not in this registry.`,
    "not_found",
    /does not exist on http:\/\/127\.0\.0\.1:4873\/ \(404 Not Found - GET http:\/\/127\.0\.0\.1:4873\/lib-nope - no such package available\)/,
    /^check the version exists on http:\/\/127\.0\.0\.1:4873\/$/,
  ],
  ["npm, no such version", "npm", "npm error code ETARGET\nnpm error notarget No matching version found for lib-ok@2.0.0.\nnpm error notarget In most cases you or one of your dependencies are requesting\nnpm error notarget a package version that doesn't exist.", "not_found", /No matching version found for lib-ok@2\.0\.0/, /check the version exists on the registry/],
  ["pnpm, no such version", "pnpm", ` ERR_PNPM_NO_MATCHING_VERSION  No matching version found for lib-ok@2.0.0 while fetching it from ${R}/\n\nThis error happened while installing a direct dependency of /tmp/x`, "not_found", /lib-ok@2\.0\.0/, /check the version exists on http:\/\/127\.0\.0\.1:4873\//],
  ["pnpm, no such package", "pnpm", ` ERR_PNPM_FETCH_404  GET ${R}/lib-nope: Not Found - 404`, "not_found", /lib-nope/, /127\.0\.0\.1:4873/],
  ["Yarn 1, no such version", "yarn", 'error Couldn\'t find any versions for "lib-ok" that matches "2.0.0"\ninfo Visit https://yarnpkg.com/en/docs/cli/install for documentation about this command.', "not_found", /lib-ok/, /check the version exists/],
  ["Yarn 4, no candidates", "yarn", "➤ YN0000: ┌ Resolution step\n➤ YN0082: │ lib-ok@npm:2.0.0: No candidates found\n➤ YN0000: └ Completed in 0s 302ms", "not_found", /No candidates found/, /check the version exists/],
  ["Yarn 4, no such package", "yarn", "➤ YN0035: │ lib-nope@npm:^1.0.0: Package not found\n➤ YN0035: │   Response Code: 404 (Not Found)\n➤ YN0035: │   Request Method: GET\n➤ YN0035: │   Request URL: https://registry.yarnpkg.com/lib-nope", "not_found", /Package not found/, /https:\/\/registry\.yarnpkg\.com\//],
  ["Bun, no such version", "bun", 'error: No version matching "2.0.0" found for specifier "lib-ok" (but package exists)\nerror: lib-ok@2.0.0 failed to resolve', "not_found", /No version matching/, /check the version exists/],
  ["Bun, no such package", "bun", `error: GET ${R}/lib-nope - 404\nerror: lib-nope@^1.0.0 failed to resolve`, "not_found", /lib-nope/, /127\.0\.0\.1:4873/],
];

describe("install output that fails the same way every time: final, with its cause and fix", () => {
  for (const [name, pm, output, rule, cause, fix] of FINAL) {
    test(name, () => {
      const d = diagnose(pm, output);
      expect(d).toMatchObject({ retryable: false, rule });
      if (d?.retryable !== false) return;
      expect(d.cause).toMatch(cause);
      expect(d.fix).toMatch(fix);
    });
  }
});

const TRANSIENT: [string, EcosystemId, string, string][] = [
  ["npm timeout", "npm", "npm error code ETIMEDOUT\nnpm error errno ETIMEDOUT\nnpm error network request to https://registry.npmjs.org/lib-ok failed, reason: connect ETIMEDOUT 104.16.0.35:443", "ETIMEDOUT"],
  ["npm reset", "npm", "npm error code ECONNRESET\nnpm error network aborted", "ECONNRESET"],
  ["npm DNS hiccup", "npm", "npm error code EAI_AGAIN\nnpm error errno EAI_AGAIN\nnpm error request to https://registry.npmjs.org/lib-ok failed, reason: getaddrinfo EAI_AGAIN registry.npmjs.org", "EAI_AGAIN"],
  ["npm 503", "npm", "npm error code E503\nnpm error 503 Service Unavailable - GET https://registry.npmjs.org/lib-ok", "E503"],
  ["pnpm 502", "pnpm", " ERR_PNPM_FETCH_502  GET https://registry.npmjs.org/lib-ok: Bad Gateway - 502", "ERR_PNPM_FETCH_502"],
  ["pnpm metadata fetch", "pnpm", " ERR_PNPM_META_FETCH_FAIL  GET https://registry.npmjs.org/lib-ok: request to https://registry.npmjs.org/lib-ok failed, reason: socket hang up", "ERR_PNPM_META_FETCH_FAIL"],
  ["Yarn 1 timeout", "yarn", 'info There appears to be trouble with your network connection. Retrying...\nerror An unexpected error occurred: "https://registry.yarnpkg.com/lib-ok: ESOCKETTIMEDOUT".', "ESOCKETTIMEDOUT"],
  ["Yarn 4 500", "yarn", "➤ YN0035: │ lib-ok@npm:^1.0.0: The remote server failed to provide the requested resource\n➤ YN0035: │   Response Code: 500 (Internal Server Error)", "Internal Server Error"],
  ["Bun refused", "bun", "error: ConnectionRefused downloading package manifest lib-ok\nerror: ECONNREFUSED", "ECONNREFUSED"],
];

describe("network trouble stays retryable", () => {
  for (const [name, pm, output, code] of TRANSIENT) {
    test(name, () => {
      const d = diagnose(pm, output);
      expect(d).toMatchObject({ retryable: true, rule: "network" });
      expect(d!.cause).toContain(code);
    });
  }
});

test("output that names no known cause is not diagnosed (the job keeps its ordinary retry)", () => {
  expect(diagnose("npm", "npm error code 1\nnpm error path /tmp/x/node_modules/native\nnpm error command failed")).toBeNull();
  // A warning is not the error: without engine-strict npm only warns and the install goes on.
  expect(diagnose("npm", "npm warn EBADENGINE Unsupported engine {\nnpm warn EBADENGINE   package: 'x@1.0.0',\nnpm error code ENOSPC")).toBeNull();
});
