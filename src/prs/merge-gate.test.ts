import { describe, expect, test } from "bun:test";
import { DEFAULT_POLICY } from "../policy/policy-defaults.ts";
import type { Classification } from "../policy/tiers.ts";
import type { Verdict } from "../review/review-types.ts";
import { mergeGate } from "./merge-gate.ts";
import type { PullRequest } from "./pr-types.ts";

const HEAD = "a".repeat(40);
const OLD = "b".repeat(40);
const HASH = "policy-hash";
const policy = { ...DEFAULT_POLICY, high: { ...DEFAULT_POLICY.high } };

function verdict(decision: Verdict["decision"], findings: Verdict["findings"] = [], headSha = HEAD, policyHash = HASH): Verdict {
  return { decision, headSha, policyHash, findings, reviewedAt: 1 };
}
const tier = (t: Classification["tier"], rule = "declared"): Classification => ({ tier: t, reasons: t === "low" ? [] : [{ rule, tier: t, message: "" }] });
const approval = (by: string, headSha = HEAD) => ({ by, at: 1, headSha, why: null });

function pr(over: Partial<PullRequest> = {}): PullRequest {
  return {
    number: 7, provider: "local", remote: null, state: "open", jobId: "job_x", createdBy: "cli:carol", createdAt: 0, updatedAt: 0,
    mergeJobId: null, merge: null, lastMergeFailure: null, closedReason: null, title: "t", body: "", baseBranch: "main", baseSha: OLD,
    headBranch: "pushpals/job_x", headSha: HEAD, risk: "low", role: "codemod", scope: ["src/**"], files: [], rfcFor: null, rfc: null,
    checks: { state: "passed", sha: HEAD, results: [] }, review: verdict("approve"), classification: tier("low"), approvals: [], rejections: [],
    ...over,
  };
}

describe("mergeGate", () => {
  const cases: [string, Partial<PullRequest>, boolean, string | null, boolean?][] = [
    ["low, checks green, review approves", {}, true, null],
    ["checks ran on another commit", { checks: { state: "passed", sha: OLD, results: [] } }, false, "checks passing"],
    ["checks failed", { checks: { state: "failed", sha: HEAD, results: [] } }, false, "checks passing"],
    ["no review yet", { review: null }, false, "verdict on this head"],
    ["review of an older head", { review: verdict("approve", [], OLD) }, false, "verdict on this head"],
    ["review under another policy", { review: verdict("approve", [], HEAD, "old-hash") }, false, "current policy"],
    ["review blocks", { review: verdict("block", [{ reviewer: "secrets", rule: "aws", severity: "block", file: "a.js", line: 2, message: "", fixHint: "" }]) }, false, "aws (a.js:2)"],
    ["medium without approval", { classification: tier("medium") }, false, "1 more approval"],
    ["medium approved by the requester only", { classification: tier("medium"), approvals: [approval("cli:carol")] }, false, "1 more approval"],
    ["medium approved for an older head", { classification: tier("medium"), approvals: [approval("cli:dave", OLD)] }, false, "1 more approval"],
    ["medium approved by someone else", { classification: tier("medium"), approvals: [approval("cli:dave")] }, true, null],
    ["a rejection of the head", { rejections: [approval("cli:erin")] }, false, "cli:erin rejected it"],
    ["a rejection of an earlier head still stands", { rejections: [{ ...approval("cli:erin"), headSha: "e".repeat(40) }] }, false, "cli:erin rejected it at eeeeeeeeeeee"],
    ["high without an RFC", { classification: tier("high"), approvals: [approval("cli:dave")] }, false, "approved RFC"],
    ["high with its RFC merged", { classification: tier("high"), approvals: [approval("cli:dave")], rfc: 3 }, true, null, true],
    ["an RFC PR needs a person even when Low", { rfcFor: "job_d" }, false, "1 more approval"],
    [
      "a protected-path finding is answered by an approval",
      { classification: tier("medium", "protected_path"), review: verdict("request_changes", [{ reviewer: "scope", rule: "protected_path", severity: "request_changes", file: "src/auth/a.ts", line: null, message: "", fixHint: "" }]), approvals: [approval("cli:dave")] },
      true,
      null,
    ],
  ];
  for (const [name, over, ok, needle, rfcApproved] of cases) {
    test(name, () => {
      const gate = mergeGate(pr(over), policy, HASH, { rfcApproved: rfcApproved ?? false });
      expect(gate.ok).toBe(ok);
      if (needle) expect(gate.missing.join("\n")).toContain(needle);
      else expect(gate.missing).toEqual([]);
    });
  }
});
