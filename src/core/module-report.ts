import { writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Diagnostics: with `PUSHPALS_DEBUG_MODULES_DIR` set (by the user, for the supervisor and so for its
 * children, or for one CLI command), a process writes the modules it loaded to `<dir>/<role>-<pid>.json`
 * when it exits. It is how a test proves a WorkerPal never loads another role's modules, and that
 * `pushpals status` never loads the config.
 */
export function reportModulesOnExit(role: string): void {
  const dir = process.env.PUSHPALS_DEBUG_MODULES_DIR;
  if (!dir) return;
  process.on("exit", () => {
    const modules = Object.keys(require.cache);
    try {
      writeFileSync(join(dir, `${role}-${process.pid}.json`), JSON.stringify({ role, argv: process.argv.slice(2), modules }), { flag: "wx", mode: 0o600 });
    } catch {}
  });
}
