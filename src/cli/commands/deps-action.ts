import type { Command } from "commander";
import { routes } from "../../api/routes.ts";
import { EXIT } from "../../core/exit-codes.ts";
import { visible } from "../../core/safe-text.ts";
import { resolveCommit } from "../../scm/branches.ts";
import type { DependencyDashboard } from "../../sources/dependency-updates/dashboard.ts";
import { cliContext } from "../context.ts";
import { currentBranch, follow } from "../follow.ts";
import { age, jobDetail, printJson, shortSha, table } from "../format.ts";
import { style } from "../style.ts";

/** Rows listed per section unless --all. */
const SHOWN = 20;

export async function runDeps(program: Command, opts: { all?: boolean; json?: boolean }): Promise<void> {
  const ctx = await cliContext(program.opts());
  const board = await ctx.client.call(routes.dependencies);
  if (opts.json) return printJson(board);
  process.stdout.write(render(board, opts.all ?? false));
}

export async function runDepsScan(program: Command, opts: { wait?: boolean; json?: boolean }): Promise<void> {
  const ctx = await cliContext(program.opts());
  const branch = ctx.config().repo.base_branch ?? (await currentBranch(ctx));
  const commit = await resolveCommit(ctx.paths.repoRoot, `refs/heads/${branch}`);
  if (!commit) {
    process.stderr.write(`error: the base branch "${visible(branch)}" does not exist\n  hint: set repo.base_branch in .pushpals/config.toml\n`);
    process.exitCode = EXIT.usage;
    return;
  }
  const data = await ctx.client.call(routes.enqueueJob, { body: { kind: "deps-scan", input: { branch, commit }, maxAttempts: ctx.config().jobs.max_attempts } });
  if (!opts.wait) {
    if (opts.json) return printJson(data);
    process.stdout.write(`${data.deduped ? "already scanning" : "scanning"} the dependencies of ${visible(branch)} at ${shortSha(commit)}: job ${visible(data.job.id)}\n  then: pushpals deps\n`);
    return;
  }
  await follow(ctx, data.job.id, false);
  const final = await ctx.client.call(routes.getJob, { params: { id: data.job.id } });
  if (final.job.state !== "succeeded") {
    if (opts.json) printJson(final);
    else process.stdout.write(`${jobDetail(final.job, final.transitions)}\n`);
    process.exitCode = EXIT.failed;
    return;
  }
  const board = await ctx.client.call(routes.dependencies);
  if (opts.json) return printJson(board);
  process.stdout.write(render(board, false));
}

function render(board: DependencyDashboard, all: boolean): string {
  const out: string[] = [];
  const { scan } = board;
  if (!scan) {
    out.push("no dependency scan yet: pushpals deps scan (the RemoteAgent scans at start and every dependency_steward.scan_every_seconds)");
  } else {
    const registries = scan.registries.length ? ` from ${scan.registries.map(visible).join(", ")}` : "";
    out.push(`${style.bold("scanned")} ${visible(scan.branch)} at ${shortSha(scan.commit)} ${age(scan.scannedAt)} ago (job ${visible(scan.job)}): ${scan.ecosystem}, ${scan.manifests.length} manifest(s), ${board.detected.length} dependencies${registries}${scan.complete ? "" : " — incomplete: nothing closes"}`);
    for (const note of scan.notes) out.push(`  note: ${visible(note)}`);
  }
  if (board.lastScanFailed) out.push(`${style.bold("last scan failed")} (job ${visible(board.lastScanFailed.job)}, ${board.lastScanFailed.class ?? board.lastScanFailed.state}): ${visible(board.lastScanFailed.message)}`);
  section(out, "pending", board.pending, all);
  section(out, "open", board.open, all);
  section(out, "blocked", board.blocked, all);
  section(out, "turned down", board.turnedDown, all);
  if (board.unfixed.length > 0) {
    out.push("", style.bold(`vulnerable, no allowed fix (${board.unfixed.length})`));
    for (const u of board.unfixed.slice(0, all ? undefined : SHOWN)) out.push(`  ${visible(u.name)} ${visible(u.version)} (${visible(u.manifestPath)}): ${u.advisories.map((a) => `${a.severity} ${visible(String(a.id))}`).join(", ")}; ${visible(u.reason)}`);
  }
  if (board.ignored.length > 0) {
    out.push("", style.bold(`ignored (${board.ignored.length})`));
    const rows = [["PACKAGE", "MANIFEST", "KIND", "VERSION", "WHY"], ...board.ignored.slice(0, all ? undefined : SHOWN).map((i) => [i.name, i.manifestPath, i.kind ?? "all", i.version ?? "-", i.reason])];
    out.push(table(rows));
    if (!all && board.ignored.length > SHOWN) out.push(`  and ${board.ignored.length - SHOWN} more: pushpals deps --all`);
  }
  if (all && board.detected.length > 0) {
    out.push("", style.bold(`detected (${board.detected.length})`));
    out.push(table([["PACKAGE", "TYPE", "RANGE", "LOCKED", "MANIFEST"], ...board.detected.map((d) => [d.name, d.type, d.range, d.locked ?? "-", d.manifestPath])]));
  }
  return `${out.join("\n")}\n`;
}

function section(out: string[], name: string, rows: DependencyDashboard["pending"], all: boolean): void {
  if (rows.length === 0) return;
  out.push("", style.bold(`${name} (${rows.length})`));
  for (const r of rows.slice(0, all ? undefined : SHOWN)) {
    const security = r.security ? `, fixes ${r.security} advisor${r.security === 1 ? "y" : "ies"}` : "";
    out.push(`  ${visible(r.item)} ${visible(r.title)} [${r.tier ?? "-"}${security}]${r.pr !== null ? ` PR #${r.pr}` : ""}`);
    for (const u of r.updates.slice(0, 8)) out.push(`      ${visible(u.name)} ${visible(u.from)} -> ${visible(u.to)} (${u.kind}, ${visible(u.manifestPath)})`);
    if (r.updates.length > 8) out.push(`      and ${r.updates.length - 8} more`);
    for (const why of r.why) out.push(`    ${name === "pending" ? "held" : "why"}: ${visible(why)}`);
    if (name === "pending" && r.why.length === 0) out.push("    next to dispatch");
  }
  if (!all && rows.length > SHOWN) out.push(`  and ${rows.length - SHOWN} more: pushpals deps --all`);
}
