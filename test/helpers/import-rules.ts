import { join } from "node:path";
import { cruise, type ICruiseResult, type IViolation } from "dependency-cruiser";
import extractDepcruiseOptions from "dependency-cruiser/config-utl/extract-depcruise-options";

/** The import rules (see .dependency-cruiser.cjs) checked on `<root>/src`, and the folder graph they saw. */
export interface ImportReport {
  /** One line per broken rule: `rule: from → to`, with the cycle when there is one. */
  violations: string[];
  /** Top-level folders of src/ ("." for files directly in src/) and the folders each imports. */
  folders: Map<string, Set<string>>;
  /** Groups of top-level folders that import each other round (strongly connected, two or more). */
  folderCycles: string[][];
  /** How many modules of src/ were cruised: a guard against a config that silently sees nothing. */
  sourceModules: number;
}

export async function checkImports(root: string, configFile = join(root, ".dependency-cruiser.cjs")): Promise<ImportReport> {
  const options = await extractDepcruiseOptions(configFile);
  // The files to cruise are named relative to baseDir (an absolute path would be taken relative to the cwd).
  const reported = await cruise(["src"], { ...options, baseDir: root, outputType: "json" });
  const result = (typeof reported.output === "string" ? JSON.parse(reported.output) : reported.output) as ICruiseResult;
  const sources = result.modules.filter((m) => m.source.startsWith("src/"));
  const folders = new Map<string, Set<string>>();
  for (const module of sources) {
    const from = topFolder(module.source);
    const targets = folders.get(from) ?? new Set<string>();
    folders.set(from, targets);
    for (const dependency of module.dependencies) {
      if (!dependency.resolved.startsWith("src/")) continue;
      const to = topFolder(dependency.resolved);
      if (to !== from) targets.add(to);
    }
  }
  const folderCycles = stronglyConnected(folders).filter((group) => group.length > 1);
  const violations = result.summary.violations.map(describe);
  for (const group of folderCycles) violations.push(`top-level-folder-cycle: ${group.join(", ")}`);
  return { violations, folders, folderCycles, sourceModules: sources.length };
}

function topFolder(path: string): string {
  const parts = path.split("/");
  return parts.length > 2 ? parts[1]! : ".";
}

function describe(violation: IViolation): string {
  const cycle = violation.cycle?.length ? ` (${[violation.from, ...violation.cycle.map((step) => step.name)].join(" → ")})` : "";
  return `${violation.rule.name}: ${violation.from} → ${violation.to}${cycle}`;
}

/** Tarjan's algorithm; each group sorted, groups in a stable order. */
function stronglyConnected(edges: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const group: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      group.push(member);
    } while (member !== node);
    groups.push(group.sort());
  };
  for (const node of [...edges.keys()].sort()) if (!index.has(node)) visit(node);
  return groups.sort((a, b) => a[0]!.localeCompare(b[0]!));
}
