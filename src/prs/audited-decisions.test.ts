import { afterEach, beforeEach, expect, test } from "bun:test";
import { entryHash } from "../store/audit/audit-chain.ts";
import { SqliteStore } from "../store/sqlite-store.ts";
import { readPause } from "../jobs/pause-state.ts";
import { auditedDecisions } from "./audited-decisions.ts";
import type { PullRequest } from "./pr-types.ts";

let store: SqliteStore;
beforeEach(() => (store = new SqliteStore(":memory:")));
afterEach(() => store.close());

const HEAD = "a".repeat(40);
const pr = (extra: Partial<PullRequest> = {}) => ({ number: 7, approvals: [], rejections: [], ...extra }) as unknown as PullRequest;
const decide = (actor: string, action: "pr.approved" | "pr.rejected", at = 1) => store.appendAudit({ at, actor, action, subject: "pr#7", data: { headSha: HEAD, why: "x" } });

test("decisions replay from the audit log; an edited record is named", () => {
  decide("os:dave", "pr.rejected");
  decide("os:erin", "pr.approved");
  const agreed = auditedDecisions(store, pr({ approvals: [{ by: "os:erin", at: 1, headSha: HEAD, why: "x" }], rejections: [{ by: "os:dave", at: 1, headSha: HEAD, why: "x" }] }));
  expect(agreed).toMatchObject({ mismatches: [], approvals: [{ by: "os:erin" }], rejections: [{ by: "os:dave" }] });
  const edited = auditedDecisions(store, pr({ approvals: [{ by: "os:erin", at: 1, headSha: HEAD, why: "x" }], rejections: [] }));
  expect(edited.rejections).toMatchObject([{ by: "os:dave" }]);
  expect(edited.mismatches).toEqual(["the audit log holds rejection by os:dave that the PR record lacks"]);
});

test("a rejection deleted from both the log and the record is still caught: the log has lost an entry", () => {
  decide("os:dave", "pr.rejected");
  store.appendAudit({ at: 2, actor: "server", action: "server.started", subject: null, data: {} });
  store.db.query("DELETE FROM audit WHERE action = 'pr.rejected'").run();
  const verdict = auditedDecisions(store, pr());
  expect(verdict.rejections).toEqual([]);
  expect(verdict.mismatches.join("\n")).toContain("entries were deleted");
});

test("an entry re-hashed in place (its action changed) breaks its links both ways and counts for nothing", () => {
  const rejected = decide("os:dave", "pr.rejected");
  decide("os:erin", "pr.approved", 2);
  // Turn dave's rejection into an approval, with a hash that matches its new content.
  const content = { ...rejected, action: "pr.approved" };
  store.db.query("UPDATE audit SET action = ?, hash = ? WHERE seq = ?").run("pr.approved", entryHash(rejected.prevHash, content), rejected.seq);
  const verdict = auditedDecisions(store, pr({ approvals: [{ by: "os:dave", at: 1, headSha: HEAD, why: "x" }, { by: "os:erin", at: 2, headSha: HEAD, why: "x" }] }));
  // Neither counts: the edited entry no longer links forward, and erin's no longer links back to it.
  expect(verdict.approvals).toEqual([]);
  expect(verdict.mismatches.join("\n")).toContain(`audit entry #${rejected.seq} (pr.approved) does not check out`);
  expect(verdict.mismatches.join("\n")).toContain(`audit entry #${rejected.seq + 1} (pr.approved) does not check out`);
});

test("a pause whose entry was deleted (and its switch cleared) is still a pause; a garbled switch is one too", () => {
  store.appendAudit({ at: 1, actor: "os:carol", action: "control.paused", subject: null, data: { reason: "one" } });
  store.appendAudit({ at: 2, actor: "os:carol", action: "control.resumed", subject: null, data: { reason: "go" } });
  const second = store.appendAudit({ at: 3, actor: "os:carol", action: "control.paused", subject: null, data: { reason: "incident" } });
  store.appendAudit({ at: 4, actor: "server", action: "server.started", subject: null, data: {} });
  expect(readPause(store)?.reason).toContain("incident");
  store.db.query("DELETE FROM audit WHERE seq = ?").run(second.seq);
  expect(readPause(store)?.reason).toContain("entries were deleted");
  store.setMeta("paused", "{not json");
  expect(readPause(store)?.reason).toContain("unreadable value");
});
