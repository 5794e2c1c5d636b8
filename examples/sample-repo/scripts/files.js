// Lists the repository's own files for the lint, format and typecheck scripts.
import { readdirSync } from "node:fs";
import { join } from "node:path";

/**
 * Every file under the given folders whose name ends with one of the extensions, sorted.
 *
 * @param {string[]} dirs
 * @param {string[]} [extensions]
 * @returns {string[]}
 */
export function listFiles(dirs, extensions = [".js"]) {
  /** @type {string[]} */
  const found = [];
  /** @param {string} dir */
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (extensions.some((ext) => entry.name.endsWith(ext))) found.push(path);
    }
  };
  dirs.forEach(walk);
  return found.sort();
}

/**
 * Prints the problems and sets the exit code; quiet when there are none.
 *
 * @param {string} tool
 * @param {string[]} problems
 * @param {number} fileCount
 */
export function report(tool, problems, fileCount) {
  for (const problem of problems) process.stderr.write(`${problem}\n`);
  const summary = `${tool}: ${fileCount} files, ${problems.length} problem${problems.length === 1 ? "" : "s"}`;
  process.stdout.write(`${summary}\n`);
  if (problems.length > 0) process.exitCode = 1;
}
