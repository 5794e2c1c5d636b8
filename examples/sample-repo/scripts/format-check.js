// Format rules: LF line endings, a final newline, 2-space indents (no tabs), no trailing spaces,
// lines of at most 120 columns. Reports only: it never rewrites a file.
import { readFileSync } from "node:fs";
import { listFiles, report } from "./files.js";

const MAX_COLUMNS = 120;
const files = [
  ...listFiles(["src", "test", "scripts"], [".js"]),
  ...["package.json", "tsconfig.json", "README.md"],
];
/** @type {string[]} */
const problems = [];
for (const file of files) {
  const text = readFileSync(file, "utf8");
  if (text.includes("\r")) problems.push(`${file}: CRLF line endings (use LF)`);
  if (text.length > 0 && !text.endsWith("\n")) problems.push(`${file}: no newline at the end`);
  text.split("\n").forEach((line, i) => {
    const where = `${file}:${i + 1}`;
    if (/^\t/.test(line)) problems.push(`${where}: indented with a tab`);
    if (/[ \t]+$/.test(line)) problems.push(`${where}: trailing whitespace`);
    if (line.length > MAX_COLUMNS) problems.push(`${where}: ${line.length} columns (max ${MAX_COLUMNS})`);
  });
}
report("format", problems, files.length);
