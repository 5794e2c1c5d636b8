import { expect, test } from "bun:test";
import { changedFile, inputFor } from "../review-fixture.ts";
import { newDependencyReviewer } from "./new-dependency-reviewer.ts";

const OLD = `{
  "name": "app",
  "dependencies": {
    "zod": "4.0.0"
  },
  "devDependencies": {
    "typescript": "5.9.3"
  }
}
`;

const manifest = (hunks: string, after: string) => ({ diff: changedFile("package.json", hunks), contents: { "package.json": { old: OLD, new: after } } });

test("version bumps and moving a package between sections add no dependency", () => {
  const after = OLD.replace('"zod": "4.0.0"', '"zod": "4.1.0",\n    "typescript": "5.9.3"').replace('\n    "typescript": "5.9.3"\n  }\n}', "\n  }\n}");
  const { diff, contents } = manifest('@@ -4 +4,2 @@\n-    "zod": "4.0.0"\n+    "zod": "4.1.0",\n+    "typescript": "5.9.3"\n', after);
  expect(newDependencyReviewer.review(inputFor(diff, { contents }))).toEqual([]);
});

test("a new package blocks with its name and line unless the policy allows new dependencies", () => {
  const after = OLD.replace('"typescript": "5.9.3"', '"typescript": "5.9.3",\n    "left-pad": "1.3.0"');
  const { diff, contents } = manifest('@@ -7 +7,2 @@\n-    "typescript": "5.9.3"\n+    "typescript": "5.9.3",\n+    "left-pad": "1.3.0"\n', after);
  const blocked = newDependencyReviewer.review(inputFor(diff, { contents }));
  expect(blocked.map((f) => [f.rule, f.severity, f.file, f.line])).toEqual([["new_dependency", "block", "package.json", 8]]);
  expect(blocked[0]?.message).toContain('"left-pad" to devDependencies');
  const allowed = newDependencyReviewer.review(inputFor(diff, { contents, rules: { allowNewDependencies: true } }));
  expect(allowed.map((f) => [f.rule, f.severity, f.file, f.line])).toEqual([["new_dependency", "note", "package.json", 8]]);
});

test("a package.json that cannot be read is not waved through", () => {
  const { diff, contents } = manifest('@@ -1 +1 @@\n-{\n+{{\n', `{${OLD}`);
  expect(newDependencyReviewer.review(inputFor(diff, { contents })).map((f) => [f.rule, f.severity, f.file])).toEqual([["manifest_unreadable", "request_changes", "package.json"]]);
  expect(newDependencyReviewer.review(inputFor(diff)).map((f) => f.rule)).toEqual(["manifest_unreadable"]);
});
