import { describe, expect, test } from "bun:test";
import { ciFixBody, ciFixTitle } from "./ci-fix-body.ts";
import { CiFixInput } from "./ci-fix-input.ts";

const sha = "a".repeat(40);
const base = { baseBranch: "main", baseCommit: sha, check: { name: "lint", run: "npm run lint" }, fixer: "npm run lint:fix" };

/** The field the schema refuses first, as the job service names it. */
function refused(input: unknown): string | null {
  const parsed = CiFixInput.safeParse(input);
  if (parsed.success) return null;
  const issue = parsed.error.issues[0]!;
  return ["input", ...issue.path, ...("keys" in issue ? issue.keys : [])].join(".");
}

describe("ci-fix input", () => {
  test("defaults: no files, Low, the ordinary role, the whole repository as its write scope", () => {
    expect(CiFixInput.parse(base)).toEqual({ ...base, files: [], failureExcerpt: "", scope: ["**"], role: "codemod", risk: "low", commandTimeoutSeconds: 900 });
  });

  test("the files are tracked paths as git lists them: nothing that climbs out, is absolute, reads as a flag or is git's", () => {
    expect(refused({ ...base, files: ["src/a.js", "docs/with space.md", "[id]/page.tsx"] })).toBeNull();
    for (const bad of ["../etc/passwd", "src/../../x", "/etc/passwd", "-rf", "--output-file=x", "src//a.js", "./src/a.js", ".git/config", "src/.GIT/x", "a\\b", "a\nb", ""]) {
      expect({ bad, field: refused({ ...base, files: [bad] }) }).toEqual({ bad, field: "input.files.0" });
    }
    expect(refused({ ...base, files: Array.from({ length: 201 }, (_, i) => `f${i}`) })).toBe("input.files");
    expect(refused({ ...base, files: ["a", "a"] })).toBe("input.files");
  });

  test("strict and bounded: no High (a fix carries no RFC), no specialist's role, no unknown field", () => {
    expect(refused({ ...base, risk: "high" })).toBe("input.risk");
    expect(refused({ ...base, role: "dependency_steward" })).toBe("input.role");
    expect(refused({ ...base, install: { packageManager: "npm" } })).toBe("input.install");
    expect(refused({ ...base, baseCommit: "main" })).toBe("input.baseCommit");
    expect(refused({ ...base, baseBranch: "main x" })).toBe("input.baseBranch");
    expect(refused({ ...base, scope: ["../**"] })).toBe("input.scope.0");
    expect(refused({ ...base, fixer: "" })).toBe("input.fixer");
  });
});

describe("ci-fix PR", () => {
  const summary = { check: base.check, baseBranch: "main", baseCommit: sha, fixer: "npm run lint:fix", why: 'the package.json script "lint:fix", the fix of "lint"', files: ["src/a.js"], changed: ["src/a.js"], outside: [], risk: "low" as const, failureExcerpt: "src/a.js:1:3: trailing ```spaces```\n", exitCode: 0 };

  test("title and body: the fixer, the files, why its tier, the failure before, how to undo", () => {
    expect(ciFixTitle("lint", "npm run lint:fix")).toBe("Fix lint with npm run lint:fix");
    expect(ciFixTitle("lint", "x".repeat(300))).toHaveLength(200);
    const body = ciFixBody(summary);
    expect(body).toContain("lint (`npm run lint`) fails on main at aaaaaaaaaaaa.");
    expect(body).toContain("Fixer: `npm run lint:fix`, the package.json script \"lint:fix\", the fix of \"lint\".");
    expect(body).toContain("Files the failure named (1):\n- `src/a.js`");
    expect(body).toContain("Risk: Low: the fixer changed only files the failure named (1 of 1).");
    // The excerpt cannot close its fence.
    expect(body).toContain("````text\nsrc/a.js:1:3: trailing ```spaces```\n````");
    expect(body).toContain("`pushpals revert` with this PR's number");
  });

  test("Medium says which files the failure did not name, or that it named none", () => {
    expect(ciFixBody({ ...summary, changed: ["src/a.js", "src/b.js"], outside: ["src/b.js"], risk: "medium", exitCode: 1 })).toContain("Risk: Medium: the fixer also changed 1 file(s) the failure did not name:\n- `src/b.js`");
    expect(ciFixBody({ ...summary, exitCode: 1 })).toContain("(it exited 1: what it could not fix is left; the check below decides)");
    expect(ciFixBody({ ...summary, risk: "medium" })).toContain("Risk: Medium (the least tier it was asked to have; on its own it is low): the fixer changed only files the failure named (1 of 1).");
    const unnamed = ciFixBody({ ...summary, files: [], outside: ["src/a.js"], risk: "medium", failureExcerpt: "" });
    expect(unnamed).toContain("The failure named no files.");
    expect(unnamed).toContain("the failure's output named no file, so no list bounds what the fixer may change (it changed 1)");
    expect(unnamed).not.toContain("The failure before the fix");
  });
});
