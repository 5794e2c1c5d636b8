import { expect, test } from "bun:test";
import { mergeChangelog, type ChangelogMerge } from "./changelog-merge.ts";

const text = (...lines: string[]) => lines.map((line) => `${line}\n`).join("");

const base = text("# Changelog", "", "## Unreleased", "", "- fix: old thing", "", "## 1.0.0", "", "- first release");

test("merges: both sides' new lines kept, in order", () => {
  const cases: [name: string, base: string, ours: string, theirs: string, expected: string][] = [
    [
      "both add an entry under Unreleased: both kept, ours first",
      base,
      text("# Changelog", "", "## Unreleased", "", "- feat: ours", "- fix: old thing", "", "## 1.0.0", "", "- first release"),
      text("# Changelog", "", "## Unreleased", "", "- feat: theirs", "- fix: old thing", "", "## 1.0.0", "", "- first release"),
      text("# Changelog", "", "## Unreleased", "", "- feat: ours", "- feat: theirs", "- fix: old thing", "", "## 1.0.0", "", "- first release"),
    ],
    [
      "several lines each",
      base,
      text("# Changelog", "", "## Unreleased", "", "- o1", "- o2", "- fix: old thing", "", "## 1.0.0", "", "- first release"),
      text("# Changelog", "", "## Unreleased", "", "- t1", "- t2", "- t3", "- fix: old thing", "", "## 1.0.0", "", "- first release"),
      text("# Changelog", "", "## Unreleased", "", "- o1", "- o2", "- t1", "- t2", "- t3", "- fix: old thing", "", "## 1.0.0", "", "- first release"),
    ],
    [
      "both add the identical line: kept once",
      base,
      text("# Changelog", "", "## Unreleased", "", "- feat: same", "- fix: old thing", "", "## 1.0.0", "", "- first release"),
      text("# Changelog", "", "## Unreleased", "", "- feat: same", "- fix: old thing", "", "## 1.0.0", "", "- first release"),
      text("# Changelog", "", "## Unreleased", "", "- feat: same", "- fix: old thing", "", "## 1.0.0", "", "- first release"),
    ],
    [
      "both add a release section above the last release: the shared heading once",
      base,
      text("# Changelog", "", "## Unreleased", "", "- fix: old thing", "", "## 1.1.0", "", "- ours", "", "## 1.0.0", "", "- first release"),
      text("# Changelog", "", "## Unreleased", "", "- fix: old thing", "", "## 1.1.0", "", "- theirs", "", "## 1.0.0", "", "- first release"),
      text("# Changelog", "", "## Unreleased", "", "- fix: old thing", "", "## 1.1.0", "", "- ours", "- theirs", "", "## 1.0.0", "", "- first release"),
    ],
    [
      "one side edits an old entry while the other adds at the top",
      base,
      text("# Changelog", "", "## Unreleased", "", "- fix: old thing", "", "## 1.0.0", "", "- first release (typo fixed)"),
      text("# Changelog", "", "## Unreleased", "", "- feat: new", "- fix: old thing", "", "## 1.0.0", "", "- first release"),
      text("# Changelog", "", "## Unreleased", "", "- feat: new", "- fix: old thing", "", "## 1.0.0", "", "- first release (typo fixed)"),
    ],
    [
      "one side deletes an old entry while the other adds at the top",
      base,
      text("# Changelog", "", "## Unreleased", "", "- feat: new", "- fix: old thing", "", "## 1.0.0", "", "- first release"),
      text("# Changelog", "", "## Unreleased", "", "- fix: old thing", "", "## 1.0.0"),
      text("# Changelog", "", "## Unreleased", "", "- feat: new", "- fix: old thing", "", "## 1.0.0"),
    ],
    [
      "CRLF on ours: the result is CRLF, lines compare without their endings",
      base.replace(/\n/g, "\r\n"),
      text("# Changelog", "", "## Unreleased", "", "- ours", "- fix: old thing", "", "## 1.0.0", "", "- first release").replace(/\n/g, "\r\n"),
      text("# Changelog", "", "## Unreleased", "", "- theirs", "- fix: old thing", "", "## 1.0.0", "", "- first release"),
      text("# Changelog", "", "## Unreleased", "", "- ours", "- theirs", "- fix: old thing", "", "## 1.0.0", "", "- first release").replace(/\n/g, "\r\n"),
    ],
    [
      "LF ours over a CRLF base",
      base.replace(/\n/g, "\r\n"),
      text("# Changelog", "", "## Unreleased", "", "- ours", "- fix: old thing", "", "## 1.0.0", "", "- first release"),
      text("# Changelog", "", "## Unreleased", "", "- theirs", "- fix: old thing", "", "## 1.0.0", "", "- first release").replace(/\n/g, "\r\n"),
      text("# Changelog", "", "## Unreleased", "", "- ours", "- theirs", "- fix: old thing", "", "## 1.0.0", "", "- first release"),
    ],
    [
      "empty base: both files kept, the lines they start with once",
      "",
      text("# Changelog", "", "## Unreleased", "", "- ours"),
      text("# Changelog", "", "## Unreleased", "", "- theirs"),
      text("# Changelog", "", "## Unreleased", "", "- ours", "- theirs"),
    ],
    [
      "no final newline: kept when neither side changes it",
      "## Unreleased\n- a",
      "## Unreleased\n- ours\n- a",
      "## Unreleased\n- theirs\n- a",
      "## Unreleased\n- ours\n- theirs\n- a",
    ],
    [
      "a final newline one side added survives",
      "## Unreleased\n- a",
      "## Unreleased\n- ours\n- a\n",
      "## Unreleased\n- theirs\n- a",
      "## Unreleased\n- ours\n- theirs\n- a\n",
    ],
    [
      "appended at the end on both sides",
      text("# Changelog", "- a"),
      text("# Changelog", "- a", "- ours"),
      text("# Changelog", "- a", "- theirs"),
      text("# Changelog", "- a", "- ours", "- theirs"),
    ],
    [
      "a heading renamed while the other side adds a section of its own above the next release",
      base,
      base.replace("## Unreleased", "## 1.1.0"),
      base.replace("## 1.0.0", "## 1.0.1\n\n- theirs\n\n## 1.0.0"),
      base.replace("## Unreleased", "## 1.1.0").replace("## 1.0.0", "## 1.0.1\n\n- theirs\n\n## 1.0.0"),
    ],
    [
      "the same, with the new section placed right under the renamed one's last entry",
      base,
      base.replace("## Unreleased", "## 1.1.0"),
      base.replace("- fix: old thing\n", "- fix: old thing\n## 1.0.1\n- theirs\n"),
      base.replace("## Unreleased", "## 1.1.0").replace("- fix: old thing\n", "- fix: old thing\n## 1.0.1\n- theirs\n"),
    ],
    [
      "the same edit on both sides is applied once",
      base,
      base.replace("old thing", "older thing").replace("- first release", "- ours\n- first release"),
      base.replace("old thing", "older thing"),
      base.replace("old thing", "older thing").replace("- first release", "- ours\n- first release"),
    ],
  ];
  for (const [name, b, o, t, expected] of cases) {
    expect({ name, result: mergeChangelog(b, o, t) }).toEqual({ name, result: { ok: true, text: expected } });
  }
});

test("refusals: overlapping or adjacent changes, and files too large", () => {
  const big = "x".repeat(1024 * 1024 + 1);
  const many = "- entry\n".repeat(20_001);
  const cases: [name: string, base: string, ours: string, theirs: string, why: RegExp][] = [
    ["both edit the same entry", base, base.replace("old thing", "ours"), base.replace("old thing", "theirs"), /both change base line 5 /],
    ["one edits, the other deletes it", base, base.replace("- fix: old thing\n", ""), base.replace("old thing", "theirs"), /both change base line 5 /],
    [
      "one renames Unreleased to a release while the other adds under it",
      base,
      base.replace("## Unreleased", "## 1.1.0"),
      base.replace("## Unreleased\n\n", "## Unreleased\n\n- theirs\n"),
      /^ours edits or deletes the heading at base line 3 \(## Unreleased\) while theirs adds lines to its section$/,
    ],
    [
      "the same the other way round, at the end of the section",
      base,
      base.replace("- fix: old thing\n", "- fix: old thing\n- ours\n"),
      base.replace("## Unreleased", "## 1.1.0"),
      /^theirs edits or deletes the heading at base line 3 .* while ours adds lines to its section$/,
    ],
    ["base too large", big, "a", "b", /^base is larger than 1 MiB$/],
    ["ours too large", "a", big, "b", /^ours is larger than 1 MiB$/],
    ["theirs has too many lines", "a", "b", many, /^theirs has more than 20000 lines$/],
  ];
  for (const [name, b, o, t, why] of cases) {
    const result: ChangelogMerge = mergeChangelog(b, o, t);
    expect({ name, ok: result.ok }).toEqual({ name, ok: false });
    if (!result.ok) expect(result.why).toMatch(why);
  }
});

test("a side that rewrote everything past the diff budget is refused, not merged slowly", () => {
  const old = Array.from({ length: 5000 }, (_, i) => `- old ${i}`).join("\n");
  const rewritten = Array.from({ length: 5000 }, (_, i) => `- new ${i}`).join("\n");
  const result = mergeChangelog(old, rewritten, `- theirs\n${old}`);
  expect(result).toEqual({ ok: false, why: "ours differs from base in too many lines to merge line by line" });
});

test("when one side is base, the other side's text comes back as it is", () => {
  const changed = "## Unreleased\r\n- a\n- b";
  expect(mergeChangelog(base, base, changed)).toEqual({ ok: true, text: changed });
  expect(mergeChangelog(base, changed, base)).toEqual({ ok: true, text: changed });
  expect(mergeChangelog(base, changed, changed)).toEqual({ ok: true, text: changed });
});
