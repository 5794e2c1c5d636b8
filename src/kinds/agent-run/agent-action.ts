/** What one model reply asks for: one command to run, to submit the work, or nothing usable (said back to the model). */
export type AgentAction = { kind: "command"; command: string } | { kind: "submit" } | { kind: "refused"; why: string };

/** The line a reply ends the task with (alone, or as the only command). */
export const SUBMIT = "SUBMIT";

/** The longest command a step runs: recorded whole (the audit's command record, the transcript), never cut. */
export const MAX_COMMAND_CHARS = 4096;

const FENCE = /^[ \t]*(`{3,})[ \t]*([A-Za-z0-9_+-]*)[ \t]*$/;
const SHELL = new Set(["", "bash", "sh", "shell"]);

/** The fenced blocks of a reply, line by line: each opening fence closed by its own; only shell ones count. */
function shellBlocks(reply: string): string[] {
  const blocks: string[] = [];
  let open: { fence: string; shell: boolean; lines: string[] } | null = null;
  for (const line of reply.split("\n")) {
    const fence = FENCE.exec(line);
    if (open) {
      if (fence && fence[1] === open.fence && fence[2] === "") {
        if (open.shell) blocks.push(open.lines.join("\n").trim());
        open = null;
      } else open.lines.push(line);
    } else if (fence) open = { fence: fence[1]!, shell: SHELL.has(fence[2]!.toLowerCase()), lines: [] };
  }
  return blocks;
}

/**
 * Reads a reply: exactly one fenced shell block is a command (`SUBMIT` as its only line, or a reply whose
 * last line is `SUBMIT` with no block, submits); none or several is refused, with why, so the model can
 * answer again in the format. Pure.
 */
export function parseAgentReply(reply: string): AgentAction {
  const blocks = shellBlocks(reply);
  if (blocks.length === 0) {
    const last = reply.trim().split("\n").at(-1)?.trim();
    return last === SUBMIT ? { kind: "submit" } : { kind: "refused", why: "the reply has no ```bash block: answer with exactly one command in one ```bash block, or SUBMIT when the task is done" };
  }
  if (blocks.length > 1) return { kind: "refused", why: `the reply has ${blocks.length} command blocks: give exactly one per reply` };
  const command = blocks[0]!;
  if (command === SUBMIT) return { kind: "submit" };
  if (command === "") return { kind: "refused", why: "the command block is empty" };
  if (command.length > MAX_COMMAND_CHARS) return { kind: "refused", why: `the command is ${command.length} characters, over ${MAX_COMMAND_CHARS}: split it into steps (write a file with one command, run it with the next)` };
  return { kind: "command", command };
}

/** The command's result as the model reads it: exit code and output, head and tail kept when it is long. */
export function observation(exitCode: number | null, output: string, limit = 10_000): string {
  const text = output.length <= limit ? output : `${output.slice(0, limit / 2)}\n[... ${output.length - limit} characters left out ...]\n${output.slice(-limit / 2)}`;
  return `<returncode>${exitCode ?? "killed"}</returncode>\n<output>\n${text}\n</output>`;
}
