import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nativeSeccompArch, seccompFilter, type SeccompArch } from "./seccomp-filter.ts";

let written: { arch: SeccompArch; dir: string; file: string } | null | undefined;

/**
 * The seccomp program as a file for bwrap (`--seccomp FD`, opened by the launch prelude), or null on
 * an architecture without one. Written once per worker into a directory of its own (mkdtemp: 0700),
 * so no other user can swap it for a program that allows everything; written again if a tmp cleaner
 * removed it, and removed when the worker exits.
 */
export function seccompFilterFile(): string | null {
  if (written === undefined) {
    const arch = nativeSeccompArch();
    written = arch ? write(arch) : null;
    process.once("exit", () => {
      if (written) rmSync(written.dir, { recursive: true, force: true });
    });
  } else if (written && !existsSync(written.file)) {
    rmSync(written.dir, { recursive: true, force: true });
    written = write(written.arch);
  }
  return written?.file ?? null;
}

function write(arch: SeccompArch): { arch: SeccompArch; dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), "pushpals-seccomp-"));
  const file = join(dir, "filter.bpf");
  writeFileSync(file, seccompFilter(arch), { mode: 0o400 });
  return { arch, dir, file };
}
