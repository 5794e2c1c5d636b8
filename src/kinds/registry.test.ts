import { describe, expect, test } from "bun:test";
import { assertConfigKinds, JOB_KIND_IDS, KINDS, kindById, kindsForRole, parseJobInput, unknownKindError } from "./registry.ts";

describe("kind registry", () => {
  test("ids are unique, and every kind with a role other than the RemoteAgent's has a handler", () => {
    expect(new Set(JOB_KIND_IDS).size).toBe(KINDS.length);
    for (const kind of KINDS) if (kind.role !== null && kind.role !== "remote-agent") expect(typeof kind.handler).toBe("function");
  });

  test("each role gets its own kinds", () => {
    expect(kindsForRole("worker").map((k) => k.id).sort()).toEqual(["agent-run", "bisect", "checks", "ci-fix", "dependency-update", "deps-scan", "lockfile-sync", "noop", "plan-directive", "quarantine", "resolve-conflict", "revert", "run", "security-audit", "triage"]);
    expect(kindsForRole("scm").map((k) => k.id).sort()).toEqual(["issues-scan", "merge", "publish"]);
    expect(kindsForRole("review-agent").map((k) => k.id)).toEqual(["review"]);
    expect(kindsForRole("remote-agent")).toEqual([]);
  });

  test("inputs are parsed by the kind's schema: defaults filled, errors name the field", () => {
    expect(parseJobInput("noop", {})).toEqual({ sleepMs: 0, logLines: 0 });
    expect(() => parseJobInput("noop", { sleepMs: -1 })).toThrow(/input\.sleepMs/);
    expect(() => parseJobInput("nope", {})).toThrow(/unknown job kind "nope"/);
    expect(kindById("nope")).toBeUndefined();
  });

  test("a merge or publish job can name only a remote provider (the job never picks the local path on a remote repository)", () => {
    const sha = "a".repeat(40);
    const merge = { prNumber: 1, headSha: sha, baseSha: sha, baseBranch: "main", headBranch: "pushpals/x", title: "t", checks: { commands: [] } };
    expect(() => parseJobInput("merge", { ...merge, remote: { provider: "local", number: 1, pushedSha: sha } })).toThrow(/input\.remote\.provider/);
    expect(parseJobInput("merge", { ...merge, remote: { provider: "github", number: 1, pushedSha: sha } })).toMatchObject({ remote: { provider: "github" } });
    const publish = { prNumber: 1, headBranch: "pushpals/x", headSha: sha, baseBranch: "main", title: "t", body: "", expectedRemoteSha: null };
    expect(() => parseJobInput("publish", { ...publish, provider: "local" })).toThrow(/input\.provider/);
    expect(parseJobInput("publish", publish)).not.toHaveProperty("provider");
  });

  test("config and policy name kinds as plain names; unknown ones are refused where the registry is in view", () => {
    expect(unknownKindError(["checks", "run"], "network.kinds", "policy.toml")).toBeNull();
    const err = unknownKindError(["checks", "rnu"], "sandbox.network", "env PUSHPALS_SANDBOX_NETWORK");
    expect(err?.code).toBe("config_invalid");
    expect(err?.message).toBe('env PUSHPALS_SANDBOX_NETWORK: sandbox.network[1]: no job kind is called "rnu"');
    expect(err?.hint).toBe('set sandbox.network to job kinds among "checks", "run"');
    expect(unknownKindError(["merge"], "sandbox.network", "config")?.message).toBe("config: sandbox.network[0]: the merge kind's commands never get the network");
    expect(() => assertConfigKinds({ config: { sandbox: { network: ["rnu"] } }, sources: { "sandbox.network": ".pushpals/config.toml" } })).toThrow(
      '.pushpals/config.toml: sandbox.network[0]: no job kind is called "rnu"',
    );
  });
});
