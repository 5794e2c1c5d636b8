import type { ApiClient } from "../client/api-client.ts";
import { routes } from "../api/routes.ts";
import { PushpalsError } from "../core/errors.ts";
import type { PullRequest } from "../prs/pr-types.ts";

export function prNumber(value: string): number {
  if (!/^[1-9][0-9]{0,8}$/.test(value)) throw new PushpalsError("invalid_input", `"${value}" is not a PR number`, { field: "number", hint: "list them with `pushpals prs`" });
  return Number(value);
}

/** The PR a job opened (its `run` job) or merged last (its `merge` job), if any. */
export async function findPrOfJob(client: ApiClient, jobId: string): Promise<PullRequest | null> {
  const { prs } = await client.call(routes.listPrs, { query: { limit: 1000 } });
  return prs.find((p) => p.jobId === jobId || p.mergeJobId === jobId) ?? null;
}
