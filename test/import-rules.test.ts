import { afterAll, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { checkImports } from "./helpers/import-rules.ts";
import { tempDir } from "./helpers/temp.ts";

const root = resolve(import.meta.dir, "..");
const planted = tempDir("pushpals-import-rules-");
afterAll(() => planted.cleanup());

test("src/ keeps the import direction of .dependency-cruiser.cjs (no rule broken, no folder cycle)", async () => {
  const report = await checkImports(root);
  expect(report.sourceModules).toBeGreaterThan(100);
  expect(report.violations).toEqual([]);
}, 30_000);

test("the rules reject planted forbidden imports, each by name, and allow the narrow exceptions", async () => {
  const files: Record<string, string> = {
    "src/core/x.ts": 'import { y } from "../server/y.ts";\nexport const x = y;\n',
    "src/core/x.test.ts": 'import "../store/migrations.ts";\nimport "../../test/helpers/fixture.ts";\n',
    "src/server/y.ts": 'import { x } from "../core/x.ts";\nexport const y = 1;\nexport const z = x;\n',
    "src/server/main.ts": "export const serve = 1;\n",
    "src/api/schemas.ts": "export type Wire = { id: string };\n",
    "src/store/sqlite-store.ts": 'import type { Job } from "../jobs/job-types.ts";\nexport type Row = Job;\n',
    "src/store/migrations.ts": "export const migrations = [];\n",
    "src/jobs/job-types.ts": "export type Job = { id: string };\n",
    "src/jobs/job-service.ts": "export class JobService {}\n",
    "src/cli/commands/audit.ts": 'import "../../store/sqlite-store.ts";\nimport "../../store/migrations.ts";\n',
    "src/cli/commands/jobs.ts": 'import "../../store/sqlite-store.ts";\nimport "../../server/y.ts";\n',
    "src/cli/commands/serve.ts": 'import "../../server/main.ts";\n',
    "src/client/c.ts": 'import type { Wire } from "../api/schemas.ts";\nimport type { Job } from "../jobs/job-types.ts";\nexport type C = Wire | Job;\n',
    "src/runtime/w.ts": 'import "../jobs/job-service.ts";\n',
    "src/runtime/paths.ts": "export type RuntimePaths = { dir: string };\n",
    "src/sandbox/s.ts": 'import type { RuntimePaths } from "../runtime/paths.ts";\nexport type S = RuntimePaths;\n',
    "src/review/r.ts": 'import "../../test/helpers/fixture.ts";\n',
    "src/agents/a.ts": 'import "../missing.ts";\n',
    "test/helpers/fixture.ts": "export const fixture = 1;\n",
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(planted.path, path)), { recursive: true });
    writeFileSync(join(planted.path, path), text);
  }
  copyFileSync(join(root, ".dependency-cruiser.cjs"), join(planted.path, ".dependency-cruiser.cjs"));

  const report = await checkImports(planted.path);
  expect(report.violations.sort()).toEqual([
    "cli-database-exception-is-narrow: src/cli/commands/audit.ts → src/store/migrations.ts",
    "cli-not-to-server-internals: src/cli/commands/jobs.ts → src/server/y.ts",
    "cli-not-to-store: src/cli/commands/jobs.ts → src/store/sqlite-store.ts",
    "client-only-through-http: src/client/c.ts → src/jobs/job-types.ts",
    "core-is-the-ground-floor: src/core/x.ts → src/server/y.ts",
    "domain-not-to-processes: src/sandbox/s.ts → src/runtime/paths.ts",
    "fixtures-never-ship: src/review/r.ts → test/helpers/fixture.ts",
    "no-folder-cycles: src/core → src/server (src/core → src/server → src/core)",
    "no-folder-cycles: src/server → src/core (src/server → src/core → src/server)",
    "no-module-cycles: src/core/x.ts → src/server/y.ts (src/core/x.ts → src/server/y.ts → src/core/x.ts)",
    "resolvable: src/agents/a.ts → ../missing.ts",
    "store-only-on-core: src/store/sqlite-store.ts → src/jobs/job-types.ts",
    "top-level-folder-cycle: core, server",
    "workers-agents-through-api: src/runtime/w.ts → src/jobs/job-service.ts",
  ]);
}, 30_000);
