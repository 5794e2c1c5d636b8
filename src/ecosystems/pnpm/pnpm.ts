import { defineEcosystem } from "../common/api.ts";
import { NODE_VERSION_COMMAND, PACKAGE_JSON, scriptRunner } from "../common/package-json.ts";
import { pnpmImpliedRange } from "./pnpm-version.ts";

export const pnpm = defineEcosystem({
  id: "pnpm",
  lockfiles: ["pnpm-lock.yaml"],
  loadLockfileParser: async () => (await import("./pnpm-lockfile.ts")).parsePnpmLockfile,
  manifests: [PACKAGE_JSON],
  detect: { packageManagerField: "pnpm" },
  // A committed .pnpmfile.cjs is code pnpm runs during the install: a scripts-off install runs none of it.
  frozenInstall: ({ allowScripts }) => ({ command: ["pnpm", "install", "--frozen-lockfile", ...(allowScripts ? [] : ["--ignore-scripts", "--ignore-pnpmfile"])].join(" "), env: {} }),
  lockfileUpdate: () => ({ command: "pnpm install --lockfile-only --no-frozen-lockfile --ignore-scripts --ignore-pnpmfile", env: {} }),
  versionCommand: "pnpm --version",
  runtimeVersionCommand: NODE_VERSION_COMMAND,
  runScript: scriptRunner("pnpm", { testSubcommand: true }),
  setupHint: 'pin it in package.json ("packageManager": "pnpm@<version>"): PushPals then fetches exactly that version from your npm registry',
  provision: { npmPackage: () => "pnpm", entry: { nodeBin: "pnpm" }, impliedRange: pnpmImpliedRange },
});
