import type { LockfileRedirect } from "../ecosystems/common/lockfile-diff.ts";
import { neutralize } from "./changelog-sections.ts";
import type { OutOfScopeChange } from "./lockfile-scope.ts";
import type { AdvisoryRecord, PlannedUpdateRecord, UpdateGroupRecord } from "../sources/dependency-updates/deps-scan-result.ts";

/** A package's release notes as the PR shows them (release-notes.ts reads them from its tarball's changelog). */
export interface NotesForPr {
  name: string;
  from: string;
  to: string;
  notes: { found: true; file: string; sections: { version: string; text: string }[]; truncated: boolean } | { found: false; why: string };
}

export interface UpdatePrBodyInput {
  /** The task, in the vision's format. */
  task: string;
  group: UpdateGroupRecord;
  /** The lockfile the package manager regenerated, or null (none by design). */
  lockfile: string | null;
  notes: readonly NotesForPr[];
  /** Lockfile changes outside the updated packages and their dependencies (each raises the tier to High). */
  outOfScope: readonly OutOfScopeChange[];
  /** Packages that now install from somewhere other than the lockfile's registry (each raises the tier to High). */
  redirects?: readonly LockfileRedirect[];
  /** The tier the PR is proposed at, and why. */
  tier: string;
  tierWhy: string;
}

/** The PR body's largest size (the PR's limit is 20,000 characters; the task and notes on the checks come around it). */
const MAX_BODY = 16_000;
const MAX_NOTES = 9_000;
/** Rows past it are counted, not listed (the commit message lists every update): the notes on the tier and the lockfile must fit. */
const MAX_TABLE = 8_000;
const MAX_LISTED_CHANGES = 20;
const NOTES_CUT = "_(release notes cut to fit the PR body)_";

/**
 * The body of a dependency PR: the task, a table of every update (package, manifest, from -> to, update
 * type, age, tier), the advisories it fixes, why the tier is what it is, the lockfile's check, the release
 * notes of exactly the versions in between, and how to roll it back. Pure.
 */
export function updatePrBody(input: UpdatePrBodyInput): string {
  const parts = [
    input.task,
    table(input.group.updates),
    ...(input.group.security.length ? [fixes(input.group.security)] : []),
    `**Tier:** ${input.tier}: ${input.tierWhy}.`,
    lockfileNote(input),
  ];
  const rollback = "**Rollback:** `pushpals revert <this PR>` once it merged (or `git revert` of its commit): the ranges and the lockfile return to what they were, nothing else changes.";
  let head = parts.join("\n\n");
  const maxHead = MAX_BODY - rollback.length - 2;
  if (head.length > maxHead) head = `${head.slice(0, maxHead - 100)}\n\n_(cut to fit the PR body)_`;
  // Whole blocks only: a cut inside one would leave its <details> open, folding the rollback line into it.
  const shown = releaseNotes(input.notes, MAX_BODY - head.length - rollback.length - 4);
  return [head, ...(shown ? [shown] : []), rollback].join("\n\n");
}

function table(updates: readonly PlannedUpdateRecord[]): string {
  const rows = updates.map((u) => {
    const age = u.ageDays === null ? "unknown" : `${u.ageDays} d`;
    const from = u.kind === "in-range" ? `${u.from} (${u.fromRange})` : `${u.fromRange} (${u.from})`;
    const to = u.kind === "in-range" ? `${u.to} (${u.newRange}, lockfile only)` : `${u.newRange} (${u.to})`;
    return `| ${cell(u.alias ? `${u.alias} (npm:${u.name})` : u.name)} | ${cell(u.manifestPath)} | ${cell(from)} | ${cell(to)} | ${u.updateType} | ${age} | ${u.tier} |`;
  });
  const kept: string[] = [];
  let size = 0;
  for (const row of rows) {
    if (size + row.length + 1 > MAX_TABLE) break;
    kept.push(row);
    size += row.length + 1;
  }
  const more = rows.length - kept.length;
  return ["| Package | Manifest | From | To | Update | Age | Tier |", "|---|---|---|---|---|---|---|", ...kept].join("\n") + (more > 0 ? `\n\n_and ${more} more updates (the commit message lists every one)_` : "");
}

function fixes(advisories: readonly AdvisoryRecord[]): string {
  // The registry's words: mentions inert, no closing keyword or issue link that acts on this repository.
  const text = (t: string) => unlinked(neutralize(plain(t)));
  return ["**Fixes these advisories of the installed versions:**", ...advisories.map((a) => `- ${a.severity}: ${text(a.title)} (${text(a.name)} ${text(a.vulnerableVersions)}) ${text(a.url)}`)].join("\n");
}

function lockfileNote(input: UpdatePrBodyInput): string {
  if (input.lockfile === null) return "**Lockfile:** none by design: only the manifests change.";
  const redirects = input.redirects ?? [];
  const redirected = redirects.length === 0 ? [] : [
    `**Lockfile: review this.** In ${input.lockfile}, ${redirects.length} package(s) now install from somewhere other than the registry the rest of it uses, so this PR is High:`,
    ...redirects.slice(0, MAX_LISTED_CHANGES).map((r) => `- \`${plain(r.name)}\` ${r.version.old ?? "none"} -> ${r.version.new ?? "none"}: ${r.changes.map((c) => `${c.field} ${plain(c.new ?? "none")}`).join(", ")}`),
    ...(redirects.length > MAX_LISTED_CHANGES ? [`- and ${redirects.length - MAX_LISTED_CHANGES} more`] : []),
  ];
  if (input.outOfScope.length === 0 && redirected.length > 0) return redirected.join("\n");
  if (input.outOfScope.length === 0) return `**Lockfile:** ${input.lockfile} regenerated by the repository's package manager in the sandbox (scripts off); only the updated packages and their dependencies changed in it.`;
  const listed = input.outOfScope.slice(0, MAX_LISTED_CHANGES).map((c) => `- \`${plain(c.name)}\` ${c.change}${c.from || c.to ? ` (${c.from ?? "none"} -> ${c.to ?? "none"})` : ""}`);
  const more = input.outOfScope.length > MAX_LISTED_CHANGES ? [`- and ${input.outOfScope.length - MAX_LISTED_CHANGES} more`] : [];
  return [`**Lockfile: review this.** Regenerating ${input.lockfile} also changed packages that are neither updated here nor a dependency of one, so this PR is High:`, ...listed, ...more, ...(redirected.length ? ["", ...redirected] : [])].join("\n");
}

/** At most `room` characters, of whole blocks and lines, ending in NOTES_CUT when some were left out. */
function releaseNotes(list: readonly NotesForPr[], room: number): string {
  const title = "### Release notes";
  let left = room - title.length - NOTES_CUT.length - 4;
  if (list.length === 0 || left <= 0) return "";
  let budget = MAX_NOTES;
  const blocks: string[] = [];
  let cut = false;
  for (const entry of list) {
    const head = `${plain(entry.name)} ${entry.from} -> ${entry.to}`;
    let item: string;
    if (!entry.notes.found) {
      item = `- ${head}: no release notes (${plain(entry.notes.why)})`;
    } else {
      const sections = entry.notes.sections.map((s) => `#### ${plain(s.version)}\n\n${quote(s.text)}`).join("\n\n");
      const block = `<details><summary>${escapeHtml(head)} (${escapeHtml(entry.notes.file)})</summary>\n\n${sections || "_no section for these versions_"}${entry.notes.truncated ? "\n\n_(cut)_" : ""}\n\n</details>`;
      if (block.length > budget || block.length + 2 > left) {
        item = `- ${head}: release notes in ${plain(entry.notes.file)} (too long to show here)`;
      } else {
        budget -= block.length;
        item = block;
      }
    }
    if (item.length + 2 > left) {
      cut = true;
      break;
    }
    left -= item.length + 2;
    blocks.push(item);
  }
  return [title, ...blocks, ...(cut ? [NOTES_CUT] : [])].join("\n\n");
}

/**
 * The changelog is the package author's text: quoted, so it cannot end the block or pass for this PR's own words.
 * Split at every markdown line end (a lone CR is one); the `<` of any details tag (`</details >` too) or of
 * a comment is written `&lt;`, which, unlike removing the tag, cannot join its halves into a new one.
 */
function quote(text: string): string {
  return text
    .split(/\r\n?|\n/)
    .map((line) => `> ${unlinked(line.replace(/<(?=\/?details|!--)/gi, "&lt;"))}`)
    .join("\n");
}

/**
 * Upstream's `#123` is not this repository's issue 123, and a link to an upstream issue or PR would
 * list this PR under it ("mentioned this"): the number keeps a word joiner, the link goes through
 * GitHub's redirect host, which creates no such back-reference.
 */
function unlinked(line: string): string {
  return line
    .replace(/(^|[^\w&/#])((?:[\w.-]+\/[\w.-]+)?#)(\d+)\b/g, "$1$2\u2060$3")
    .replace(/\bGH-(\d+)\b/gi, "GH-\u2060$1")
    .replace(/(?<![\w.-])(?:https?:\/\/)?(?:www\.)?github\.com\//gi, "https://redirect.github.com/");
}

function cell(text: string): string {
  return plain(text).replace(/\|/g, "\\|");
}

/** A registry's one-line text (a name, an advisory's title): no line break, and no HTML tag that could hide the rest of the body. */
function plain(text: string): string {
  return text.replace(/[\r\n]+/g, " ").replace(/</g, "&lt;").slice(0, 300);
}

function escapeHtml(text: string): string {
  return plain(text).replace(/&(?!lt;)/g, "&amp;").replace(/>/g, "&gt;");
}
