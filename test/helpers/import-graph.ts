/**
 * Prints the top-level folder graph of src/ as dependency-cruiser sees it (type-only imports included,
 * test files left out), its mutual pairs and cycles, then every broken import rule:
 * `npm run imports` (or `bun test/helpers/import-graph.ts [repo-root]`). Exits 1 when a rule is broken.
 */
import { resolve } from "node:path";
import { checkImports } from "./import-rules.ts";

const root = resolve(process.argv[2] ?? resolve(import.meta.dir, "../.."));
const report = await checkImports(root);
for (const [folder, targets] of [...report.folders].sort(([a], [b]) => a.localeCompare(b))) {
  console.log(`${folder} -> ${[...targets].sort().join(" ")}`);
}
console.log("--- mutual pairs");
for (const [folder, targets] of report.folders) {
  for (const target of targets) if (folder < target && report.folders.get(target)?.has(folder)) console.log(`${folder} <-> ${target}`);
}
console.log("--- folder cycles (strongly connected groups)");
for (const group of report.folderCycles) console.log(group.join(" "));
console.log(`--- import rule violations: ${report.violations.length} (${report.sourceModules} modules of src/ cruised)`);
for (const line of report.violations) console.log(line);
process.exitCode = report.violations.length > 0 ? 1 : 0;
