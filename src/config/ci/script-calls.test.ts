import { describe, expect, test } from "bun:test";
import { parseShellCalls, type ShellCall } from "./script-calls.ts";
import { programOf, splitCommands } from "./shell-words.ts";

const script = (runner: string, name: string, workspaces = false): ShellCall => ({ kind: "script", runner, script: name, workspaces }) as ShellCall;
const callsOf = (text: string) => parseShellCalls(text).map((c) => c.calls);

describe("package-script calls in one command", () => {
  test.each<[string, ShellCall[]]>([
    ["npm test", [script("npm", "test")]],
    ["npm t", [script("npm", "test")]],
    ["npm run lint", [script("npm", "lint")]],
    ["npm run-script check:type", [script("npm", "check:type")]],
    ["npm run --silent lint -- --max-warnings=0", [script("npm", "lint")]],
    ["npm run lint --if-present", [script("npm", "lint")]],
    ["npm test --workspaces", [script("npm", "test", true)]],
    ["npm run build -w packages/app", [script("npm", "build", true)]],
    ["npm cit", [{ kind: "install", runner: "npm" }, script("npm", "test")]],
    ["pnpm test", [script("pnpm", "test")]],
    ["pnpm lint", [script("pnpm", "lint")]],
    ["pnpm run typecheck", [script("pnpm", "typecheck")]],
    ["pnpm -r test", [script("pnpm", "test", true)]],
    ["pnpm --filter web run build", [script("pnpm", "build", true)]],
    ["pnpm -r --parallel run lint", [script("pnpm", "lint", true)]],
    ["yarn test", [script("yarn", "test")]],
    ["yarn lint", [script("yarn", "lint")]],
    ["yarn run check", [script("yarn", "check")]],
    ["yarn workspaces foreach -A run test", [script("yarn", "test", true)]],
    ["yarn workspace @acme/web lint", [script("yarn", "lint", true)]],
    ["bun run lint", [script("bun", "lint")]],
    ["bun lint", [script("bun", "lint")]],
    ["bun run --filter '*' test", [script("bun", "test", true)]],
    ["run-s lint check:*", [script("npm", "lint"), script("npm", "check:*")]],
    ["npm-run-all --parallel lint test", [script("npm", "lint"), script("npm", "test")]],
    ["CI=true FORCE_COLOR=0 npm test", [script("npm", "test")]],
    ["env NODE_ENV=test npm test", [script("npm", "test")]],
  ])("`%s`", (line, calls) => {
    expect(callsOf(line)).toEqual([calls]);
  });

  test.each<[string, ShellCall]>([
    ["npm ci", { kind: "install", runner: "npm" }],
    ["npm install --no-audit", { kind: "install", runner: "npm" }],
    ["pnpm install --frozen-lockfile", { kind: "install", runner: "pnpm" }],
    ["yarn", { kind: "install", runner: "yarn" }],
    ["yarn --frozen-lockfile", { kind: "install", runner: "yarn" }],
    ["bun install", { kind: "install", runner: "bun" }],
    ["npx eslint .", { kind: "exec", tool: "eslint" }],
    ["npx -y playwright install --with-deps", { kind: "exec", tool: "playwright" }],
    ["pnpm exec tsc --noEmit", { kind: "exec", tool: "tsc" }],
    ["yarn dlx prettier --check .", { kind: "exec", tool: "prettier" }],
    ["bunx tsc", { kind: "exec", tool: "tsc" }],
    ["bun test", { kind: "bun-test" }],
    ["bun run scripts/build.ts", { kind: "other", program: "bun" }],
    ["npm publish", { kind: "other", program: "npm" }],
    ["pnpm audit", { kind: "other", program: "pnpm" }],
    ["go test ./...", { kind: "other", program: "go" }],
  ])("`%s` is not a script call", (line, call) => {
    expect(callsOf(line)).toEqual([[call]]);
  });
});

describe("shell lines with several commands", () => {
  test("`&&`, `||`, `;`, pipes and newlines split commands; quotes and redirections do not", () => {
    const parsed = parseShellCalls('npm ci && npm run lint || echo "a && b; c" ; npm test 2>&1 | tee out.log\nnpm run build');
    expect(parsed.map((c) => c.text)).toEqual(["npm ci", "npm run lint", 'echo "a && b; c"', "npm test 2>&1", "tee out.log", "npm run build"]);
  });

  test("a multi-line run block: continuations, comments and blank lines", () => {
    const parsed = parseShellCalls("# set up\nnpm ci\n\nnpm run check:type \\\n  --pretty  # types\nnpm test\n");
    expect(parsed.map((c) => c.text)).toEqual(["npm ci", "npm run check:type --pretty", "npm test"]);
    expect(parsed.map((c) => c.calls[0]!.kind)).toEqual(["install", "script", "script"]);
  });

  test("`cd sub` moves the commands after it; `cd .` or `cd $GITHUB_WORKSPACE` is the root again; --prefix and -C too", () => {
    const parsed = parseShellCalls("npm test\ncd packages/web\nnpm test\ncd $GITHUB_WORKSPACE\nnpm test\nnpm --prefix docs run build\npnpm -C site lint");
    expect(parsed.map((c) => c.dir)).toEqual([null, "packages/web", null, "docs", "site"]);
  });

  test("`$(...)` stays inside its word", () => {
    expect(splitCommands("echo $(git rev-parse HEAD && date); npm test").map((c) => c.words)).toEqual([["echo", "$(git rev-parse HEAD && date)"], ["npm", "test"]]);
  });

  test.each([
    ["go test ./...", "go"],
    ["CGO_ENABLED=0 go test ./...", "go"],
    ["env -i PATH=/bin python3 -m pytest", "python3"],
    ["time cargo test", "cargo"],
    ["./gradlew test", "./gradlew"],
    ["", null],
  ])("the program of `%s` is %p", (line, program) => {
    expect(programOf(line)).toBe(program);
  });
});
