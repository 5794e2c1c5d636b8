import { defineEcosystem } from "../common/api.ts";
import { NODE_VERSION_COMMAND, PACKAGE_JSON, scriptRunner } from "../common/package-json.ts";

export const npm = defineEcosystem({
  id: "npm",
  lockfiles: ["package-lock.json", "npm-shrinkwrap.json"],
  loadLockfileParser: async () => (await import("./npm-lockfile.ts")).parseNpmLockfile,
  manifests: [PACKAGE_JSON],
  detect: { packageManagerField: "npm", fallback: true },
  frozenInstall: ({ allowScripts }) => ({ command: ["npm", "ci", ...(allowScripts ? [] : ["--ignore-scripts"]), "--no-audit", "--no-fund"].join(" "), env: {} }),
  lockfileUpdate: () => ({ command: "npm install --package-lock-only --ignore-scripts --no-audit --no-fund", env: {} }),
  versionCommand: "npm --version",
  runtimeVersionCommand: NODE_VERSION_COMMAND,
  runScript: scriptRunner("npm", { testSubcommand: true }),
});
