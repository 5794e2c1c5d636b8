import { expect, test } from "bun:test";
import { WriteContext } from "../jobs/transition.ts";
import { SqliteStore } from "../store/sqlite-store.ts";
import { answerWorkItem, type Answer } from "./answer-item.ts";
import { fixtureItem } from "./item-fixture.ts";
import type { WorkItem } from "./work-item.ts";
import { workItems } from "./work-items.ts";

function blocked(store: SqliteStore, over: Partial<WorkItem>): WorkItem {
  const item = fixtureItem({ state: "blocked", question: "?", ...over });
  store.write(() => workItems(store).insertWorkItem(item));
  return item;
}

function answer(store: SqliteStore, id: string, a: Answer): WorkItem | Error {
  try {
    return store.write(() => answerWorkItem(new WriteContext(store, 5_000), "os:cto", id, a));
  } catch (err) {
    return err as Error;
  }
}

test("high-risk work is answered only with the merged RFC PR it carries out", () => {
  const store = new SqliteStore(":memory:");
  store.write(() => {
    store.insertPullRequest({ jobId: "job_00000001", state: "merged", rfcFor: "job_00000009" } as never);
    store.insertPullRequest({ jobId: "job_00000002", state: "open", rfcFor: "job_00000008" } as never);
    store.insertPullRequest({ jobId: "job_00000003", state: "merged", rfcFor: null } as never);
    store.insertPullRequest({ jobId: "job_00000004", state: "merged", rfcFor: "job_00000007" } as never);
  });
  // Dispatched before: `detail.job` is its task's now; the directive's job is in its key.
  const item = blocked(store, { source: "directive", dedupeKey: "directive:job_00000009", type: "codemod", scope: ["src/auth/**"], escalation: "high_risk", detail: { job: "job_0000task1", command: "true" } });
  expect((answer(store, item.id, { answer: "yes" }) as Error).message).toContain("goes ahead only as the merged RFC it carries out");
  expect((answer(store, item.id, { answer: "yes", rfc: 99 }) as Error).message).toBe("rfc: #99 is no such PR");
  expect((answer(store, item.id, { answer: "yes", rfc: 2 }) as Error).message).toBe("rfc: #2 is an RFC PR that is open, not merged");
  expect((answer(store, item.id, { answer: "yes", rfc: 3 }) as Error).message).toBe("rfc: #3 is not an RFC PR");
  // Another directive's RFC approved that directive, not this one.
  expect((answer(store, item.id, { answer: "yes", rfc: 4 }) as Error).message).toBe("rfc: #4 is the RFC of another directive (job_00000007), not of this item's");
  expect(answer(store, item.id, { answer: "as the RFC says", rfc: 1 })).toMatchObject({ state: "open", escalation: null, answer: "as the RFC says", detail: { rfc: 1, rfcNamedBy: "os:cto" } });
  // Work that is not a directive has no RFC of its own: it is told to become one.
  const backlog = blocked(store, { type: "codemod", scope: ["src/auth/**"], escalation: "high_risk", detail: { command: "true" } });
  const refused = answer(store, backlog.id, { answer: "yes", rfc: 1 }) as Error & { hint?: string };
  expect(refused.message).toBe("rfc: #1 is the RFC of another directive (job_00000009), not of this item's");
  expect(refused.hint).toContain("record it as a High directive");
});

test("an answer that changes the task drops the RFC named for the old one", () => {
  const store = new SqliteStore(":memory:");
  const item = blocked(store, { source: "directive", type: "codemod", scope: ["docs/a.md"], escalation: "stopped", detail: { job: "job_00000009", command: "true", rfc: 1, rfcNamedBy: "os:cto" } });
  const widened = answer(store, item.id, { answer: "everything", scope: ["**"] }) as WorkItem;
  expect(widened.scope).toEqual(["**"]);
  expect(widened.detail.rfc).toBeUndefined();
  const again = blocked(store, { source: "directive", type: "codemod", scope: ["docs/a.md"], escalation: "stopped", detail: { job: "job_00000008", command: "true", rfc: 2 } });
  expect((answer(store, again.id, { answer: "retry" }) as WorkItem).detail.rfc).toBe(2);
});

test("a directive moves on only once the answer names its task, and becomes a codemod; other items take no command", () => {
  const store = new SqliteStore(":memory:");
  const directive = blocked(store, { source: "directive", type: "directive", escalation: "ambiguous" });
  expect((answer(store, directive.id, { answer: "the first paint" }) as Error).message).toContain("the answer names its task");
  expect((answer(store, directive.id, { answer: "the first paint", command: "echo x > a" }) as Error).message).toContain("the answer names its task");
  expect(answer(store, directive.id, { answer: "the first paint", command: "echo x > a", scope: ["a"] })).toMatchObject({ state: "open", type: "codemod", scope: ["a"], detail: { command: "echo x > a" } });
  const red = blocked(store, { source: "failing_build", type: "red_check", escalation: "stopped" });
  expect((answer(store, red.id, { answer: "try this", command: "rm -rf /" }) as Error).message).toContain("its task is its specialist's, not a command");
  // A scope alone never turns a non-command item (whose detail names its check's command) into a codemod.
  const setup = blocked(store, { source: "onboarding", type: "setup_fails", escalation: "stopped", detail: { command: "npm ci" } });
  expect((answer(store, setup.id, { answer: "narrow", scope: ["src/**"] }) as Error).message).toContain("not a command or a scope of yours");
  expect(answer(store, red.id, { answer: "try again" })).toMatchObject({ state: "open", type: "red_check" });
  expect((answer(store, red.id, { answer: "again" }) as Error).message).toContain("not waiting on an answer");
});
