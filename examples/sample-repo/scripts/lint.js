// Lint rules: no console.log or debugger left in src/, no test.only / describe.only in test/.
import { readFileSync } from "node:fs";
import { listFiles, report } from "./files.js";

/** @type {{ dirs: string[], pattern: RegExp, message: string }[]} */
const RULES = [
  { dirs: ["src"], pattern: /\bconsole\.log\s*\(/, message: "console.log left in library code" },
  { dirs: ["src", "test", "scripts"], pattern: /^\s*debugger\b/, message: "debugger statement" },
  { dirs: ["test"], pattern: /\b(test|it|describe)\.only\s*\(/, message: ".only would skip the other tests" },
];

const files = listFiles(["src", "test", "scripts"]);
/** @type {string[]} */
const problems = [];
for (const file of files) {
  const lines = readFileSync(file, "utf8").split("\n");
  for (const rule of RULES) {
    if (!rule.dirs.some((dir) => file.startsWith(`${dir}/`))) continue;
    lines.forEach((line, i) => {
      if (rule.pattern.test(line)) problems.push(`${file}:${i + 1}: ${rule.message}`);
    });
  }
}
report("lint", problems, files.length);
