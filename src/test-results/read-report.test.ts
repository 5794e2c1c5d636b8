import { afterEach, describe, expect, test } from "bun:test";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { prepareReportPath, readReportFile } from "./read-report.ts";
import { isPlainRelativePath } from "./report-path.ts";

const dirs: string[] = [];
function checkout(): string {
  const dir = mkdtempSync(join(tmpdir(), "pp-report-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("a check's report is read only from a file the check wrote inside the checkout", () => {
  test("plain relative paths only", () => {
    for (const bad of ["/etc/passwd", "../x.xml", "a/../../x.xml", "./x.xml", "a//b.xml", "-x.xml", "a\\b.xml", "", ".git", "sub/.GIT"]) expect(isPlainRelativePath(bad)).toBe(false);
    for (const good of [".git/pushpals-report-test.xml", "reports/junit.xml", "a.b/c-d_e.xml"]) expect(isPlainRelativePath(good)).toBe(true);
  });

  test("prepare removes a committed or planted report and makes the parents; read returns what the run wrote", () => {
    const dir = checkout();
    mkdirSync(join(dir, "reports"));
    writeFileSync(join(dir, "reports/junit.xml"), "<testsuites/>");
    const path = prepareReportPath(dir, "reports/deep/junit.xml");
    expect(path).toBe(join(dir, "reports/deep/junit.xml"));
    expect(existsSync(join(dir, "reports/deep"))).toBe(true);
    expect(readReportFile(dir, "reports/deep/junit.xml")).toBeNull();
    prepareReportPath(dir, "reports/junit.xml");
    expect(existsSync(join(dir, "reports/junit.xml"))).toBe(false);
    writeFileSync(path, "TAP version 13\nok 1 - a\n1..1\n");
    expect(readReportFile(dir, "reports/deep/junit.xml")).toContain("ok 1 - a");
  });

  test("attack: the report, or a directory on its path, is a link to a host file", () => {
    const dir = checkout();
    const secret = join(checkout(), "secret.txt");
    writeFileSync(secret, "TAP version 13\nnot ok 1 - hunter2\n");
    symlinkSync(secret, join(dir, "report.xml"));
    expect(() => readReportFile(dir, "report.xml")).toThrow(/symbolic link/);
    symlinkSync(join(secret, ".."), join(dir, "out"));
    expect(() => readReportFile(dir, "out/secret.txt")).toThrow(/symbolic link/);
    // Before the run too: a planted link in the parents is never followed to make directories.
    expect(() => prepareReportPath(dir, "out/x/report.xml")).toThrow(/not a directory/);
  });

  test("attack: a FIFO (which would block the reader) or a directory is not a report", () => {
    const dir = checkout();
    execFileSync("mkfifo", [join(dir, "report.xml")]);
    expect(() => readReportFile(dir, "report.xml")).toThrow(/not a regular file/);
    mkdirSync(join(dir, "d.xml"));
    expect(() => readReportFile(dir, "d.xml")).toThrow(/not a regular file/);
  });

  test("a report over the limit is refused, not read", () => {
    const dir = checkout();
    writeFileSync(join(dir, "big.xml"), "");
    execFileSync("truncate", ["-s", `${17 * 1024 * 1024}`, join(dir, "big.xml")]);
    expect(() => readReportFile(dir, "big.xml")).toThrow(/over the/);
  });
});
