import { describe, expect, test } from "bun:test";
import { changelogSections, headingVersion, neutralize } from "./changelog-sections.ts";

const ZWJ = "\u200D";

describe("headingVersion", () => {
  test("the version a release heading starts with, in the common styles", () => {
    const cases: [string, string | null][] = [
      ["[1.4.0](https://example.test/compare/v1.3.0...v1.4.0) (2024-01-01)", "1.4.0"],
      ["v1.4.0", "1.4.0"],
      ["1.4.0 / 2024-01-01", "1.4.0"],
      ["[1.4.0] - 2024-01-01", "1.4.0"],
      ["<small>1.4.1 (2024-02-01)</small>", "1.4.1"],
      ["**2.0.0-rc.1**", "2.0.0-rc.1"],
      ["lib-a@1.2.0", "1.2.0"],
      ["@scope/lib 1.2.0", "1.2.0"],
      ["Version 3.0.0", "3.0.0"],
      ["Release v3.0.0", "3.0.0"],
      ["`1.2.3`", "1.2.3"],
      ["[Unreleased]", null],
      ["2024-01-01", null],
      ["Migrating from 1.x to 2.0.0", null],
      ["1.2", null],
      ["1.2.3.4", null],
      ["Changelog", null],
    ];
    for (const [text, version] of cases) expect([text, headingVersion(text)]).toEqual([text, version]);
  });
});

describe("changelogSections", () => {
  const changelog = [
    "# Changelog",
    "",
    "## [Unreleased]",
    "- not yet",
    "",
    "## [2.0.0](https://example.test/compare/v1.2.0...v2.0.0) (2024-04-01)",
    "### Breaking",
    "- dropped node 16",
    "",
    "# v1.2.0",
    "- one-two",
    "",
    "```sh",
    "## 9.9.9 in a fence is no heading",
    "```",
    "",
    "1.1.0 / 2024-02-01",
    "==================",
    "",
    "- one-one",
    "",
    "1.0.1 / 2024-01-15",
    "------------------",
    "- one-oh-one",
    "",
    "## 1.0.0",
    "- first",
  ].join("\n");

  test("exactly the versions after `from` up to `to`, in the file's order, bodies without headings", () => {
    const { sections, truncated } = changelogSections(changelog, "1.0.0", "1.2.0");
    expect(sections.map((s) => s.version)).toEqual(["1.2.0", "1.1.0", "1.0.1"]);
    expect(sections[0]!.text).toBe("- one-two\n\n```sh\n## 9.9.9 in a fence is no heading\n```");
    expect(sections[1]!.text).toBe("- one-one");
    expect(sections[2]!.text).toBe("- one-oh-one");
    expect(truncated).toBe(false);
    const major = changelogSections(changelog, "1.2.0", "2.0.0").sections;
    expect(major).toEqual([{ version: "2.0.0", text: "### Breaking\n- dropped node 16" }]);
    expect(changelogSections(changelog, "2.0.0", "2.0.0").sections).toEqual([]);
    expect(changelogSections(changelog, "not-a-version", "2.0.0").sections).toEqual([]);
  });

  test("a section ends at a heading of its level or above, not at a deeper one; prereleases on the way count", () => {
    const text = "## 1.1.0\n### Fixes\n- a\n## Contributors\n- someone\n## 1.1.0-beta.1\n- beta\n## 1.0.0\n";
    expect(changelogSections(text, "1.0.0", "1.1.0").sections).toEqual([
      { version: "1.1.0", text: "### Fixes\n- a" },
      { version: "1.1.0-beta.1", text: "- beta" },
    ]);
  });

  test("a version named twice keeps its first section; CRLF and a BOM read like LF", () => {
    const text = "\uFEFF## 1.1.0\r\n- first\r\n## 1.1.0\r\n- again\r\n";
    expect(changelogSections(text, "1.0.0", "1.1.0").sections).toEqual([{ version: "1.1.0", text: "- first" }]);
  });

  test("each section is bounded, then the total; a cut closes an open fence", () => {
    const long = `## 1.2.0\n${"- change\n".repeat(1_000)}## 1.1.0\n\`\`\`\n${"code line\n".repeat(1_000)}\`\`\`\n## 1.0.1\n- small\n`;
    const { sections, truncated } = changelogSections(long, "1.0.0", "1.2.0", { sectionChars: 500, totalChars: 20_000 });
    expect(truncated).toBe(true);
    expect(sections.map((s) => s.version)).toEqual(["1.2.0", "1.1.0", "1.0.1"]);
    for (const s of sections) expect(s.text.length).toBeLessThanOrEqual(500);
    expect(sections[0]!.text.endsWith("- change\n…")).toBe(true);
    expect(sections[1]!.text.endsWith("code line\n```\n…")).toBe(true);
    expect(sections[2]!.text).toBe("- small");

    const total = changelogSections(long, "1.0.0", "1.2.0", { sectionChars: 4_000, totalChars: 4_300 });
    expect(total.truncated).toBe(true);
    expect(total.sections.map((s) => s.version)).toEqual(["1.2.0", "1.1.0"]);
    expect(total.sections.reduce((n, s) => n + s.text.length, 0)).toBeLessThanOrEqual(4_300);
  });
});

describe("neutralize", () => {
  test("mentions get a zero-width joiner; emails, URLs, code and issue references stay", () => {
    const text = "Thanks @alice and (@bob-2)! @org/team fixed #123, see mail@example.test and https://www.npmjs.com/package/@scope/x\n`@not-in-code` ```\n```\n@fenced\n```";
    expect(neutralize(text)).toBe(
      `Thanks @${ZWJ}alice and (@${ZWJ}bob-2)! @${ZWJ}org/team fixed #123, see mail@example.test and https://www.npmjs.com/package/@scope/x\n\`@not-in-code\` \`\`\`\n\`\`\`\n@fenced\n\`\`\``,
    );
  });

  test("HTML comments go, even unclosed; tags show as text; autolinks stay", () => {
    expect(neutralize("a <!-- hidden --> b <details><summary>x</summary> <https://example.test/> 1 < 2")).toBe("a  b &lt;details>&lt;summary>x&lt;/summary> <https://example.test/> 1 < 2");
    expect(neutralize("kept <!-- never closed\n## and the rest")).toBe("kept ");
    expect(neutralize("`<b>` in code")).toBe("`<b>` in code");
  });

  test("in sections too", () => {
    const { sections } = changelogSections("## 1.1.0\n- by @carol <!-- note -->\n<img src=x>\n", "1.0.0", "1.1.0");
    expect(sections[0]!.text).toBe(`- by @${ZWJ}carol \n&lt;img src=x>`);
  });
});
