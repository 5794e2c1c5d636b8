import { expect, test } from "bun:test";
import type { MessageOf, ReplyOf } from "../api/define-route.ts";
import { routes } from "../api/routes.ts";
import type { Claim } from "../jobs/job-service-types.ts";
import type { Job, LogLine, Transition } from "../store/jobs/job-rows.ts";
import type { PullRequest } from "../prs/pr-types.ts";
import type { PushpalsEvent } from "../events/registry.ts";
import { ApiClient } from "./api-client.ts";

/**
 * Type-level checks (enforced by the strict `tsc` run in test/typecheck.test.ts): a route's reply
 * type flows from its response schema to `client.call`, and its input is checked against its schemas.
 */

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | void {}

type CallReply<R> = R extends (...args: never[]) => Promise<infer T> ? T : never;

// The reply of a call is the route's response schema's type, written nowhere else.
assertType<Equal<ReplyOf<typeof routes.getJob>, { job: Job; transitions: Transition[] }>>();
assertType<Equal<ReplyOf<typeof routes.getPr>, { pr: PullRequest }>>();
assertType<Equal<ReplyOf<typeof routes.claimJob>, Claim | null>>();
assertType<Equal<MessageOf<typeof routes.events>, PushpalsEvent>>();
assertType<Equal<MessageOf<typeof routes.jobLogs>, LogLine | { state: Job["state"]; failure: Job["failure"] }>>();

async function calls(client: ApiClient): Promise<void> {
  const history = await client.call(routes.getJob, { params: { id: "job_0000000000" } });
  assertType<Equal<typeof history, ReplyOf<typeof routes.getJob>>>();
  assertType<Equal<CallReply<typeof client.call<typeof routes.listPrs>>, { prs: PullRequest[] }>>();

  // Routes that need nothing take no input; a body whose fields all have defaults may be left out.
  await client.call(routes.health);
  await client.call(routes.componentHeartbeat, { params: { name: "worker-1" } });
  await client.call(routes.claimJob, { params: { id: "wrk_0000000000" }, body: { kinds: ["noop"] } });

  // @ts-expect-error a route with path parameters needs them
  await client.call(routes.getJob);
  // @ts-expect-error a PR number is a number
  await client.call(routes.getPr, { params: { number: "1" } });
  // @ts-expect-error an unknown body field is refused here too, not only by the server
  await client.call(routes.cancelJob, { params: { id: "job_0000000000" }, body: { actor: "a", bogus: 1 } });
  // @ts-expect-error a query value of the wrong type
  await client.call(routes.listJobs, { query: { state: "sleeping" } });
  // @ts-expect-error a streaming-only route has no JSON reply to call for
  await client.call(routes.events);
  // @ts-expect-error and a JSON-only route cannot be streamed
  await client.stream(routes.getJob, { params: { id: "job_0000000000" } });
}

test("the type-level checks above compile (the typecheck test runs them)", () => {
  expect(typeof calls).toBe("function");
});
