import { expect, test } from "bun:test";
import { isPushpalsError } from "../../core/errors.ts";
import type { WriteContext } from "../../jobs/transition.ts";
import { DEFAULT_POLICY, DEPENDENCY_ROLE, SPECIALIST_ROLES } from "../../policy/policy-defaults.ts";
import { admitRun } from "./admit-run.ts";
import { RunInput } from "./run-input.ts";

const run = (role?: string) => RunInput.parse({ title: "t", command: "true", scope: ["**"], baseBranch: "main", baseCommit: "a".repeat(40), ...(role ? { role } : {}) });
// A run that updates no PR reads nothing from the store.
const ctx = {} as WriteContext;

function refusal(role: string): unknown {
  try {
    admitRun(ctx, run(role));
  } catch (err) {
    return err;
  }
  return null;
}

test("a client may not choose a specialist's role: the dependency role is the specialist's", () => {
  expect(SPECIALIST_ROLES).toContain(DEPENDENCY_ROLE);
  for (const role of SPECIALIST_ROLES) {
    const err = refusal(role);
    expect(isPushpalsError(err, "forbidden")).toBe(true);
    expect(err).toMatchObject({ field: "input.role", message: expect.stringContaining("given by the specialist that made the change") });
  }
});

test("the policy's other roles, and the default one, are the client's to choose", () => {
  expect(() => admitRun(ctx, run())).not.toThrow();
  for (const role of Object.keys(DEFAULT_POLICY.roles).filter((r) => !SPECIALIST_ROLES.includes(r))) expect(refusal(role)).toBeNull();
});

test("a client's commit is never added to a specialist's PR (it would be reviewed under that role)", () => {
  const head = "b".repeat(40);
  const pr = { number: 3, state: "open", headSha: head, headBranch: "pushpals/job_x", baseSha: "a".repeat(40), baseBranch: "main", role: DEPENDENCY_ROLE, rfcFor: null };
  const store = { getPullRequest: (n: number) => (n === 3 ? pr : null) };
  const input = RunInput.parse({ title: "t", command: "true", scope: ["**"], baseBranch: "main", baseCommit: "a".repeat(40), updatePr: { number: 3, headSha: head, headBranch: "pushpals/job_x" } });
  let err: unknown = null;
  try {
    admitRun({ store } as unknown as WriteContext, input);
  } catch (e) {
    err = e;
  }
  expect(isPushpalsError(err, "forbidden")).toBe(true);
  expect(err).toMatchObject({ field: "input.updatePr", message: expect.stringContaining("made by the dependency_steward specialist") });
  expect(() => admitRun({ store: { getPullRequest: () => ({ ...pr, role: "codemod" }) } } as unknown as WriteContext, input)).not.toThrow();
});
