import type { Command } from "commander";
import { int } from "../parse.ts";

export function registerLogs(program: Command): void {
  program
    .command("logs <id>")
    .description("a job's log lines; -f follows them live until the job ends")
    .addHelpText("after", '\nLines from stderr are shown with "! ", PushPals\' own lines with "# ".\nWith --model: the job\'s model transcript (each step\'s messages sent "> ", reply "< ", tokens, cost, action).\n\nExamples:\n  pushpals logs job_01a2... -f\n  pushpals logs job_01a2... --json\n  pushpals logs job_01a2... --model')
    .option("-f, --follow", "keep streaming until the job ends")
    .option("--model", "the model transcript of a model-backed job instead of its log lines")
    .option("--json", "one JSON object per line")
    .action(async (id: string, opts: { follow?: boolean; model?: boolean; json?: boolean }) => {
      if (opts.model) {
        const { runModelLogs } = await import("./model-logs-action.ts");
        return runModelLogs(program, id, opts);
      }
      const { runLogs } = await import("./logs-action.ts");
      await runLogs(program, id, opts);
    });

  program
    .command("watch")
    .description("stream live events (resumable: --after SEQ)")
    .addHelpText("after", '\nExamples:\n  pushpals watch\n  pushpals watch --after 0 --json   # replay everything, then follow')
    .option("--after <seq>", "replay events after this sequence number first", int, -1)
    .option("--json", "one JSON event per line")
    .action(async (opts: { after: number; json?: boolean }) => {
      const { runWatch } = await import("./logs-action.ts");
      await runWatch(program, opts);
    });
}
