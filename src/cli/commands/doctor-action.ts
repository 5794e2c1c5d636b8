import type { Command } from "commander";
import type { Finding } from "../../preflight/finding.ts";
import { hasErrors, preflight } from "../../preflight/preflight.ts";
import { isPushpalsError } from "../../core/errors.ts";
import { cliContext } from "../context.ts";
import { EXIT } from "../../core/exit-codes.ts";
import { printJson } from "../format.ts";
import { visible } from "../../core/safe-text.ts";
import { style } from "../style.ts";

export async function runDoctor(program: Command, opts: { json?: boolean; registry?: boolean }): Promise<void> {
  let findings: Finding[];
  try {
    const ctx = await cliContext(program.opts());
    findings = await preflight(ctx.paths, { recover: false, probeRegistry: opts.registry === true });
  } catch (err) {
    // Without git there is no repository to look at: that is itself the finding.
    if (!isPushpalsError(err, "git_failed")) throw err;
    findings = [{ code: "PP001", level: "error", message: err.message, fix: err.hint ?? "install git 2.25 or newer" }];
  }
  if (opts.json) printJson({ ok: !hasErrors(findings), findings });
  else printFindings(findings);
  process.exitCode = hasErrors(findings) ? EXIT.failed : EXIT.ok;
}

export function printFindings(findings: Finding[], options: { quietOk?: boolean } = {}): void {
  const oks = findings.filter((f) => f.level === "ok");
  if (options.quietOk && oks.length) process.stdout.write(`preflight: ${oks.length} checks ok\n`);
  for (const f of findings) {
    if (options.quietOk && f.level === "ok") continue;
    const mark = f.level === "error" ? style.red("error") : f.level === "warn" ? style.yellow("warn ") : style.green("ok   ");
    const out = f.level === "error" ? process.stderr : process.stdout;
    // A finding may quote the repository's config or a tool's output.
    out.write(`${mark} ${visible(f.code)} ${visible(f.message)}\n`);
    if (f.fix && f.level !== "ok") out.write(`        fix: ${visible(f.fix)}\n`);
  }
}
