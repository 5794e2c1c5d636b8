import type { Command } from "commander";
import { routes } from "../../api/routes.ts";
import type { Report } from "../../planning/report.ts";
import { visible } from "../../core/safe-text.ts";
import { cliContext } from "../context.ts";
import { printJson } from "../format.ts";

export async function runReport(program: Command, opts: { since?: string; md?: boolean; json?: boolean }): Promise<void> {
  const ctx = await cliContext(program.opts());
  const report = await ctx.client.call(routes.report, { query: opts.since ? { since: opts.since } : {} });
  if (opts.json) return printJson(report);
  process.stdout.write(reportText(report, opts.md === true));
}

/** The four sections; Markdown with `md`, else plain text for the terminal (every value made visible). */
export function reportText(r: Report, md: boolean): string {
  const h = (title: string) => (md ? `## ${title}` : title.toUpperCase());
  const code = (text: string) => (md ? `\`${text}\`` : text);
  const v = visible;
  const lines = [md ? `# PushPals report, ${iso(r.since)} to ${iso(r.until)}` : `report ${iso(r.since)} .. ${iso(r.until)}`, ""];
  lines.push(h("Shipped"));
  if (r.shipped.length === 0) lines.push("- nothing merged in this window");
  for (const s of r.shipped) lines.push(`- PR #${s.pr}${s.url ? ` (${v(s.url)})` : ""}: ${v(s.summary)}`);
  lines.push("", h("Evidence"));
  for (const e of r.evidence) lines.push(`- PR #${e.pr}: checks ${v(e.checks)}; review ${v(e.review)}`);
  if (r.evidence.length === 0) lines.push("- none");
  lines.push("", h("Risk notes"));
  for (const n of r.riskNotes) lines.push(`- PR #${n.pr} (${n.risk}): ${v(n.whatCouldGoWrong)}. Rollback: ${code(v(n.rollback))}`);
  if (r.riskNotes.length === 0) lines.push("- none");
  lines.push("", h("Follow-ups"));
  r.followUps.forEach((f, i) => lines.push(`${i + 1}. ${v(f.title)} (${code(f.item)}): ${v(f.why)}${f.holds.length ? `; held: ${v(f.holds.join("; "))}` : ""}`));
  if (r.followUps.length === 0) lines.push("- nothing planned");
  if (r.mergeability) {
    const m = r.mergeability;
    const strategies = Object.entries(m.byStrategy).filter(([, n]) => n > 0).map(([s, n]) => `${s} ${n}`).join(", ") || "none";
    lines.push("", h("Mergeability"), `- approved to merged: ${m.merged} of ${m.approved} approved PRs`, `- conflicts resolved automatically: ${m.resolved} (files by strategy: ${strategies}); left to a person: ${m.manualInterventions}`);
  }
  if (r.ciHealth) {
    const c = r.ciHealth;
    const fixed = Object.entries(c.fixed).map(([kind, n]) => `${n} by ${kind}`).join(", ") || "none";
    lines.push("", h("CI health"), `- failing builds found: ${c.found}; green again on their own: ${c.resolvedByGreen}`, `- fixed by a merged PR: ${v(fixed)}; tests quarantined: ${c.quarantined}, un-quarantined: ${c.unquarantined}`);
    for (const n of c.couldNotFix) lines.push(`- not fixed: ${v(n.title)} (${code(n.item)}): ${v(n.why)}`);
  }
  if (r.questions.length > 0) {
    lines.push("", h("Open questions"), `(answer: ${code('pushpals answer <item> "..."')})`);
    for (const q of r.questions) lines.push(`- ${code(q.item)}${q.escalation ? ` (${q.escalation})` : ""}: ${v(q.question)}`);
  }
  return `${lines.join("\n")}\n`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");
}
