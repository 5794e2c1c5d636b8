import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readSync, rmSync } from "node:fs";
import { join } from "node:path";
import { PushpalsError } from "../core/errors.ts";
import { MAX_REPORT_CHARS } from "./report-error.ts";
import { isPlainRelativePath } from "./report-path.ts";

/**
 * Before the check runs: nothing at the report's path (a committed or planted file must never count as
 * this run's report) and its parent directories made, so any runner can write it. Every part of the
 * path is looked at without following links: a link planted by an install script leaves the path unused.
 * Returns the absolute path the check is told (PUSHPALS_TEST_REPORT).
 */
export function prepareReportPath(checkoutDir: string, relative: string): string {
  const parts = checkedParts(relative);
  let dir = checkoutDir;
  for (const part of parts.slice(0, -1)) {
    dir = join(dir, part);
    const stat = lstatSync(dir, { throwIfNoEntry: false });
    if (!stat) mkdirSync(dir);
    else if (!stat.isDirectory()) throw unusable(relative, `${part} is not a directory in the checkout`);
  }
  const file = join(dir, parts.at(-1)!);
  // The checkout's own file (committed, or an install's): removed, a directory too.
  rmSync(file, { recursive: true, force: true });
  return file;
}

/**
 * After the check ran: the report's text, read without following a link in any part of the path, only
 * from a regular file (never a FIFO or device: opened non-blocking), at most MAX_REPORT_CHARS bytes.
 * Null when the check wrote none. The content is the untrusted output of the repository's tests.
 */
export function readReportFile(checkoutDir: string, relative: string): string | null {
  const parts = checkedParts(relative);
  let path = checkoutDir;
  for (const [index, part] of parts.entries()) {
    path = join(path, part);
    const stat = lstatSync(path, { throwIfNoEntry: false });
    if (!stat) return null;
    if (stat.isSymbolicLink()) throw unusable(relative, `${parts.slice(0, index + 1).join("/")} is a symbolic link`);
    if (index < parts.length - 1 && !stat.isDirectory()) return null;
  }
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw unusable(relative, "it is not a regular file");
    if (stat.size > MAX_REPORT_CHARS) {
      throw new PushpalsError("payload_too_large", `the test report ${relative} is ${stat.size} bytes, over the ${MAX_REPORT_CHARS} byte limit`, {
        hint: "a report that large is not read; the check's own result still counts",
        details: { format: null, problem: "too_large" },
      });
    }
    const buffer = Buffer.alloc(stat.size);
    let read = 0;
    while (read < buffer.length) {
      const n = readSync(fd, buffer, read, buffer.length - read, read);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read).toString("utf8");
  } finally {
    closeSync(fd);
  }
}

function checkedParts(relative: string): string[] {
  if (!isPlainRelativePath(relative)) throw unusable(relative, "it is not a plain relative path inside the checkout");
  return relative.split("/");
}

function unusable(relative: string, why: string): PushpalsError {
  return new PushpalsError("invalid_input", `the test report path ${relative} cannot be used: ${why}`, {
    hint: "the check's report is read only from a regular file the check itself wrote inside the checkout; the check's own result still counts",
    details: { format: null, problem: "unusable_path" },
  });
}
