import type { Command } from "commander";
import { routes } from "../../api/routes.ts";
import { classifyRisk } from "../../policy/classify-risk.ts";
import { gatesFor } from "../../policy/gates.ts";
import { loadPolicy, POLICY_RELATIVE_PATH } from "../../policy/load-policy.ts";
import { unknownKindError } from "../../kinds/registry.ts";
import { loadPolicyAt } from "../../policy/load-policy-at.ts";
import type { Classification } from "../../policy/tiers.ts";
import { cliContext, type CliContext } from "../context.ts";
import { printJson } from "../format.ts";
import { visible } from "../../core/safe-text.ts";
import { findPrOfJob, prNumber } from "../pr-lookup.ts";

export async function runPolicyCheck(program: Command, opts: { json?: boolean }): Promise<void> {
  const ctx = await cliContext(program.opts());
  const loaded = loadPolicy(ctx.paths.repoRoot);
  const unknown = unknownKindError(loaded.policy.network.kinds, "network.kinds", loaded.source ?? POLICY_RELATIVE_PATH);
  if (unknown) throw unknown;
  if (opts.json) return printJson({ ok: true, source: loaded.source, hash: loaded.hash, policy: loaded.policy });
  process.stdout.write(`policy OK: ${visible(loaded.source ?? "no .pushpals/policy.toml, the defaults apply")} (hash ${visible(loaded.hash.slice(0, 16))})\n`);
}

export async function runPolicyExplain(program: Command, targets: string[], opts: { json?: boolean }): Promise<void> {
  const ctx = await cliContext(program.opts());
  const only = targets.length === 1 ? targets[0]! : null;
  if (only && (/^[1-9][0-9]*$/.test(only) || only.startsWith("job_"))) return explainPr(ctx, only, opts.json === true);
  return explainPaths(ctx, targets, opts.json === true);
}

async function explainPr(ctx: CliContext, target: string, json: boolean): Promise<void> {
  let number: number;
  if (target.startsWith("job_")) {
    const pr = await findPrOfJob(ctx.client, target);
    if (!pr) {
      const job = await ctx.client.call(routes.getJob, { params: { id: target } });
      return void process.stdout.write(`${visible(`job ${target} (${job.job.kind}, ${job.job.state}) has no PR to explain`)}\n`);
    }
    number = pr.number;
  } else {
    number = prNumber(target);
  }
  const data = await ctx.client.call(routes.getPr, { params: { number } });
  const gate = await ctx.client.call(routes.prGate, { params: { number } });
  if (json) return printJson({ pr: number, headSha: data.pr.headSha, classification: data.pr.classification, review: data.pr.review, gate });
  const lines = [`PR #${number} at ${data.pr.headSha.slice(0, 12)}, policy ${gate.policy.source ?? "defaults"} (${gate.policy.hash.slice(0, 12)})`];
  lines.push(...classificationLines(data.pr.classification));
  if (gate.gates) lines.push(`gate: checks + review approve${gate.gates.requiredApprovals ? ` + ${gate.gates.requiredApprovals} approval(s)` : ""}${gate.gates.requireRfc ? " + an approved RFC" : ""}${gate.gates.autoMerge ? "; merges on its own" : ""}`);
  lines.push(gate.ok ? "nothing missing: it can merge" : "missing:", ...gate.missing.map((m) => `  - ${m}`));
  printLines(lines);
}

/** What a change to these paths would be classified as, under the policy committed at HEAD. */
async function explainPaths(ctx: CliContext, paths: string[], json: boolean): Promise<void> {
  const { policy, source } = await loadPolicyAt(ctx.paths.repoRoot, "HEAD");
  const files = paths.map((path) => ({ path, status: "modified" as const, additions: 1, deletions: 1 }));
  const classification = classifyRisk({ files }, policy);
  const gates = gatesFor(classification, policy);
  if (json) return printJson({ paths, classification, gates, policy: source });
  const lines = [`a change to ${paths.join(", ")} under ${source ?? "the default policy"}:`, ...classificationLines(classification)];
  lines.push(`gate: checks + review approve${gates.requiredApprovals ? ` + ${gates.requiredApprovals} approval(s)` : ""}${gates.requireRfc ? " + an approved RFC" : ""}${gates.autoMerge ? "; merges on its own" : ""}`);
  printLines(lines);
}

/** Unstyled lines quoting the PR, the policy file and paths: each is made visible whole. */
function printLines(lines: string[]): void {
  process.stdout.write(`${lines.map(visible).join("\n")}\n`);
}

function classificationLines(c: Classification | null): string[] {
  if (!c) return ["tier: not classified yet (the ReviewAgent classifies every PR head)"];
  return [`tier: ${c.tier}`, ...c.reasons.map((r) => `  ${r.tier.padEnd(6)} ${r.rule}: ${r.message}${r.paths?.length ? ` [${r.paths.slice(0, 5).join(", ")}]` : ""}`)];
}
