// Without TypeScript installed: checks the syntax of every file (`node --check`), then imports every
// src/ module so a misspelt import or export fails here rather than for the package's users.
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { listFiles, report } from "./files.js";

const files = listFiles(["src", "test", "scripts"]);
/** @type {string[]} */
const problems = [];
for (const file of files) {
  try {
    execFileSync(process.execPath, ["--check", file], { stdio: ["ignore", "ignore", "pipe"] });
  } catch (err) {
    // Node prints the offending line, a caret, then the error and its (internal) stack: keep up to the error.
    const stderr = String(/** @type {{ stderr?: Buffer }} */ (err).stderr ?? err).trim().split("\n");
    const end = stderr.findIndex((line) => /^\w*Error\b/.test(line));
    problems.push(stderr.slice(0, end === -1 ? undefined : end + 1).join("\n"));
  }
}
for (const file of files.filter((f) => f.startsWith("src/"))) {
  try {
    await import(pathToFileURL(resolve(file)).href);
  } catch (err) {
    problems.push(`${file}: ${/** @type {Error} */ (err).message}`);
  }
}
report("typecheck", problems, files.length);
