import { afterAll, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/temp.ts";
import { detectProject } from "./detect.ts";
import { listWorkspaces } from "./workspaces.ts";

const dirs: { cleanup: () => void }[] = [];
afterAll(() => dirs.forEach((d) => d.cleanup()));

function project(files: Record<string, string>): string {
  const dir = tempDir("pushpals-workspaces-");
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir.path, name, ".."), { recursive: true });
    writeFileSync(join(dir.path, name), content);
  }
  return dir.path;
}

const pkg = (scripts: Record<string, string>, extra: Record<string, unknown> = {}) => JSON.stringify({ name: "x", scripts, ...extra });

test("workspaces from package.json (array or { packages }) and pnpm-workspace.yaml; ! excludes; node_modules and folders without a manifest are none", () => {
  const files = {
    "packages/a/package.json": pkg({}),
    "packages/b/package.json": pkg({}),
    "packages/skip/package.json": pkg({}),
    "packages/empty/README.md": "",
    "apps/web/package.json": pkg({}),
    "apps/web/node_modules/dep/package.json": pkg({}),
  };
  const root = project(files);
  expect(listWorkspaces(root, { workspaces: ["packages/*", "./apps/*/", "!packages/skip"] }).map((w) => w.dir)).toEqual(["apps/web", "packages/a", "packages/b"]);
  expect(listWorkspaces(root, { workspaces: { packages: ["apps/*"] } }).map((w) => w.dir)).toEqual(["apps/web"]);
  const pnpm = project({ ...files, "pnpm-workspace.yaml": "packages:\n  - 'packages/*'\n  - '!**/skip'\n" });
  expect(listWorkspaces(pnpm, {}).map((w) => w.dir)).toEqual(["packages/a", "packages/b"]);
  expect(listWorkspaces(root, {})).toEqual([]);
});

test("a monorepo whose root has no checks gets each workspace's, named by folder and run there; a root with checks keeps its own", () => {
  const files = {
    "package.json": pkg({ dev: "turbo dev" }, { workspaces: ["packages/*"] }),
    "package-lock.json": "{}",
    "packages/core/package.json": pkg({ test: "node --test", lint: "eslint .", "lint:fix": "eslint --fix ." }),
    "packages/my app/package.json": pkg({ build: "tsc" }),
  };
  const d = detectProject(project(files));
  expect(d.checks).toEqual([
    { name: "lint (packages/core)", run: "cd packages/core && npm run lint" },
    { name: "test (packages/core)", run: "cd packages/core && npm test" },
    { name: "build (packages/my app)", run: "cd 'packages/my app' && npm run build" },
  ]);
  expect(d.notes.join("\n")).toContain("each workspace's own are configured");
  const withRoot = detectProject(project({ ...files, "package.json": pkg({ test: "npm test --workspaces" }, { workspaces: ["packages/*"] }) }));
  expect(withRoot.checks).toEqual([{ name: "test", run: "npm test" }]);
});
