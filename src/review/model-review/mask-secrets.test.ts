import { expect, test } from "bun:test";
import type { DiffFile } from "../diff-types.ts";
import type { Finding } from "../review-types.ts";
import { MASKED, maskSecrets } from "./mask-secrets.ts";

const file = (path: string, added: string[]): DiffFile => ({
  path,
  oldPath: null,
  status: "added",
  binary: false,
  size: 1,
  oldMode: null,
  newMode: "100644",
  modeChange: null,
  oldBlob: null,
  newBlob: "b".repeat(40),
  hunks: [{ oldStart: 0, oldLines: 0, newStart: 1, newLines: added.length, added: added.map((text, i) => ({ line: i + 1, text })), removed: [] }],
});
const secret = (path: string, line: number | null, rule = "secretlint/aws"): Finding => ({ reviewer: "secrets", rule, severity: "block", file: path, line, message: "a secret", fixHint: "rotate it" });

test("the lines the secrets reviewer flagged, and a flagged env file whole, are not sent to a model", () => {
  const files = [file("src/app.ts", ["const a = 1;", "const key = 'AKIA...';"]), file(".env", ["A=1", "B=2"]), file("README.md", ["hello"])];
  const masked = maskSecrets(files, [secret("src/app.ts", 2), secret(".env", 1, "env_file")]);
  expect(masked[0]!.hunks[0]!.added.map((l) => l.text)).toEqual(["const a = 1;", MASKED]);
  expect(masked[1]!.hunks[0]!.added.map((l) => l.text)).toEqual([MASKED, MASKED]);
  expect(masked[2]).toBe(files[2]!);
});

test("findings of other reviewers change nothing", () => {
  const files = [file("src/app.ts", ["x"])];
  expect(maskSecrets(files, [{ ...secret("src/app.ts", 1), reviewer: "size" }])[0]).toBe(files[0]!);
});
