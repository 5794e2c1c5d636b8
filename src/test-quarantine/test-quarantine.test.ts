import { describe, expect, test } from "bun:test";
import { mkdirSync, symlinkSync } from "node:fs";
import { isPushpalsError } from "../core/errors.ts";
import { tempRepo } from "../review/review-fixture.ts";
import { activeEntries, applyQuarantine } from "./apply-quarantine.ts";
import { addEntries, entryBlock, QUARANTINE_HEADER, removeEntries } from "./edit-quarantine.ts";
import { parseQuarantine } from "./parse-quarantine.ts";
import { quarantineAt } from "./quarantine-at.ts";
import { latestExpiry, QUARANTINE_FILE, type QuarantineEntry } from "./quarantine-entry.ts";
import { evidenceProblems } from "./quarantine-evidence.ts";
import { entry } from "./quarantine-fixture.ts";

const sha = (c: string) => c.repeat(40);

const block = (e: QuarantineEntry, eol = "\n") => entryBlock(e).join(eol) + eol;

function errorOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (err) {
    if (isPushpalsError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error("expected an error");
}

describe("parseQuarantine", () => {
  test("an empty file, a comment-only file: no entries", () => {
    expect(parseQuarantine("")).toEqual({ entries: [] });
    expect(parseQuarantine("# nothing yet\n")).toEqual({ entries: [] });
  });

  test("entries in file order; TOML dates and quoted dates read alike", () => {
    const text = `${block(entry())}\n${block(entry({ id: "b" })).replace('added = "2025-01-10"', "added = 2025-01-10")}`;
    expect(parseQuarantine(text).entries).toEqual([entry(), entry({ id: "b" })]);
  });

  const bad: { name: string; text: string; message: RegExp }[] = [
    { name: "not TOML", text: "[[test]]\nid = \n", message: /quarantine\.toml at line 2, column \d+: not valid TOML/ },
    { name: "an unknown top-level key", text: "mode = \"all\"\n", message: /unknown key "mode": the file holds only \[\[test\]\] entries/ },
    { name: "an unknown key in an entry", text: block(entry()).replace("[[test]]\n", "[[test]]\nwhy = 1\n"), message: /test entry 1 \(line 1\) "src\/a.test.ts > math > adds": unknown key "why"/ },
    { name: "a missing expiry", text: block(entry()).replace(/expires = .*\n/, ""), message: /test entry 1 \(line 1\).*: expires: / },
    { name: "an expiry past the limit", text: block(entry({ expires: "2025-06-01" })), message: /expires: must be at most 90 days after added \(2025-01-10\)/ },
    { name: "an expiry before it was added", text: block(entry({ expires: "2025-01-10" })), message: /expires: must be after added/ },
    { name: "a pattern for an id", text: block(entry({ id: "src/a.test.ts > *" })), message: /id: must be one exact test id .* no `\*`/ },
    { name: "no commits", text: block(entry({ commits: [] })), message: /commits: must name at least one commit/ },
    { name: "a short commit", text: block(entry()).replace(sha("a"), "abc123"), message: /commits\.0: must be a full 40-character commit SHA/ },
    { name: "more failures than runs", text: block(entry({ failures: 6 })), message: /failures: must be at most runs \(5\)/ },
    { name: "a score above 1", text: block(entry({ score: 2 })), message: /score: / },
    { name: "an approval other than the PR's", text: block(entry()).replace('approval = "pr"', 'approval = "alice"'), message: /approval: / },
    { name: "not a date", text: block(entry({ added: "2025-02-30" })), message: /added: must be a date written YYYY-MM-DD/ },
  ];
  for (const c of bad) {
    test(`refused, naming the line and entry: ${c.name}`, () => {
      const err = errorOf(() => parseQuarantine(c.text));
      expect(err.code).toBe("invalid_input");
      expect(err.message).toMatch(c.message);
    });
  }

  test("a duplicate id is refused, naming both entries", () => {
    const text = `${block(entry())}\n${block(entry({ id: "b" }))}\n${block(entry({ check: "lint" }))}`;
    expect(errorOf(() => parseQuarantine(text)).message).toBe(
      `${QUARANTINE_FILE}: test entry 3 (line 29) "src/a.test.ts > math > adds": the test is already quarantined by test entry 1 (line 1)`,
    );
  });

  test("the second entry's line is named", () => {
    const text = `# header\n\n${block(entry())}\n${block(entry({ id: "b", runs: 0 }))}`;
    expect(errorOf(() => parseQuarantine(text)).message).toMatch(/test entry 2 \(line 17\) "b": runs: /);
  });
});

describe("activeEntries and applyQuarantine", () => {
  const file = { entries: [entry({ id: "a" }), entry({ id: "b", check: "lint" }), entry({ id: "c", added: "2025-03-01", expires: "2025-04-01" })] };
  const at = (date: string) => Date.parse(`${date}T12:00:00Z`);

  test("only this check's entries, from added until the expiry date (00:00 UTC)", () => {
    expect(activeEntries(file, "test", at("2025-01-20")).map((e) => e.id)).toEqual(["a"]);
    expect(activeEntries(file, "lint", at("2025-01-20")).map((e) => e.id)).toEqual(["b"]);
    expect(activeEntries(file, "test", Date.parse("2025-02-08T23:59:59Z")).map((e) => e.id)).toEqual(["a"]);
    expect(activeEntries(file, "test", Date.parse("2025-02-09T00:00:00Z"))).toEqual([]);
    expect(activeEntries(file, "test", at("2025-03-15")).map((e) => e.id)).toEqual(["c"]);
    expect(activeEntries(file, "test", new Date("2025-01-09T23:00:00Z"))).toEqual([]);
    expect(activeEntries(file, "build", at("2025-01-20"))).toEqual([]);
  });

  test("failed ids split into quarantined and still failing, exact ids only, order kept", () => {
    expect(applyQuarantine(["x", "a", "a (2)", "b"], [entry({ id: "a" }), entry({ id: "b" })])).toEqual({ quarantined: ["a", "b"], stillFailing: ["x", "a (2)"] });
    expect(applyQuarantine(["x"], [])).toEqual({ quarantined: [], stillFailing: ["x"] });
    expect(applyQuarantine([], [entry()])).toEqual({ quarantined: [], stillFailing: [] });
  });
});

describe("evidenceProblems", () => {
  const now = Date.parse("2025-01-10T10:00:00Z");
  test("flaky evidence: some runs failed, some passed", () => {
    expect(evidenceProblems(entry(), now)).toEqual([]);
    expect(evidenceProblems(entry({ runs: 1, failures: 1 }), now)).toEqual(["1 run(s): flaky evidence needs at least 2", "failed all 1 runs: that is a broken test, not a flaky one (fix or revert it)"]);
    expect(evidenceProblems(entry({ failures: 0 }), now)).toEqual(["no failure among its 5 runs: nothing to quarantine"]);
    expect(evidenceProblems(entry({ failures: 5 }), now)).toEqual(["failed all 5 runs: that is a broken test, not a flaky one (fix or revert it)"]);
    expect(evidenceProblems(entry({ score: 0 }), now)).toEqual(["a flakiness score of 0"]);
    expect(evidenceProblems(entry({ added: "2025-03-01", expires: "2025-04-01" }), now)).toEqual(["added 2025-03-01, a date still to come (its expiry counts from it)"]);
  });

  test("the latest expiry is 90 days on", () => {
    expect(latestExpiry("2025-01-10")).toBe("2025-04-10");
    expect(parseQuarantine(block(entry({ expires: latestExpiry("2025-01-10") }))).entries).toHaveLength(1);
  });
});

describe("addEntries", () => {
  test("no file: the header comment, then the blocks", () => {
    const out = addEntries(null, [entry(), entry({ id: 'b "quoted" \\ path' })]);
    expect(out).toBe(`${QUARANTINE_HEADER.join("\n")}\n\n${block(entry())}\n${block(entry({ id: 'b "quoted" \\ path' }))}`);
    expect(parseQuarantine(out).entries.map((e) => e.id)).toEqual(["src/a.test.ts > math > adds", 'b "quoted" \\ path']);
  });

  test("an existing file is kept byte for byte, comments and odd spacing included", () => {
    const text = `# ours\n#   keep   this\n\n[[test]]   # inline\nid    = "x" # why\ncheck = "test"\nreason = 'literal'\nscore = 0.5\nruns = 4\nfailures = 1\ncommits = [\n  "${sha("c")}",\n]\ntriage_job = "job_0123456789abcdef"\nadded = 2025-01-01\nexpires = 2025-01-31\nrequested_by = "os:alice"\napproval = "pr"`;
    const out = addEntries(text, [entry()]);
    expect(out.startsWith(text)).toBe(true);
    expect(out).toBe(`${text}\n\n${block(entry())}`);
    expect(parseQuarantine(out).entries.map((e) => e.id)).toEqual(["x", "src/a.test.ts > math > adds"]);
  });

  test("CRLF files stay CRLF", () => {
    const text = `# crlf\r\n\r\n${block(entry({ id: "x" }), "\r\n")}`;
    const out = addEntries(text, [entry()]);
    expect(out).toBe(`${text}\r\n${block(entry(), "\r\n")}`);
    expect(out.replace(/\r\n/g, "")).not.toContain("\n");
  });

  test("an empty file gets the blocks alone", () => {
    expect(addEntries("", [entry()])).toBe(block(entry()));
  });

  test("refused: an id already listed, twice in the request, an invalid entry, a malformed file", () => {
    expect(errorOf(() => addEntries(block(entry()), [entry()])).message).toMatch(/"src\/a.test.ts > math > adds" is already in \.pushpals\/quarantine\.toml/);
    expect(errorOf(() => addEntries(null, [entry(), entry()])).message).toMatch(/quarantine entry 2: .* is already in/);
    expect(errorOf(() => addEntries(null, [entry({ id: "a > *" })])).message).toMatch(/quarantine entry 1: id: must be one exact test id/);
    expect(errorOf(() => addEntries(null, [entry({ reason: "two\nlines" })])).message).toMatch(/reason: must be one line of text/);
    expect(errorOf(() => addEntries("[[test]]\nid = 1\n", [entry()])).code).toBe("invalid_input");
  });
});

describe("removeEntries", () => {
  const a = entry({ id: "a" });
  const b = entry({ id: "b" });
  const c = entry({ id: "c" });

  test("removes exactly the named blocks and their comment lines, the rest byte for byte", () => {
    const text = `# header\n\n${block(a)}\n# flaky since the pool change\n${block(b)}\n${block(c)}`;
    expect(removeEntries(text, ["b"])).toBe(`# header\n\n${block(a)}\n${block(c)}`);
    expect(removeEntries(text, ["a"])).toBe(`# header\n\n# flaky since the pool change\n${block(b)}\n${block(c)}`);
    expect(removeEntries(text, ["a", "c"])).toBe(`# header\n\n# flaky since the pool change\n${block(b)}`);
  });

  test("removing the last blocks takes the blank lines before them; removing all leaves the header", () => {
    const text = `# header\n\n${block(a)}\n${block(b)}`;
    expect(removeEntries(text, ["b"])).toBe(`# header\n\n${block(a)}`);
    expect(removeEntries(text, ["a", "b"])).toBe("# header\n");
    expect(parseQuarantine(removeEntries(text, ["a", "b"])).entries).toEqual([]);
  });

  test("a header comment right above the first block stays with the file", () => {
    const text = `# header\n${block(a)}\n${block(b)}`;
    expect(removeEntries(text, ["a"])).toBe(`# header\n${block(b)}`);
  });

  test("CRLF, and a multi-line string holding a bracket line", () => {
    const text = `# h\r\n\r\n${block(a, "\r\n")}\r\n${block(b, "\r\n")}`;
    expect(removeEntries(text, ["a"])).toBe(`# h\r\n\r\n${block(b, "\r\n")}`);
    const folded = block(a).replace('reason = "failed 2 of 5 reruns"', 'reason = """still \\\n[[test]] the reason"""');
    expect(parseQuarantine(folded).entries[0]!.reason).toBe("still [[test]] the reason");
    expect(removeEntries(`${folded}\n${block(b)}`, ["b"])).toBe(folded);
    expect(removeEntries(`${block(b)}\n${folded}`, ["a"])).toBe(block(b));
  });

  test("refused: an id the file does not list, a layout it cannot cut safely", () => {
    expect(errorOf(() => removeEntries(block(a), ["zz"])).message).toBe(`${QUARANTINE_FILE} does not list "zz"`);
    const inline = `test = [{ id = "a", check = "test", reason = "r", score = 0.4, runs = 5, failures = 2, commits = ["${sha("a")}"], triage_job = "job_0123456789abcdef", added = "2025-01-10", expires = "2025-02-09", requested_by = "pushpals:ci-medic", approval = "pr" }]\n`;
    expect(parseQuarantine(inline).entries).toHaveLength(1);
    expect(errorOf(() => removeEntries(inline, ["a"])).message).toMatch(/layout cannot be edited safely/);
  });
});

describe("quarantineAt", () => {
  test("reads the file committed at the commit, never the worktree; absent or malformed means no quarantine", async () => {
    const repo = tempRepo();
    try {
      const none = repo.commit({ "a.txt": "x" });
      expect(await quarantineAt(repo.root, none)).toEqual({ entries: [], source: null, problem: null });
      const listed = repo.commit({ [QUARANTINE_FILE]: block(entry()) });
      const broken = repo.commit({ [QUARANTINE_FILE]: "[[test]]\nid = 1\n" });
      // The worktree says otherwise: it does not count.
      await Bun.write(`${repo.root}/${QUARANTINE_FILE}`, block(entry({ id: "worktree" })));
      expect(await quarantineAt(repo.root, listed)).toEqual({ entries: [entry()], source: `${listed}:${QUARANTINE_FILE}`, problem: null });
      const bad = await quarantineAt(repo.root, broken);
      expect(bad.entries).toEqual([]);
      expect(bad.problem).toMatch(/^\.pushpals\/quarantine\.toml at [0-9a-f]{12}: test entry 1 \(line 1\): id: .*no test is quarantined until it is fixed$/);
    } finally {
      repo.cleanup();
    }
  });

  test("a symlink is not read; a short SHA is refused", async () => {
    const repo = tempRepo();
    try {
      mkdirSync(`${repo.root}/.pushpals`, { recursive: true });
      symlinkSync("../target.toml", `${repo.root}/${QUARANTINE_FILE}`);
      const head = repo.commit({ "target.toml": block(entry()) });
      const read = await quarantineAt(repo.root, head);
      expect(read.entries).toEqual([]);
      expect(read.problem).toMatch(/is not a regular file: no test is quarantined$/);
      await expect(quarantineAt(repo.root, "abc")).rejects.toThrow(/full commit SHA/);
    } finally {
      repo.cleanup();
    }
  });
});
