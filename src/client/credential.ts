import { closeSync, readFileSync } from "node:fs";
import { routes } from "../api/routes.ts";
import { PushpalsError } from "../core/errors.ts";
import type { IssueCredentialBody } from "../api/schemas.ts";
import { retryUnreachable, type ApiClient } from "./api-client.ts";

/**
 * Names the inherited file descriptor on which the supervisor hands a component its credential. The
 * variable holds a number, never the credential, and job commands never see it (their environment is
 * an allowlist); the descriptor is read and closed at start, so no child inherits it.
 */
export const CREDENTIAL_FD_ENV = "PUSHPALS_CREDENTIAL_FD";

/** The component credential the supervisor passed down, if any: read once, its descriptor closed. */
export function takeInheritedCredential(env: Record<string, string | undefined> = process.env): string | null {
  const fd = Number(env[CREDENTIAL_FD_ENV]);
  delete env[CREDENTIAL_FD_ENV];
  if (!Number.isInteger(fd) || fd < 3) return null;
  try {
    return readFileSync(fd, "utf8").trim() || null;
  } catch {
    return null;
  } finally {
    try {
      closeSync(fd);
    } catch {}
  }
}

/**
 * Gives the client this component's credential: the one the supervisor passed down, else one the
 * server issues to this process, which it does only for its own OS user (`pushpals worker` or
 * `pushpals agent` run by hand).
 */
export async function useComponentCredential(client: ApiClient, holder: IssueCredentialBody, options: { deadline?: number } = {}): Promise<void> {
  const handedDown = process.env[CREDENTIAL_FD_ENV] !== undefined;
  const inherited = takeInheritedCredential();
  if (inherited) return client.useCredential(inherited);
  // Started by a supervisor that closed the pipe without a credential (it is stopping, or gave up on
  // this child): stop, rather than quietly issue one of our own.
  if (handedDown) throw new PushpalsError("component_failed", "the supervisor closed the credential pipe without a credential", { hint: "see the supervisor's log; `pushpals start` starts every component again" });
  const issue = () => client.call(routes.issueCredential, { body: holder });
  const { credential } = await retryUnreachable(issue, { deadline: options.deadline ?? Date.now() + 30_000 });
  client.useCredential(credential);
}

/** A display name as a component name (`Extra_Pal` -> `extra-pal`), for credentials of processes named by hand. */
export function componentNameOf(name: string): string {
  const slug = name.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^[^a-z]+/, "").slice(0, 41);
  return slug || "component";
}
