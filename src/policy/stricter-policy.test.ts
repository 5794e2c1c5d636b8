import { expect, test } from "bun:test";
import { DEFAULT_POLICY } from "./policy-defaults.ts";
import { policyHash } from "./load-policy.ts";
import { Policy } from "./policy-schema.ts";
import { stricterLoaded, stricterPolicy } from "./stricter-policy.ts";

const loose = Policy.parse({ ...structuredClone(DEFAULT_POLICY), low: { max_files: 10, max_lines: 200, auto_merge: true }, network: { kinds: ["run", "checks"] } });
const strict = Policy.parse({
  ...structuredClone(DEFAULT_POLICY),
  paths: { ...DEFAULT_POLICY.paths, protected: [...DEFAULT_POLICY.paths.protected, "src/auth/**"] },
  low: { max_files: 5, max_lines: 250, auto_merge: false },
  medium: { ...DEFAULT_POLICY.medium, required_approvals: 2 },
  high: { require_rfc: true, required_approvals: 3 },
  dependencies: { ...DEFAULT_POLICY.dependencies, tiers: { ...DEFAULT_POLICY.dependencies.tiers, patch: "medium" }, denied_packages: ["left-pad"] },
  network: { kinds: ["run"] },
});

test("the stricter of two policies takes the stricter side of every rule, and is itself a valid policy", () => {
  const s = stricterPolicy(loose, strict);
  expect(Policy.parse(s)).toEqual(s);
  expect(s.paths.protected).toContain("src/auth/**");
  expect(s.low).toEqual({ max_files: 5, max_lines: 200, auto_merge: false });
  expect(s.medium.required_approvals).toBe(2);
  expect(s.high).toEqual({ require_rfc: true, required_approvals: 3 });
  expect(s.dependencies.tiers.patch).toBe("medium");
  expect(s.dependencies.denied_packages).toContain("left-pad");
  expect(s.network.kinds).toEqual(["run"]);
  expect(new Set(stricterPolicy(strict, loose).paths.protected)).toEqual(new Set(s.paths.protected));
});

test("one file twice is that file (same hash); two files give the stricter one its own hash", () => {
  const a = { policy: loose, hash: policyHash(loose), source: "a" };
  const b = { policy: strict, hash: policyHash(strict), source: "b" };
  expect(stricterLoaded(a, { ...a, source: "again" })).toBe(a);
  const both = stricterLoaded(a, b);
  expect(both.hash).toBe(policyHash(stricterPolicy(loose, strict)));
  expect(both.hash).not.toBe(a.hash);
  expect(both.source).toBe("the stricter of a and b");
});
