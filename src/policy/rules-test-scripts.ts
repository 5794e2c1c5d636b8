import { posix } from "node:path";
import { canonicalJson } from "./canonical-json.ts";
import { touchedPaths, type ClassificationInput, type ManifestChange } from "./classify-input.ts";
import { RULES } from "./rule-ids.ts";
import type { RiskReason } from "./tiers.ts";

const TEST_SCRIPT = /^tests?(?:[:._-].+)?$/;
/** package.json keys jest, ava and mocha read their configuration from. */
const RUNNER_KEYS = ["jest", "ava", "mocha"];
const RUNNER_CONFIG = /^(?:(?:vitest|vite|jest|playwright|cypress|ava)\.config\.[^/]+|vitest\.workspace\.[^/]+|karma\.conf\.[^/]+|\.mocharc(?:\.[^/]+)?|bunfig\.toml)$/i;

/**
 * Changes to what the test run covers that no other rule makes Medium on its own: a test script
 * removed (added or changed ones are new_capability.script, High), the runners' keys in package.json
 * changed, or a test-runner config changed (High anyway while paths.protected lists it, as by default).
 */
export function testConfigRule(input: ClassificationInput, manifests: readonly ManifestChange[]): RiskReason[] {
  const hits: string[] = [];
  const paths = new Set<string>();
  for (const m of manifests) {
    const before = table(m.before?.scripts);
    const after = table(m.after?.scripts);
    const removed = Object.keys(before).filter((name) => TEST_SCRIPT.test(name) && !Object.hasOwn(after, name));
    const keys = RUNNER_KEYS.filter((key) => canonicalJson(m.before?.[key]) !== canonicalJson(m.after?.[key]));
    if (removed.length + keys.length === 0) continue;
    hits.push(...removed.sort().map((name) => `${m.path} scripts.${name} removed`), ...keys.map((key) => `${m.path} ${key}`));
    paths.add(m.path);
  }
  for (const path of touchedPaths(input.files).filter((p) => RUNNER_CONFIG.test(posix.basename(p)))) {
    hits.push(path);
    paths.add(path);
  }
  if (hits.length === 0) return [];
  return [{ rule: RULES.testConfig, tier: "medium", message: `changes what the test run covers (test scripts, runner config): ${hits.join(", ")}`, paths: [...paths].sort() }];
}

function table(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
