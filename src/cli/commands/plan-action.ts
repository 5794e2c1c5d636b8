import type { Command } from "commander";
import { routes } from "../../api/routes.ts";
import { WORK_SOURCES, type WorkItem } from "../../planning/work-item.ts";
import { visible } from "../../core/safe-text.ts";
import { cliContext } from "../context.ts";
import { age, printJson, table } from "../format.ts";
import { style } from "../style.ts";

export async function runPlan(program: Command, opts: { json?: boolean }): Promise<void> {
  const ctx = await cliContext(program.opts());
  const plan = await ctx.client.call(routes.plan);
  if (opts.json) return printJson(plan);
  if (plan.entries.length === 0) {
    process.stdout.write("nothing to plan: no open work items (add one: pushpals backlog add \"...\"; ask: pushpals ask \"...\")\n");
    return;
  }
  if (plan.paused) process.stdout.write(`${style.bold("paused")}: nothing is dispatched until \`pushpals resume\`\n`);
  const rows = [["#", "ITEM", "SOURCE", "TYPE", "STATE", "RISK", "SPECIALIST", "TITLE"]];
  for (const e of plan.entries) {
    rows.push([String(e.rank), e.item.id, e.item.source, e.item.type, e.item.state, e.risk ?? "-", e.specialist ?? "-", e.item.title]);
  }
  process.stdout.write(`${table(rows)}\n\n`);
  for (const e of plan.entries) {
    process.stdout.write(`${e.rank}. ${visible(e.item.title)}\n   why here: ${visible(e.why)}\n`);
    for (const hold of e.holds) process.stdout.write(`   held: ${visible(hold)}\n`);
    if (e.asks) process.stdout.write(`   on dispatch it stops to ask (${e.asks.escalation}): ${visible(e.asks.question)}\n`);
    if (e.holds.length === 0) process.stdout.write("   next to dispatch\n");
  }
  if (plan.questions.length > 0) {
    process.stdout.write(`\n${style.bold("open questions")} (answer: pushpals answer <item> "..."):\n`);
    for (const q of plan.questions) process.stdout.write(`  ${visible(q.item)}${q.escalation ? ` (${q.escalation})` : ""}: ${visible(q.question)}\n`);
  }
}

export async function runBacklogAdd(program: Command, title: string, opts: { priority?: number; label?: string[]; notes?: string; type?: string; run?: string; scope?: string[]; json?: boolean }): Promise<void> {
  const ctx = await cliContext(program.opts());
  const entry = {
    title,
    ...(opts.priority !== undefined ? { priority: opts.priority } : {}),
    labels: opts.label ?? [],
    notes: opts.notes ?? null,
    ...(opts.type ? { type: opts.type } : {}),
    ...(opts.run ? { command: opts.run } : {}),
    scope: opts.scope ?? [],
  };
  const { item } = await ctx.client.call(routes.addBacklog, { body: { entry } });
  if (opts.json) return printJson({ item });
  process.stdout.write(`backlog item ${visible(item.id)}: ${visible(item.title)} (priority ${item.priority})\n  see it ranked: pushpals plan\n`);
}

export async function runBacklogList(program: Command, opts: { all?: boolean; json?: boolean }): Promise<void> {
  const ctx = await cliContext(program.opts());
  const { items } = await ctx.client.call(routes.listWorkItems, { query: opts.all ? { all: "1" } : {} });
  if (opts.json) return printJson({ items });
  process.stdout.write(`${itemsTable(items)}\n`);
}

export async function runBacklogDrop(program: Command, id: string, opts: { why?: string; json?: boolean }): Promise<void> {
  const ctx = await cliContext(program.opts());
  const { item } = await ctx.client.call(routes.dropWorkItem, { params: { id }, body: opts.why ? { reason: opts.why } : {} });
  if (opts.json) return printJson({ item });
  process.stdout.write(`dropped ${visible(item.id)}: ${visible(item.title)}\n`);
}

export async function runAnswer(program: Command, id: string, answer: string, opts: { rfc?: number; run?: string; scope?: string[]; json?: boolean }): Promise<void> {
  const ctx = await cliContext(program.opts());
  const body = { answer, ...(opts.rfc !== undefined ? { rfc: opts.rfc } : {}), ...(opts.run !== undefined ? { command: opts.run } : {}), ...(opts.scope ? { scope: opts.scope } : {}) };
  const { item } = await ctx.client.call(routes.answerWorkItem, { params: { id }, body });
  if (opts.json) return printJson({ item });
  process.stdout.write(`answered ${visible(item.id)}; it is ${item.state} again\n`);
}

export async function runSpecialists(program: Command, opts: { json?: boolean }): Promise<void> {
  const ctx = await cliContext(program.opts());
  const data = await ctx.client.call(routes.listSpecialists);
  if (opts.json) return printJson(data);
  const rows = [["SPECIALIST", "VERSION", "TAKES", "KINDS", "ROLE", "MODEL", "LIMITS", "AVAILABLE"]];
  for (const s of data.specialists) {
    rows.push([s.id, s.version, `${s.itemTypes.join(",")}${s.labels ? ` labelled ${s.labels.join("|")}` : ""}`, s.kinds.join(","), s.role, s.needsModel ? "yes" : "no", `${s.limits.concurrent} at once, ${s.limits.dispatchesPerHour}/h, ${s.limits.dispatchesPerDay}/day`, s.available ? "yes" : `no: ${s.why}`]);
  }
  process.stdout.write(`${table(rows)}\n`);
  // A type taken only by labelled specialists is taken for those labels alone.
  const taken = new Set(data.specialists.filter((s) => s.available && !s.labels).flatMap((s) => s.itemTypes));
  const labelled = new Map<string, string[]>();
  for (const s of data.specialists.filter((x) => x.available && x.labels)) for (const t of s.itemTypes) labelled.set(t, [...(labelled.get(t) ?? []), ...s.labels!]);
  const needsModel = new Set(data.specialists.filter((s) => !s.available && s.needsModel).flatMap((s) => s.itemTypes));
  process.stdout.write(`\n${style.bold("work sources")}, in order of precedence:\n`);
  for (const source of data.sources) {
    const types = source.itemTypes.map((t) => (taken.has(t) ? t : labelled.has(t) ? `${t} (labelled ${labelled.get(t)!.join(", ")})` : needsModel.has(t) ? `${t} (needs a model: [models])` : `${t} (no specialist yet)`)).join(", ");
    // Its precedence, not its place in the list: the local and the labelled backlog are both source 3.
    process.stdout.write(`  ${WORK_SOURCES.indexOf(source.id) + 1}. ${source.id}: ${visible(source.summary)}; files ${visible(types)}\n`);
  }
}

function itemsTable(items: WorkItem[]): string {
  if (items.length === 0) return "no work items";
  const rows = [["ITEM", "SOURCE", "TYPE", "STATE", "PRIO", "AGE", "TITLE"]];
  for (const i of items) rows.push([i.id, i.source, i.type, i.state, String(i.priority), age(i.createdAt), i.title]);
  return table(rows);
}
