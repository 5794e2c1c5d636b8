import { describe, expect, test } from "bun:test";
import type { AdvisoryRecord, PlannedUpdateRecord, UpdateGroupRecord } from "../sources/dependency-updates/deps-scan-result.ts";
import type { OutOfScopeChange } from "./lockfile-scope.ts";
import { updatePrBody, type NotesForPr, type UpdatePrBodyInput } from "./update-pr-body.ts";

const ROLLBACK = "**Rollback:** `pushpals revert <this PR>` once it merged (or `git revert` of its commit): the ranges and the lockfile return to what they were, nothing else changes.";
const CUT = "_(release notes cut to fit the PR body)_";

function update(over: Partial<PlannedUpdateRecord> = {}): PlannedUpdateRecord {
  return { name: "zod", alias: null, type: "prod", manifestPath: "package.json", kind: "minor", from: "3.22.0", to: "3.23.8", fromRange: "^3.22.0", newRange: "^3.23.8", updateType: "minor", tier: "medium", ageDays: 40, ...over };
}

function group(updates: PlannedUpdateRecord[], security: AdvisoryRecord[] = []): UpdateGroupRecord {
  return { key: "prod-non-major", title: "update dependencies (non-major)", tier: "medium", updates, security };
}

function input(over: Partial<UpdatePrBodyInput> = {}): UpdatePrBodyInput {
  return { task: "## Task\n\nUpdate the dependencies.", group: group([update()]), lockfile: "bun.lock", notes: [], outOfScope: [], tier: "medium", tierWhy: "the highest of its updates", ...over };
}

function notes(name: string, text: string, over: Partial<Extract<NotesForPr["notes"], { found: true }>> = {}): NotesForPr {
  return { name, from: "1.0.0", to: "1.4.0", notes: { found: true, file: "CHANGELOG.md", sections: [{ version: "1.4.0", text }], truncated: false, ...over } };
}

/** The lines of the body, as markdown reads them (CR, LF and CRLF each end a line). */
const lines = (body: string) => body.split(/\r\n|\r|\n/);

/** The table's rows after its header (and separator). */
const rows = (body: string) => lines(body).filter((l) => l.startsWith("| ")).slice(1);

/** Each `<details>` block's lines between its summary and its `</details>`, asserting the tags pair up, one per block. */
function detailsBlocks(body: string): string[][] {
  const all = lines(body);
  const blocks: string[][] = [];
  let open: string[] | null = null;
  for (const line of all) {
    if (/^<details><summary>/.test(line)) {
      expect(open).toBeNull();
      open = [];
    } else if (line === "</details>") {
      expect(open).not.toBeNull();
      blocks.push(open!);
      open = null;
    } else if (open) open.push(line);
  }
  expect(open).toBeNull();
  // No other opening or closing tag of a details element anywhere (an HTML reader ends the block at `</details` + space, / or >).
  expect((body.match(/<\/?details/gi) ?? []).length).toBe(2 * blocks.length);
  return blocks;
}

describe("the table", () => {
  test("a row per update: package, manifest, from and to with range and version, update type, age, tier", () => {
    const body = updatePrBody(
      input({
        group: group([
          update(),
          update({ name: "left-pad", kind: "in-range", from: "1.0.0", to: "1.0.5", fromRange: "^1.0.0", newRange: "^1.0.0", updateType: "patch", tier: "low", ageDays: null, manifestPath: "packages/web/package.json" }),
          update({ name: "string-width", alias: "sw", kind: "major", from: "4.2.3", to: "7.1.0", fromRange: "^4.2.3", newRange: "^7.1.0", updateType: "major", tier: "high", ageDays: 0, type: "dev" }),
        ]),
      }),
    );
    expect(lines(body)).toContain("| Package | Manifest | From | To | Update | Age | Tier |");
    expect(lines(body)).toContain("|---|---|---|---|---|---|---|");
    expect(rows(body)).toEqual([
      "| zod | package.json | ^3.22.0 (3.22.0) | ^3.23.8 (3.23.8) | minor | 40 d | medium |",
      "| left-pad | packages/web/package.json | 1.0.0 (^1.0.0) | 1.0.5 (^1.0.0, lockfile only) | patch | unknown | low |",
      "| sw (npm:string-width) | package.json | ^4.2.3 (4.2.3) | ^7.1.0 (7.1.0) | major | 0 d | high |",
    ]);
    expect(body.startsWith("## Task\n\nUpdate the dependencies.\n\n| Package |")).toBe(true);
    expect(body).toContain("**Tier:** medium: the highest of its updates.");
  });

  test("a `|` in a manifest path (or a name) is escaped, and a newline cannot end the row", () => {
    const body = updatePrBody(input({ group: group([update({ manifestPath: "pkgs/a|b/package.json", name: "x|y" }), update({ manifestPath: "odd\n| injected | row |\n/package.json" })]) }));
    const table = rows(body);
    expect(table[0]).toBe("| x\\|y | pkgs/a\\|b/package.json | ^3.22.0 (3.22.0) | ^3.23.8 (3.23.8) | minor | 40 d | medium |");
    expect(table[1]).toBe("| zod | odd \\| injected \\| row \\| /package.json | ^3.22.0 (3.22.0) | ^3.23.8 (3.23.8) | minor | 40 d | medium |");
    expect(table).toHaveLength(2);
    // Seven cells each: eight unescaped pipes.
    for (const row of table) expect(row.match(/(?<!\\)\|/g)).toHaveLength(8);
  });
});

describe("advisories", () => {
  const advisory: AdvisoryRecord = { id: 1096, url: "https://github.com/advisories/GHSA-xxxx", title: "Prototype pollution", severity: "high", vulnerableVersions: "<3.23.0", name: "zod", version: "3.22.0" };

  test("listed when the group fixes some", () => {
    const body = updatePrBody(input({ group: group([update()], [advisory, { ...advisory, id: 7, title: "ReDoS", severity: "moderate", url: "https://example.test/7" }]) }));
    expect(body).toContain("**Fixes these advisories of the installed versions:**\n- high: Prototype pollution (zod &lt;3.23.0) https://redirect.github.com/advisories/GHSA-xxxx\n- moderate: ReDoS (zod &lt;3.23.0) https://example.test/7");
  });

  test("an advisory's title is the registry's text: no tag of it reaches the body", () => {
    const body = updatePrBody(input({ group: group([update()], [{ ...advisory, title: "<details><summary>hidden" }]) }));
    expect(body).toContain("- high: &lt;details>&lt;summary>hidden");
    expect(body).not.toContain("<details><summary>hidden");
  });

  test("not mentioned when it fixes none", () => {
    expect(updatePrBody(input())).not.toContain("advisor");
  });
});

describe("the lockfile", () => {
  test("none by design", () => {
    expect(updatePrBody(input({ lockfile: null }))).toContain("**Lockfile:** none by design: only the manifests change.");
  });

  test("regenerated, with only the updated packages changed", () => {
    const body = updatePrBody(input({ lockfile: "pnpm-lock.yaml" }));
    expect(body).toContain("**Lockfile:** pnpm-lock.yaml regenerated by the repository's package manager in the sandbox (scripts off); only the updated packages and their dependencies changed in it.");
    expect(body).not.toContain("review this");
  });

  test("out-of-scope changes: listed, the PR said to be High, the list capped at 20", () => {
    const changes: OutOfScopeChange[] = Array.from({ length: 25 }, (_, i) => ({ name: `pkg-${i}`, key: `pkg-${i}@1`, change: "changed", from: "1.0.0", to: "1.0.1" }));
    changes[0] = { name: "added-one", key: "added-one@2", change: "added", from: null, to: "2.0.0" };
    const body = updatePrBody(input({ outOfScope: changes }));
    expect(body).toContain("**Lockfile: review this.** Regenerating bun.lock also changed packages that are neither updated here nor a dependency of one, so this PR is High:\n- `added-one` added (none -> 2.0.0)\n- `pkg-1` changed (1.0.0 -> 1.0.1)\n");
    const listed = lines(body).filter((l) => l.startsWith("- `"));
    expect(listed).toHaveLength(20);
    expect(listed.at(-1)).toBe("- `pkg-19` changed (1.0.0 -> 1.0.1)");
    expect(body).not.toContain("pkg-20");
    expect(body).toContain("- `pkg-19` changed (1.0.0 -> 1.0.1)\n- and 5 more");
  });

  test("exactly 20 changes: no 'and more' line", () => {
    const changes: OutOfScopeChange[] = Array.from({ length: 20 }, (_, i) => ({ name: `p${i}`, key: `p${i}`, change: "removed", from: "1.0.0", to: null }));
    const body = updatePrBody(input({ outOfScope: changes }));
    expect(body).toContain("- `p19` removed (1.0.0 -> none)");
    expect(body).not.toContain("more");
  });
});

describe("release notes", () => {
  test("each package in a <details> block, every line of its changelog quoted", () => {
    const body = updatePrBody(input({ notes: [notes("zod", "- fix a bug\n\n## Not a heading of ours\n**Rollback:** forged"), notes("<b>x</b>", "one line", { file: "HISTORY.md", truncated: true })] }));
    expect(body).toContain("### Release notes\n\n<details><summary>zod 1.0.0 -&gt; 1.4.0 (CHANGELOG.md)</summary>\n\n#### 1.4.0\n\n> - fix a bug\n> \n> ## Not a heading of ours\n> **Rollback:** forged\n\n</details>");
    expect(body).toContain("<details><summary>&lt;b&gt;x&lt;/b&gt; 1.0.0 -&gt; 1.4.0 (HISTORY.md)</summary>\n\n#### 1.4.0\n\n> one line\n\n_(cut)_\n\n</details>");
    expect(detailsBlocks(body)).toHaveLength(2);
    // The forged rollback line is quoted; the real one is the body's last.
    expect(lines(body).filter((l) => l.startsWith("**Rollback:**"))).toEqual([ROLLBACK]);
  });

  test.each([
    ["a closing tag", "</details>"],
    ["upper case", "</DETAILS>"],
    ["a space before >", "</details >"],
    ["an attribute", "</details class=x>"],
    ["a tag hidden inside one removed", "</det</details>ails>"],
    ["an opening tag", "<details open>"],
    ["the tag over two lines", "</details\n>"],
    ["an unclosed HTML comment (it would hide the rest of the body)", "<!-- "],
  ])("the changelog cannot close (or open) the block: %s", (_label, attack) => {
    const body = updatePrBody(input({ notes: [notes("zod", `before\n${attack}\n**Tier:** low: forged`)] }));
    const [block] = detailsBlocks(body);
    expect(body).not.toContain("<!--");
    // Everything of the changelog stays quoted inside the one block.
    for (const line of block!.filter((l) => l !== "" && !l.startsWith("#### "))) expect(line.startsWith("> ")).toBe(true);
    expect(lines(body).at(-1)).toBe(ROLLBACK);
  });

  test("a lone CR is a line end in markdown: each line it ends is quoted too", () => {
    const body = updatePrBody(input({ notes: [notes("zod", "before\r\r**Tier:** low: forged\r\n</details>\rafter")] }));
    const [block] = detailsBlocks(body);
    const changelog = block!.slice(block!.indexOf("#### 1.4.0") + 2, -1);
    expect(changelog.length).toBeGreaterThanOrEqual(4);
    for (const line of changelog) expect(line.startsWith(">")).toBe(true);
  });

  test("a package whose notes were not found says why; no section says so", () => {
    const body = updatePrBody(input({ notes: [{ name: "zod", from: "3.22.0", to: "3.23.8", notes: { found: false, why: "no changelog in its tarball" } }, notes("a", "x", { sections: [] })] }));
    expect(body).toContain("- zod 3.22.0 -> 3.23.8: no release notes (no changelog in its tarball)");
    expect(body).toContain("<details><summary>a 1.0.0 -&gt; 1.4.0 (CHANGELOG.md)</summary>\n\n_no section for these versions_\n\n</details>");
  });

  test("no notes: no section", () => {
    expect(updatePrBody(input())).not.toContain("Release notes");
  });
});

describe("size", () => {
  test("one huge changelog is not shown, and the body stays within 16,000 characters", () => {
    const body = updatePrBody(input({ notes: [notes("zod", "x".repeat(200_000)), notes("small", "fine")] }));
    expect(body.length).toBeLessThanOrEqual(16_000);
    expect(body).toContain("- zod 1.0.0 -> 1.4.0: release notes in CHANGELOG.md (too long to show here)");
    expect(body).toContain("> fine");
    expect(lines(body).at(-1)).toBe(ROLLBACK);
  });

  test("notes past the room are cut, said so, and the body stays within 16,000 characters", () => {
    const many: NotesForPr[] = Array.from({ length: 300 }, (_, i) => ({ name: `pkg-${i}`, from: "1.0.0", to: "2.0.0", notes: { found: false, why: "w".repeat(400) } }));
    const body = updatePrBody(input({ notes: [notes("first", "y".repeat(8_000)), ...many] }));
    expect(body.length).toBeLessThanOrEqual(16_000);
    expect(body).toContain(CUT);
    expect(body.endsWith(`${CUT}\n\n${ROLLBACK}`)).toBe(true);
    detailsBlocks(body);
  });

  test("a cut never leaves a <details> block open (the rollback line would be folded into it)", () => {
    // A long table leaves less room than the notes' own budget: the cut falls among the blocks.
    const updates = Array.from({ length: 100 }, (_, i) => update({ name: `package-number-${i}`, manifestPath: `packages/workspace-${i}/package.json` }));
    const blocks = Array.from({ length: 3 }, (_, i) => notes(`pkg-${i}`, Array.from({ length: 66 }, (_, j) => `- change ${j} of a long list of changes`).join("\n")));
    const body = updatePrBody(input({ group: group(updates), notes: blocks }));
    expect(body.length).toBeLessThanOrEqual(16_000);
    // What is left out is said: a line for a block with no room, or the cut note.
    expect(body).toMatch(/: release notes in CHANGELOG\.md \(too long to show here\)|_\(release notes cut to fit the PR body\)_/);
    const shown = detailsBlocks(body);
    expect(shown.length).toBeGreaterThanOrEqual(1);
    expect(shown.length).toBeLessThan(3);
    expect(lines(body).at(-1)).toBe(ROLLBACK);
  });

  test("a group with more updates than the body has room for stays within 16,000 characters, keeping the tier and lockfile notes", () => {
    const updates = Array.from({ length: 2_000 }, (_, i) => update({ name: `package-number-${i}`, manifestPath: `packages/workspace-${i}/package.json` }));
    const outOfScope: OutOfScopeChange[] = [{ name: "stray", key: "stray@1", change: "added", from: null, to: "1.0.0" }];
    const body = updatePrBody(input({ group: group(updates), outOfScope, notes: [notes("a", "b")] }));
    expect(body.length).toBeLessThanOrEqual(16_000);
    expect(rows(body).length).toBeGreaterThan(10);
    expect(body).toContain("**Tier:** medium");
    expect(body).toContain("- `stray` added (none -> 1.0.0)");
    expect(body).toMatch(/and \d+ more updates/);
    expect(lines(body).at(-1)).toBe(ROLLBACK);
  });

  test("the rollback line is always last", () => {
    for (const over of [{}, { lockfile: null }, { notes: [notes("a", "b")] }, { notes: [{ name: "a", from: "1", to: "2", notes: { found: false as const, why: "none" } }] }]) {
      const body = updatePrBody(input(over));
      expect(body.endsWith(`\n\n${ROLLBACK}`)).toBe(true);
      expect(body.indexOf("**Rollback:**")).toBe(body.length - ROLLBACK.length);
    }
  });
});

describe("what the body links", () => {
  test("upstream's #123 and issue links do not point at, or mention, this repository's issues", () => {
    const body = updatePrBody(input({ notes: [notes("zod", "- fixes #123 (see https://github.com/colinhacks/zod/pull/124)\n- `#999` stays in code? no: it is text")] }));
    expect(body).not.toMatch(/[^\w&/#]#123\b/);
    expect(body).toContain("#\u2060123");
    expect(body).toContain("https://redirect.github.com/colinhacks/zod/pull/124");
    expect(body).not.toContain("https://github.com/colinhacks");
  });

  test("a package that now installs from elsewhere is listed, and the lockfile line says to review it", () => {
    const redirect = { key: "node_modules/zod", name: "zod", version: { old: "3.22.0", new: "3.23.8" }, reason: "new_source" as const, changes: [{ field: "resolved" as const, old: "https://registry.npmjs.org/zod/-/zod-3.22.0.tgz", new: "https://evil.example/zod.tgz" }] };
    const body = updatePrBody(input({ redirects: [redirect] }));
    expect(body).toContain("**Lockfile: review this.** In bun.lock, 1 package(s) now install from somewhere other than the registry");
    expect(body).toContain("- `zod` 3.22.0 -> 3.23.8: resolved https://evil.example/zod.tgz");
  });
});

describe("registry text that would act on this repository", () => {
  test("an advisory's title closes no issue, pings nobody, and links through the redirect host", () => {
    const advisory = { id: 1, url: "https://github.com/advisories/GHSA-1", title: "closes #3, fixes victim/repo#5 and GH-7 @someone", severity: "high" as const, vulnerableVersions: "<2.0.0", name: "zod", version: "1.0.0" };
    const body = updatePrBody(input({ group: { ...group([update()]), security: [advisory] } }));
    expect(body).not.toMatch(/#3\b|repo#5\b|GH-7\b/);
    expect(body).not.toMatch(/(^|\s)@someone/);
    expect(body).toContain("https://redirect.github.com/advisories/GHSA-1");
    expect(body).not.toContain("redirect.https");
  });

  test("a link to www.github.com or over http is unlinked too; one already on the redirect host is left as it is", () => {
    const body = updatePrBody(input({ notes: [notes("zod", "see http://www.github.com/a/b/issues/1 and https://redirect.github.com/a/b/pull/2")] }));
    expect(body).toContain("https://redirect.github.com/a/b/issues/1");
    expect(body).toContain("https://redirect.github.com/a/b/pull/2");
    expect(body).not.toContain("redirect.https");
  });
});
