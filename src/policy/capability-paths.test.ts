import { expect, test } from "bun:test";
import type { DiffFile } from "./classify-input.ts";
import { classifyRisk } from "./classify-risk.ts";
import { DEFAULT_POLICY } from "./policy-defaults.ts";

// Issue #12, gap 3: every file that makes code run at install, commit, editor open, CI or test time is a
// protected path by default, in any letter case, and deleting or renaming one away is a protected change.
const f = (path: string, extra: Partial<DiffFile> = {}): DiffFile => ({ path, status: "modified", additions: 1, deletions: 0, ...extra });
const tierOf = (files: DiffFile[]) => classifyRisk({ files }, DEFAULT_POLICY);

const RUNS_CODE = [
  // CI of other providers
  ".travis.yml",
  "bitbucket-pipelines.yml",
  ".drone.yml",
  ".woodpecker.yml",
  ".gitea/workflows/ci.yaml",
  ".forgejo/workflows/ci.yml",
  // git hook managers
  ".husky/pre-commit",
  "lefthook.yml",
  ".lefthook.yaml",
  ".simple-git-hooks.json",
  ".pre-commit-config.yaml",
  ".gitattributes",
  ".gitmodules",
  // editor and shell
  ".vscode/tasks.json",
  ".vscode/settings.json",
  ".envrc",
  ".devcontainer/devcontainer.json",
  // test runners and bundlers
  "jest.config.js",
  "packages/app/vitest.config.ts",
  "vite.config.mjs",
  "playwright.config.ts",
  ".mocharc.yml",
  "babel.config.cjs",
  ".babelrc",
  "webpack.config.js",
  // containers
  "Containerfile",
  "docker/compose.yaml",
  "docker-compose.override.yml",
];

for (const path of RUNS_CODE) {
  test(`${path} is a protected path (High)`, () => {
    const result = tierOf([f(path)]);
    expect(result.tier).toBe("high");
    expect(result.reasons.map((r) => r.rule)).toContain("protected_path");
  });
}

const CASE_VARIANTS = ["src/Auth/login.ts", "SRC/AUTH/x.ts", "DOCKERFILE", "dockerfile", "services/api/DockerFile.prod", ".GitHub/Workflows/ci.yml", "Db/Migrations/001.sql", ".NPMRC", "JenkinsFile", ".Pushpals/Policy.toml"];
for (const path of CASE_VARIANTS) {
  test(`${path}: a protected path in another letter case is still protected`, () => {
    expect(tierOf([f(path)]).tier).toBe("high");
  });
}

test("deleting a protected file, or renaming it away, is a protected change", () => {
  expect(tierOf([f(".github/workflows/ci.yml", { status: "deleted", additions: 0, deletions: 10 })]).tier).toBe("high");
  const renamed = tierOf([f("docs/old-ci.yml.txt", { status: "renamed", oldPath: ".github/workflows/ci.yml" })]);
  expect(renamed.tier).toBe("high");
  expect(renamed.reasons.find((r) => r.rule === "protected_path")?.paths).toContain(".github/workflows/ci.yml");
});

test("ordinary files whose names only look alike stay Low", () => {
  for (const path of ["src/authorize.ts", "docs/jest.md", "src/vite-plugin.ts", "README.md"]) expect(tierOf([f(path)]).tier).toBe("low");
});
