import { defineEcosystem } from "../common/api.ts";
import { NODE_VERSION_COMMAND, PACKAGE_JSON, scriptRunner } from "../common/package-json.ts";
import { bunPlatformPackage } from "./bun-platform.ts";

export const bun = defineEcosystem({
  id: "bun",
  // bun.lock is the text lockfile of Bun 1.2+; bun.lockb the binary one before it.
  lockfiles: ["bun.lock", "bun.lockb"],
  loadLockfileParser: async () => (await import("./bun-lockfile.ts")).parseBunLockfile,
  manifests: [PACKAGE_JSON],
  detect: { packageManagerField: "bun" },
  frozenInstall: ({ allowScripts }) => ({ command: ["bun", "install", "--frozen-lockfile", ...(allowScripts ? [] : ["--ignore-scripts"])].join(" "), env: {} }),
  lockfileUpdate: () => ({ command: "bun install --lockfile-only --ignore-scripts", env: {} }),
  versionCommand: "bun --version",
  runtimeVersionCommand: NODE_VERSION_COMMAND,
  // `bun test` runs Bun's own test runner, not the "test" script.
  runScript: scriptRunner("bun", { testSubcommand: false }),
  setupHint: 'PushPals runs Bun repositories on its own Bun when that version satisfies package.json ("packageManager": "bun@<version>", or engines.bun), and otherwise fetches the pinned one from your npm registry: pin an exact version',
  // Not `bun` itself: its postinstall would pick this binary package; PushPals takes the binary directly.
  provision: { npmPackage: () => bunPlatformPackage(), entry: { executable: "bin/bun" }, isRuntime: true },
});
