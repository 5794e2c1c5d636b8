import { describe, expect, test } from "bun:test";
import { filesNamedInOutput } from "./files-in-output.ts";

const TRACKED = ["src/a.js", "src/b.ts", "a.js", "lib/deep/c.css", "test/d.test.ts", "docs/with space.md", "package.json"];
const ROOT = "/home/x/repo/.git/pushpals/worktrees/job_01/a1-checks";

interface Row {
  name: string;
  output: string;
  files: string[];
  complete: boolean;
}

const ROWS: Row[] = [
  {
    name: "eslint stylish, absolute paths under the checkout, npm's banner: whole",
    output: [`> t@1.0.0 lint`, `> eslint .`, ``, `${ROOT}/src/a.js`, `  1:7  error  'x' is assigned a value but never used  no-unused-vars`, ``, `${ROOT}/src/b.ts`, `  3:1  warning  Unexpected console statement  no-console`, ``, `✖ 2 problems (1 error, 1 warning)`].join("\n"),
    files: ["src/a.js", "src/b.ts"],
    complete: true,
  },
  {
    name: "eslint stylish cut from the top: its summary counts more problems than it shows",
    output: [`  2:1  error  x  semi`, ``, `${ROOT}/src/b.ts`, `  3:1  error  Missing semicolon  semi`, ``, `✖ 9 problems (9 errors, 0 warnings)`].join("\n"),
    files: ["src/b.ts"],
    complete: false,
  },
  {
    name: "eslint stylish without the banner whose summary agrees",
    output: [`${ROOT}/src/b.ts`, `  3:1  error  Missing semicolon  semi`, `  4:1  error  Missing semicolon  semi`, ``, `✖ 2 problems (2 errors, 0 warnings)`].join("\n"),
    files: ["src/b.ts"],
    complete: true,
  },
  {
    name: "an absolute path is the longest tracked path it ends with",
    output: `${ROOT}/src/a.js\n  1:1  error  x  semi`,
    files: ["src/a.js"],
    complete: false,
  },
  {
    name: "eslint unix format with its count",
    output: [`${ROOT}/src/a.js:1:7: 'x' is assigned a value but never used. [Error/no-unused-vars]`, `${ROOT}/lib/deep/c.css:2:1: bad [Error/x]`, ``, `2 problems`].join("\n"),
    files: ["src/a.js", "lib/deep/c.css"],
    complete: true,
  },
  {
    name: "eslint compact format",
    output: `${ROOT}/src/a.js: line 1, col 7, Error - 'x' is assigned a value but never used. (no-unused-vars)\n\n1 problem`,
    files: ["src/a.js"],
    complete: false,
  },
  {
    name: "prettier --check, relative, with its summary",
    output: ["Checking formatting...", "[warn] src/a.js", "[warn] docs/with space.md", "[warn] Code style issues found in 2 files. Run Prettier with --write to fix."].join("\n"),
    files: ["src/a.js", "docs/with space.md"],
    complete: true,
  },
  {
    name: "prettier cut: the summary counts more files",
    output: ["[warn] src/a.js", "[warn] Code style issues found in 7 files. Run Prettier with --write to fix."].join("\n"),
    files: ["src/a.js"],
    complete: false,
  },
  {
    name: "prettier's one file",
    output: ["[warn] src/b.ts", "[warn] Code style issues found in the above file. Run Prettier with --write to fix."].join("\n"),
    files: ["src/b.ts"],
    complete: true,
  },
  {
    name: "prettier's parse error names the file",
    output: "[error] src/a.js: SyntaxError: Unexpected token (1:5)",
    files: ["src/a.js"],
    complete: false,
  },
  {
    name: "prettier --list-different: bare paths",
    output: "src/a.js\n./src/b.ts",
    files: ["src/a.js", "src/b.ts"],
    complete: false,
  },
  {
    name: "biome: path:line:col and position-less headers, colours stripped",
    output: ["$ biome check .", "\u001b[1m./src/a.js:1:1 lint/style/useConst\u001b[0m FIXABLE  ━━━━━━━━━━", "  × This let declares a variable that is only assigned once.", "src/b.ts format ━━━━━━━━━━━━━━━━", "Checked 3 files in 2ms. No fixes applied.", "Found 2 errors."].join("\n"),
    files: ["src/a.js", "src/b.ts"],
    complete: true,
  },
  {
    name: "tsc-style positions",
    output: "src/b.ts(3,7): error TS2322: Type 'string' is not assignable to type 'number'.",
    files: ["src/b.ts"],
    complete: false,
  },
  {
    name: "untracked paths, node_modules and paths outside name nothing",
    output: ["/usr/lib/node_modules/eslint/lib/cli.js:12:3: boom", "../outside/src/a.js:1:1: x", "src/nope.js:1:1: x", "Oops! Something went wrong!"].join("\n"),
    files: [],
    complete: false,
  },
  {
    name: "a file named twice is listed once",
    output: "src/a.js:1:1: x\nsrc/a.js:2:1: y\n\n2 problems",
    files: ["src/a.js"],
    complete: true,
  },
  {
    name: "a root file and one of the same name deeper are told apart",
    output: `${ROOT}/a.js:1:1: x\n${ROOT}/src/a.js:1:1: y`,
    files: ["a.js", "src/a.js"],
    complete: false,
  },
];

describe("filesNamedInOutput", () => {
  for (const row of ROWS) {
    test(row.name, () => {
      expect(filesNamedInOutput(row.output, TRACKED)).toEqual({ files: row.files, complete: row.complete });
    });
  }

  test("no files named is never complete", () => {
    expect(filesNamedInOutput("> t@1.0.0 lint\n> eslint .\nboom", TRACKED)).toEqual({ files: [], complete: false });
  });
});
