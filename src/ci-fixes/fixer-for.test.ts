import { describe, expect, test } from "bun:test";
import type { EcosystemId } from "../ecosystems/registry.ts";
import { fixerFor, fixVariants } from "./fixer-for.ts";

const lint = { name: "lint", run: "npm run lint" };

interface Row {
  name: string;
  check?: { name: string; run: string };
  scripts: Record<string, string>;
  pm?: EcosystemId;
  files?: string[];
  /** The planned command, or a fragment of the reason there is none. */
  command?: string;
  reason?: string;
  scoped?: boolean;
  source?: "script" | "tool";
}

const ROWS: Row[] = [
  // (a) a fix variant of the check's script, through the repository's package manager
  { name: "lint -> lint:fix", scripts: { lint: "eslint .", "lint:fix": "eslint . --fix" }, command: "npm run lint:fix", source: "script" },
  { name: "lint -> lint-fix", scripts: { lint: "eslint .", "lint-fix": "eslint --fix ." }, command: "npm run lint-fix" },
  { name: "lint -> fix:lint", scripts: { lint: "eslint .", "fix:lint": "eslint --fix ." }, command: "npm run fix:lint" },
  { name: "lint:fix preferred over lint-fix", scripts: { lint: "x", "lint-fix": "y", "lint:fix": "z" }, command: "npm run lint:fix" },
  { name: "format:check -> format:write", check: { name: "format", run: "npm run format:check" }, scripts: { "format:check": "prettier --check .", "format:write": "prettier --write .", format: "prettier --write ." }, command: "npm run format:write" },
  { name: "format:check -> format", check: { name: "format", run: "npm run format:check" }, scripts: { "format:check": "prettier --check .", format: "prettier --write ." }, command: "npm run format" },
  { name: "check:format -> format", check: { name: "format", run: "npm run check:format" }, scripts: { "check:format": "prettier -c .", format: "prettier -w ." }, command: "npm run format" },
  { name: "prettier:check -> prettier:write", check: { name: "style", run: "npm run prettier:check" }, scripts: { "prettier:check": "prettier -c .", "prettier:write": "prettier -w ." }, command: "npm run prettier:write" },
  { name: "fmt:check -> fmt", check: { name: "fmt", run: "npm run fmt:check" }, scripts: { "fmt:check": "prettier -c .", fmt: "prettier -w ." }, command: "npm run fmt" },
  { name: "lint:check is not fixed by lint", check: { name: "lint", run: "npm run lint:check" }, scripts: { "lint:check": "node lint.js", lint: "node lint.js --quiet" }, reason: "`node` is not a linter or formatter" },
  { name: "a fix script identical to the check is no fix", scripts: { lint: "node lint.js", "lint:fix": "node lint.js" }, reason: 'no fix script for "lint"' },
  { name: "pnpm runs it its way", check: { name: "lint", run: "pnpm lint" }, pm: "pnpm", scripts: { lint: "eslint .", "lint:fix": "eslint --fix ." }, command: "pnpm run lint:fix" },
  { name: "yarn", check: { name: "lint", run: "yarn lint" }, pm: "yarn", scripts: { lint: "eslint .", "lint:fix": "eslint --fix ." }, command: "yarn run lint:fix" },
  { name: "bun", check: { name: "lint", run: "bun run lint" }, pm: "bun", scripts: { lint: "eslint .", "lint:fix": "eslint --fix ." }, command: "bun run lint:fix" },
  { name: "a fix script runs as written: the files are not appended", scripts: { lint: "eslint src", "lint:fix": "eslint src --fix" }, files: ["src/a.js"], command: "npm run lint:fix", scoped: false },
  { name: "a script with operators still gets its fix script", scripts: { lint: "eslint . && stylelint '**/*.css'", "lint:fix": "eslint --fix . && stylelint --fix '**/*.css'" }, command: "npm run lint:fix" },

  // (b) the fix mode of the tool the check's script calls
  { name: "eslint: --fix appended", scripts: { lint: "eslint ." }, command: "npm exec --no -- eslint . --fix", source: "tool", scoped: false },
  { name: "eslint already fixing keeps one --fix", scripts: { lint: "eslint --fix-dry-run ." }, command: "npm exec --no -- eslint . --fix" },
  { name: "eslint scoped: targets replaced by the files", scripts: { lint: "eslint --ext .js,.ts --max-warnings 0 src test" }, files: ["src/a.js", "test/b.ts"], command: "npm exec --no -- eslint --ext .js,.ts --max-warnings 0 src/a.js test/b.ts --fix", scoped: true },
  { name: "eslint with an unknown flag stays unscoped", scripts: { lint: "eslint --frobnicate x src" }, files: ["src/a.js"], command: "npm exec --no -- eslint --frobnicate x src --fix", scoped: false },
  { name: "eslint with --flag=value is scoped", scripts: { lint: "eslint --max-warnings=0 --no-eslintrc ." }, files: ["a b.js"], command: "npm exec --no -- eslint --max-warnings=0 --no-eslintrc 'a b.js' --fix", scoped: true },
  { name: "the check's own arguments reach the tool", check: { name: "lint", run: "npm run lint -- --max-warnings 0" }, scripts: { lint: "eslint ." }, command: "npm exec --no -- eslint . --max-warnings 0 --fix" },
  { name: "prettier --check -> --write", check: { name: "format", run: "npm run format:check" }, scripts: { "format:check": 'prettier --check "src/**/*.{ts,tsx}"' }, command: "npm exec --no -- prettier 'src/**/*.{ts,tsx}' --write" },
  { name: "prettier -c scoped", check: { name: "format", run: "npm run format:check" }, scripts: { "format:check": "prettier -c --ignore-path .gitignore ." }, files: ["src/a.ts"], command: "npm exec --no -- prettier --ignore-path .gitignore src/a.ts --write", scoped: true },
  { name: "prettier -l -> --write", check: { name: "format", run: "npm run format:check" }, scripts: { "format:check": "prettier -l ." }, command: "npm exec --no -- prettier . --write" },
  { name: "prettier without --check is no check", check: { name: "format", run: "npm run format:check" }, scripts: { "format:check": "prettier ." }, reason: "without --check" },
  { name: "biome check -> --write", scripts: { lint: "biome check ./src" }, command: "npm exec --no -- biome check ./src --write" },
  { name: "biome lint scoped", scripts: { lint: "biome lint --max-diagnostics 50 src" }, files: ["src/a.ts"], command: "npm exec --no -- biome lint --max-diagnostics 50 src/a.ts --write", scoped: true },
  { name: "biome format", check: { name: "format", run: "npm run format:check" }, scripts: { "format:check": "biome format ." }, command: "npm exec --no -- biome format . --write" },
  { name: "biome ci -> check --write", scripts: { lint: "biome ci ." }, command: "npm exec --no -- biome check . --write" },
  { name: "biome with --apply keeps it", scripts: { lint: "biome check --apply ." }, command: "npm exec --no -- biome check --apply ." },
  { name: "biome's other subcommands are not checks", scripts: { lint: "biome migrate" }, reason: "is not one of biome's checks" },
  { name: "standard --fix", scripts: { lint: "standard" }, files: ["index.js"], command: "npm exec --no -- standard index.js --fix", scoped: true },
  { name: "semistandard --fix", scripts: { lint: "semistandard src/" }, command: "npm exec --no -- semistandard src/ --fix" },
  { name: "xo --fix", scripts: { lint: "xo" }, command: "npm exec --no -- xo --fix" },
  { name: "stylelint --fix", scripts: { lint: "stylelint '**/*.css'" }, command: "npm exec --no -- stylelint '**/*.css' --fix" },
  { name: "environment assignments are kept, quoted as assignments", scripts: { lint: "TIMING=1 ESLINT_USE_FLAT_CONFIG='true x' eslint ." }, command: "TIMING=1 ESLINT_USE_FLAT_CONFIG='true x' npm exec --no -- eslint . --fix" },
  { name: "node_modules/.bin path", scripts: { lint: "./node_modules/.bin/eslint ." }, command: "npm exec --no -- eslint . --fix" },
  { name: "another path is not the tool", scripts: { lint: "./tools/eslint ." }, reason: "is not a linter or formatter" },
  { name: "a script that calls another is followed", scripts: { lint: "npm run lint:js", "lint:js": "eslint src" }, files: ["src/a.js"], command: "npm exec --no -- eslint src/a.js --fix", scoped: true },
  { name: "the inner script's own fix variant", scripts: { lint: "pnpm lint:js", "lint:js": "eslint src", "lint:js:fix": "eslint src --fix" }, command: "npm run lint:js:fix" },
  { name: "pnpm exec", scripts: { lint: "pnpm exec eslint ." }, pm: "pnpm", command: "pnpm exec eslint . --fix" },
  { name: "yarn runs the bin", scripts: { lint: "eslint ." }, pm: "yarn", check: { name: "lint", run: "yarn lint" }, command: "yarn run eslint . --fix" },
  { name: "yarn cannot run a bin that is also a script", scripts: { lint: "eslint .", eslint: "echo hi" }, pm: "yarn", check: { name: "lint", run: "yarn lint" }, reason: '"eslint" is also a script' },
  { name: "bun", scripts: { lint: "eslint ." }, pm: "bun", check: { name: "lint", run: "bun run lint" }, command: "bun run eslint . --fix" },

  // the check calling the tool directly
  { name: "npx eslint", check: { name: "lint", run: "npx eslint ." }, scripts: {}, command: "npm exec --no -- eslint . --fix", scoped: false },
  { name: "npx --no-install prettier@3", check: { name: "fmt", run: "npx --no-install prettier@3.3.3 --check ." }, scripts: {}, command: "npm exec --no -- prettier . --write" },
  { name: "npx @biomejs/biome", check: { name: "lint", run: "npx @biomejs/biome@1.9.4 lint ." }, scripts: {}, command: "npm exec --no -- biome lint . --write" },
  { name: "npm exec -- eslint", check: { name: "lint", run: "npm exec -- eslint ." }, scripts: {}, pm: "pnpm", command: "pnpm exec eslint . --fix" },

  // refused: what PushPals cannot reason about
  { name: "&& without a fix script", scripts: { lint: "eslint . && tsc" }, reason: "is not one simple command" },
  { name: "a pipe", scripts: { lint: "eslint . | tee out" }, reason: "is not one simple command" },
  { name: "a substitution", scripts: { lint: "eslint $(git ls-files '*.js')" }, reason: "is not one simple command" },
  { name: "a variable", scripts: { lint: "eslint $DIRS" }, reason: "is not one simple command" },
  { name: "a redirection", scripts: { lint: "eslint . > report.txt" }, reason: "is not one simple command" },
  { name: "the check itself with operators", check: { name: "lint", run: "npm run lint && npm run format:check" }, scripts: { lint: "eslint ." }, reason: "is not one simple command" },
  { name: "a missing script", scripts: {}, reason: 'package.json has no "lint" script' },
  { name: "an unknown tool", scripts: { lint: "tslint -p ." }, reason: "`tslint` is not a linter or formatter" },
  { name: "a wrapper command", scripts: { lint: "cross-env X=1 eslint ." }, reason: "through `cross-env`" },
  { name: "workspaces", check: { name: "lint", run: "pnpm -r lint" }, scripts: { lint: "eslint ." }, pm: "pnpm", reason: "options PushPals cannot read" },
  { name: "not a script call", check: { name: "lint", run: "make lint" }, scripts: {}, reason: "`make` is not a linter or formatter" },
  { name: "arguments to a script that calls a script", check: { name: "lint", run: "npm run lint -- --fix" }, scripts: { lint: "npm run lint:js", "lint:js": "eslint ." }, reason: "passes arguments to a script that calls another script" },
  { name: "scripts calling each other forever", scripts: { lint: "npm run lint" }, reason: "more than 4 deep" },
];

describe("fixerFor", () => {
  for (const row of ROWS) {
    test(row.name, () => {
      const planned = fixerFor(row.check ?? lint, row.scripts, row.pm ?? "npm", row.files ?? []);
      if (row.reason !== undefined) {
        expect(planned.fixer).toBeNull();
        expect(planned.reason).toContain(row.reason);
        return;
      }
      expect(planned.reason).toBeUndefined();
      expect(planned.fixer?.command).toBe(row.command!);
      if (row.scoped !== undefined) expect(planned.fixer?.scoped).toBe(row.scoped);
      if (row.source !== undefined) expect(planned.fixer?.source).toBe(row.source);
    });
  }

  test("the fixer says where it comes from", () => {
    expect(fixerFor(lint, { lint: "eslint .", "lint:fix": "eslint --fix ." }, "npm").fixer).toMatchObject({ source: "script", script: "lint:fix", tool: null, why: 'the package.json script "lint:fix", the fix of "lint"' });
    expect(fixerFor(lint, { lint: "eslint src" }, "npm", ["src/a.js"]).fixer).toMatchObject({ source: "tool", script: "lint", tool: "eslint", why: 'the "lint" script\'s eslint in its fix mode, on the 1 file(s) the failure named' });
    expect(fixerFor({ name: "l", run: "npx eslint ." }, {}, "npm").fixer).toMatchObject({ script: null, why: "eslint in its fix mode" });
  });

  test("fix variants of a script name", () => {
    expect(fixVariants("lint")).toEqual(["lint:fix", "lint-fix", "fix:lint"]);
    expect(fixVariants("format:check")).toEqual(["format:check:fix", "format:check-fix", "fix:format:check", "format:write", "format:fix", "format-write", "format-fix", "fix:format", "write:format", "format"]);
    expect(fixVariants("lint:check")).not.toContain("lint");
    expect(fixVariants("check:fmt")).toContain("fmt");
  });
});
